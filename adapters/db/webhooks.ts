import { randomUUID } from 'node:crypto';
import { shownDeliveryError, statusClass } from '../../domain/outbound-target.ts';
import type { Database } from './connect.ts';
import type { Viewer } from './order-queries.ts';

// Webhooks out: partners' subscriptions, and one delivery row per event and subscription with its
// attempts. Secrets are stored sealed; sealing and opening happen outside the database layer.

export interface WebhookSubscription {
  id: string;
  partnerId: string;
  url: string;
  eventTypes: string[];
  /** Paused: its events wait as pending deliveries until it is resumed. */
  paused: boolean;
  createdAt: string;
}

const toSubscription = (row: Record<string, unknown>): WebhookSubscription => ({
  id: row.id as string,
  partnerId: row.partner_id as string,
  url: row.url as string,
  eventTypes: row.event_types as string[],
  paused: row.paused_at !== null && row.paused_at !== undefined,
  createdAt: new Date(row.created_at as string).toISOString(),
});

const subscriptionColumns = ['id', 'partner_id', 'url', 'event_types', 'paused_at', 'created_at'];

/**
 * Stores the subscription unless the partner has `limit` already; then undefined. The partner's row
 * is locked meanwhile, so that two at once cannot both take the last place.
 */
export async function insertWebhookSubscription(
  db: Database,
  subscription: Omit<WebhookSubscription, 'createdAt' | 'paused'> & { sealedSecret: string },
  limit: number,
): Promise<WebhookSubscription | undefined> {
  return db.transaction(async (trx) => {
    await trx('partners').where({ id: subscription.partnerId }).forUpdate().first('id');
    const [counted] = await trx('webhook_subscriptions').where({ partner_id: subscription.partnerId }).count({ n: '*' });
    if (Number(counted?.n ?? 0) >= limit) return undefined;
    const [row] = await trx('webhook_subscriptions')
      .insert({
        id: subscription.id,
        partner_id: subscription.partnerId,
        url: subscription.url,
        event_types: JSON.stringify(subscription.eventTypes),
        secret_sealed: subscription.sealedSecret,
      })
      .returning(subscriptionColumns);
    return toSubscription(row);
  });
}

export async function listWebhookSubscriptions(db: Database, viewer: Viewer): Promise<WebhookSubscription[]> {
  const query = db('webhook_subscriptions').select(subscriptionColumns);
  if (viewer.partnerId !== null) query.where({ partner_id: viewer.partnerId });
  return (await query.orderBy([{ column: 'created_at' }, { column: 'id' }])).map(toSubscription);
}

/** The viewer's subscription (a partner's own; any for the admin). */
const ownSubscription = (db: Database, viewer: Viewer, id: string) => {
  const query = db('webhook_subscriptions').where({ id });
  if (viewer.partnerId !== null) query.andWhere({ partner_id: viewer.partnerId });
  return query;
};

/** Pauses or resumes the subscription; undefined when the viewer has no such subscription. */
export async function setWebhookSubscriptionPaused(
  db: Database,
  viewer: Viewer,
  id: string,
  paused: boolean,
): Promise<WebhookSubscription | undefined> {
  const [row] = await ownSubscription(db, viewer, id)
    .update({ paused_at: paused ? db.raw('coalesce(paused_at, now())') : null })
    .returning(subscriptionColumns);
  return row === undefined ? undefined : toSubscription(row);
}

/** Replaces the subscription's secret (sealed by the caller for this id): the next attempt is signed with it. */
export async function replaceWebhookSubscriptionSecret(db: Database, viewer: Viewer, id: string, sealedSecret: string): Promise<boolean> {
  return (await ownSubscription(db, viewer, id).update({ secret_sealed: sealedSecret })) === 1;
}

/** Deletes the subscription with its deliveries and their log; false when the viewer has no such subscription. */
export async function deleteWebhookSubscription(db: Database, viewer: Viewer, id: string): Promise<boolean> {
  return db.transaction(async (trx) => {
    const row = await ownSubscription(trx, viewer, id).forUpdate().first('id');
    if (row === undefined) return false;
    await trx('webhook_deliveries').where({ subscription_id: id }).delete();
    await trx('webhook_subscriptions').where({ id }).delete();
    return true;
  });
}

