export { checkMessage, isKnownMessageType, type MessageProblem } from './messages.ts';
