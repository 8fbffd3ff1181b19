export { mapWebhookOrder, webhookMaps, type WebhookMap } from './map.ts';
export { afterAttempt, backoffSeconds, manualRetryStep } from './retry-schedule.ts';
export { processSecretKey, secretBox, type SecretBox } from './secret-box.ts';
export { loadSecretKey, type SecretKeySource } from './secret-key.ts';
export {
  deliverDueWebhooks,
  postWebhook,
  subscriptionSecretContext,
  webhookEventTypes,
  type WebhookPost,
  type WebhookRequest,
  type WebhookRun,
} from './send.ts';
export { isStandardSecret, newStandardSecret, signStandardWebhook, toleranceSeconds, verifySignature, type Verdict } from './signatures.ts';
export { eventIdOf, sourceKinds, topicOf, type SourceKind } from './sources.ts';
export { receiveWebhook, sourceSecretContext, type WebhookReceipt } from './receive.ts';