/** One attempt as the partner sees it: the status class ("5xx") and a short reason, never the code or our network's words. */
export interface AttemptRecord {
  at: string;
  statusClass?: string;
  error?: string;
}

export interface WebhookDelivery {
  id: string;
  subscriptionId: string;
  eventType: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusClass?: string;
  lastError?: string;
  nextAttemptAt?: string;
  attemptLog: AttemptRecord[];
  payload: unknown;
  createdAt: string;
  deliveredAt?: string;
}

const iso = (value: unknown): string => new Date(value as string).toISOString();

/** Attempts logged before status classes carry the code itself and the start of the answer: shown in today's words. */
type StoredAttempt = AttemptRecord & { statusCode?: number };

const shownAttempt = ({ at, statusCode, statusClass: recorded, error }: StoredAttempt): AttemptRecord => {
  const shownClass = recorded ?? (statusCode === undefined ? undefined : statusClass(statusCode));
  return {
    at,
    ...(shownClass === undefined ? {} : { statusClass: shownClass }),
    ...(error === undefined ? {} : { error: shownDeliveryError(error) }),
  };
};

const toDelivery = (row: Record<string, unknown>): WebhookDelivery => ({
  id: row.id as string,
  subscriptionId: row.subscription_id as string,
  eventType: row.event_type as string,
  state: row.state as WebhookDelivery['state'],
  attempts: Number(row.attempts),
  ...(row.last_status_code === null ? {} : { lastStatusClass: statusClass(Number(row.last_status_code)) }),
  ...(row.last_error === null ? {} : { lastError: shownDeliveryError(row.last_error as string) }),
  ...(row.next_attempt_at === null ? {} : { nextAttemptAt: iso(row.next_attempt_at) }),
  attemptLog: (row.attempt_log as StoredAttempt[]).map(shownAttempt),
  payload: row.payload,
  createdAt: iso(row.created_at),
  ...(row.delivered_at === null ? {} : { deliveredAt: iso(row.delivered_at) }),
});

export interface DeliveryFilter {
  state?: WebhookDelivery['state'];
  subscriptionId?: string;
  limit: number;
}

/** Newest first: what an operator looks at is what just went wrong. */
export async function listWebhookDeliveries(db: Database, viewer: Viewer, filter: DeliveryFilter): Promise<WebhookDelivery[]> {
  const query = db('webhook_deliveries');
  if (viewer.partnerId !== null) query.where({ partner_id: viewer.partnerId });
  if (filter.state !== undefined) query.where({ state: filter.state });
  if (filter.subscriptionId !== undefined) query.where({ subscription_id: filter.subscriptionId });
  return (
    await query
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(filter.limit)
  ).map(toDelivery);
}

const deliveriesPerInsert = 1_000;

/**
 * Turns outbox events not yet seen into deliveries for the subscriptions that want them (same
 * partner, event type subscribed to, subscribed before the event), and marks the events seen, in
 * one transaction. Rows locked by another instance are skipped, not waited for.
 */
export async function fanOutWebhookEvents(
  db: Database,
  eventTypes: readonly string[],
  now: Date,
  batch = 200,
): Promise<{ events: number; deliveries: number }> {
  return db.transaction(async (trx) => {
    const events = await trx('outbox')
      .whereNull('webhooks_fanned_out_at')
      .orderBy('id')
      .limit(batch)
      .forUpdate()
      .skipLocked()
      .select('id', 'message_id', 'type', 'payload', 'created_at');
    if (events.length === 0) return { events: 0, deliveries: 0 };
    const relevant = events.filter((e) => eventTypes.includes(e.type) && typeof e.payload?.partnerId === 'string');
    const partners = [...new Set(relevant.map((e) => e.payload.partnerId as string))];
    const subscriptions =
      partners.length === 0
        ? []
        : await trx('webhook_subscriptions').whereIn('partner_id', partners).select('id', 'partner_id', 'event_types', 'created_at');
    const rows = relevant.flatMap((event) =>
      subscriptions
        .filter(
          (s) =>
            s.partner_id === event.payload.partnerId &&
            (s.event_types as string[]).includes(event.type) &&
            new Date(s.created_at) <= new Date(event.created_at),
        )
        .map((s) => ({
          id: randomUUID(),
          subscription_id: s.id,
          partner_id: s.partner_id,
          event_type: event.type,
          outbox_message_id: event.message_id,
          payload: JSON.stringify({ type: event.type, timestamp: iso(event.created_at), data: event.payload }),
          next_attempt_at: now,
        })),
    );
    // A statement binds at most 65,535 parameters; events × subscriptions is not bounded by the batch.
    for (let start = 0; start < rows.length; start += deliveriesPerInsert) {
      await trx('webhook_deliveries')
        .insert(rows.slice(start, start + deliveriesPerInsert))
        .onConflict(['subscription_id', 'outbox_message_id'])
        .ignore();
    }
    await trx('outbox')
      .whereIn(
        'id',
        events.map((e) => e.id),
      )
      .update({ webhooks_fanned_out_at: trx.fn.now() });
    return { events: events.length, deliveries: rows.length };
  });
}

