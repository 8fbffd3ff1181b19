import { partnerEventTypes } from '../../domain/partner-events.ts';
import { claimDueWebhookDeliveries, fanOutWebhookEvents, recordWebhookAttempt, type Database, type DueDelivery } from '../db/index.ts';
import { statusClass } from '../../domain/outbound-target.ts';
import { deliver, type OutboundClient } from '../http/index.ts';
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

/**
 * POSTs through the partner-set side of the outbound policy: the subscription's URL is judged
 * again for this connection. The outcome's error is in the words a partner may see.
 */
export const postWebhook =
  (client: OutboundClient): WebhookPost =>
  async ({ url, headers, body }) => {
    const result = await deliver(
      { url, body, contentType: 'application/json', headers },
      { retries: 0, minTimeoutMs: 0, maxTimeoutMs: 0, timeoutMs: 10_000 },
      client,
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

export interface WebhookDeps {
  db: Database;
  secrets: SecretBox;
  /** The partner-set side of the outbound policy (`Outbound.webhooks`). */
  outbound: OutboundClient;
}

export async function deliverDueWebhooks(
  deps: WebhookDeps,
  now: Date,
  post: WebhookPost = postWebhook(deps.outbound),
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

async function attempt(deps: WebhookDeps, delivery: DueDelivery, now: Date, post: WebhookPost): Promise<string> {
  const body = JSON.stringify(delivery.payload);
  const timestamp = Math.floor(now.getTime() / 1000);
  let outcome: AttemptOutcome;
  let secret: string | undefined;
  try {
    secret = deps.secrets.open(delivery.sealedSecret, subscriptionSecretContext(delivery.subscriptionId));
  } catch {
    // The key changed: ours to fix, and nothing the partner needs the words of.
    secret = undefined;
  }
  if (secret === undefined) {
    outcome = { error: 'not sent: the subscription secret cannot be read' };
  } else {
    const headers = {
      'webhook-id': delivery.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook(secret, delivery.id, timestamp, body),
    };
    outcome = await post({ url: delivery.url, headers, body }).catch(() => ({ error: 'connection failed' }));
  }
  const next = afterAttempt(delivery.scheduleStep, outcome, now);
  // The partner sees the status class, not the code: no status oracle, whatever the target.
  const record = {
    at: now.toISOString(),
    ...(outcome.statusCode === undefined ? {} : { statusClass: statusClass(outcome.statusCode) }),
    ...(outcome.error === undefined ? {} : { error: outcome.error.slice(0, 500) }),
  };
  await recordWebhookAttempt(deps.db, delivery.id, {
    attempt: record,
    ...(outcome.statusCode === undefined ? {} : { statusCode: outcome.statusCode }),
    ...next,
  });
  return next.state;
}
