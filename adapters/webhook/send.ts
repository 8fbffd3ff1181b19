import { partnerEventTypes } from '../../domain/partner-events.ts';
import { claimDueWebhookDeliveries, fanOutWebhookEvents, recordWebhookAttempt, type Database, type DueDelivery } from '../db/index.ts';
import { deliver } from '../http/index.ts';
import { afterAttempt, type AttemptOutcome } from './retry-schedule.ts';
import type { SecretBox } from './secret-box.ts';
import { signStandardWebhook } from './signatures.ts';

// Webhooks out, one run: new outbox events become deliveries for the subscriptions that want them,
// then every due delivery gets one attempt, signed with the Standard Webhooks scheme, and its
// outcome and next attempt are recorded. Called on an interval by app/main.ts and directly by tests.

/** The events a partner can subscribe to: the outbox messages that carry a partnerId. */
export const webhookEventTypes = partnerEventTypes;

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** One POST, no retry of its own: the retry schedule lives in the database. */
export type WebhookPost = (request: WebhookRequest) => Promise<AttemptOutcome>;

export const postWebhook: WebhookPost = async ({ url, headers, body }) => {
  const result = await deliver(
    { url, body, contentType: 'application/json', headers },
    { retries: 0, minTimeoutMs: 0, maxTimeoutMs: 0, timeoutMs: 10_000 },
  );
  if (result.ok) return { statusCode: result.status };
  return { ...(result.status === undefined ? {} : { statusCode: result.status }), error: result.error };
};

export interface WebhookRun {
  created: number;
  attempted: number;
  delivered: number;
}

const fanOutBatch = 200;
const attemptBatch = 50;
/** Longer than an attempt can take, so that no other instance takes a delivery still in flight. */
const leaseMs = 5 * 60 * 1000;

export const subscriptionSecretContext = (subscriptionId: string): string => `webhook-subscription:${subscriptionId}`;

export async function deliverDueWebhooks(
  deps: { db: Database; secrets: SecretBox },
  now: Date,
  post: WebhookPost = postWebhook,
): Promise<WebhookRun> {
  let created = 0;
  for (;;) {
    const fanned = await fanOutWebhookEvents(deps.db, webhookEventTypes, now, fanOutBatch);
    created += fanned.deliveries;
    if (fanned.events < fanOutBatch) break;
  }
  const due = await claimDueWebhookDeliveries(deps.db, now, attemptBatch, leaseMs);
  const outcomes = await Promise.all(due.map((delivery) => attempt(deps, delivery, now, post)));
  return { created, attempted: due.length, delivered: outcomes.filter((o) => o === 'delivered').length };
}

async function attempt(deps: { db: Database; secrets: SecretBox }, delivery: DueDelivery, now: Date, post: WebhookPost): Promise<string> {
  const body = JSON.stringify(delivery.payload);
  const timestamp = Math.floor(now.getTime() / 1000);
  let outcome: AttemptOutcome;
  try {
    const secret = deps.secrets.open(delivery.sealedSecret, subscriptionSecretContext(delivery.subscriptionId));
    const headers = {
      'webhook-id': delivery.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(secret, delivery.id, timestamp, body),
    };
    outcome = await post({ url: delivery.url, headers, body });
  } catch (error) {
    outcome = { error: (error as Error).message };
  }
  const next = afterAttempt(delivery.scheduleStep, outcome, now);
  const record = {
    at: now.toISOString(),
    ...(outcome.statusCode === undefined ? {} : { statusCode: outcome.statusCode }),
    ...(outcome.error === undefined ? {} : { error: outcome.error.slice(0, 500) }),
  };
  await recordWebhookAttempt(deps.db, delivery.id, { attempt: record, ...next });
  return next.state;
}