export interface DueDelivery {
  id: string;
  subscriptionId: string;
  url: string;
  sealedSecret: string;
  payload: unknown;
  scheduleStep: number;
}

/**
 * Takes up to `limit` due deliveries for an attempt by pushing their due time `leaseMs` ahead: a
 * crash mid-attempt makes them due again then, and no other instance takes them meanwhile. The
 * deliveries of a paused subscription wait.
 */
export async function claimDueWebhookDeliveries(db: Database, now: Date, limit: number, leaseMs: number): Promise<DueDelivery[]> {
  const result = await db.raw(
    `UPDATE webhook_deliveries d SET next_attempt_at = ?
       FROM webhook_subscriptions s
      WHERE s.id = d.subscription_id
        AND d.id IN (SELECT due.id FROM webhook_deliveries due JOIN webhook_subscriptions sub ON sub.id = due.subscription_id
                      WHERE due.state = 'pending' AND due.next_attempt_at <= ? AND sub.paused_at IS NULL
                      ORDER BY due.next_attempt_at, due.id LIMIT ? FOR UPDATE OF due SKIP LOCKED)
  RETURNING d.id, d.subscription_id, s.url, s.secret_sealed, d.payload, d.schedule_step`,
    [new Date(now.getTime() + leaseMs), now, limit],
  );
  return (result.rows as Record<string, unknown>[]).map((r) => ({
    id: r.id as string,
    subscriptionId: r.subscription_id as string,
    url: r.url as string,
    sealedSecret: r.secret_sealed as string,
    payload: r.payload,
    scheduleStep: Number(r.schedule_step),
  }));
}

export interface AttemptResult {
  attempt: AttemptRecord;
  /** The status code itself: kept in its column for operators, shown to partners as its class only. */
  statusCode?: number;
  state: WebhookDelivery['state'];
  scheduleStep: number;
  nextAttemptAt: Date | null;
}

export async function recordWebhookAttempt(db: Database, id: string, result: AttemptResult): Promise<void> {
  await db('webhook_deliveries')
    .where({ id })
    .update({
      state: result.state,
      attempts: db.raw('attempts + 1'),
      schedule_step: result.scheduleStep,
      last_status_code: result.statusCode ?? null,
      last_error: result.attempt.error ?? null,
      attempt_log: db.raw('attempt_log || ?::jsonb', [JSON.stringify([result.attempt])]),
      next_attempt_at: result.nextAttemptAt,
      delivered_at: result.state === 'delivered' ? new Date(result.attempt.at) : null,
    });
}

/**
 * Makes a delivery due at `now`. A pending one keeps its place in the back-off schedule; a failed
 * or delivered one gets `step` (one more attempt, then failed again if it fails).
 */
export async function retryWebhookDelivery(
  db: Database,
  viewer: Viewer,
  id: string,
  now: Date,
  step: number,
): Promise<WebhookDelivery | undefined> {
  const query = db('webhook_deliveries').where({ id });
  if (viewer.partnerId !== null) query.andWhere({ partner_id: viewer.partnerId });
  const [row] = await query
    .update({
      state: 'pending',
      next_attempt_at: now,
      schedule_step: db.raw(`CASE WHEN state = 'pending' THEN schedule_step ELSE ? END`, [step]),
    })
    .returning('*');
  return row === undefined ? undefined : toDelivery(row);
}
