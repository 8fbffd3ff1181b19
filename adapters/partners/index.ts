// Documents to partners in their own channel: the answers to their orders, where and how each
// channel's documents are delivered, and the re-push of documents whose push never happened.
export { answerRenderer, fulfillmentDeps } from './answers.ts';
export { deliveryFor, type PushPolicy, type SecretOpener } from './delivery.ts';
export { pushStuckDocuments } from './document-pushes.ts';
export { sendCxml, sendX12 } from './send.ts';
