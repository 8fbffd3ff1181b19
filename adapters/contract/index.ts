export { checkMessage, isKnownMessageType, readReply, type MessageProblem } from './messages.ts';
