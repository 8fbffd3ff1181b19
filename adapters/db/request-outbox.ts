import type { Knex } from 'knex';
import { fulfillmentRequestType } from '../../domain/fulfillment-request.ts';
import type { Database } from './connect.ts';
import type { VendorChannel } from './vendors.ts';

// Fulfillment requests waiting in the outbox, read two ways: a dispatcher claims due rows and
// sends them (RabbitMQ, HTTP), or a mailbox vendor leases its own. Either way, a request handed
// out moves its task from ready to dispatched in the same transaction.

export interface DueRequest {
  outboxId: string;
  messageId: string;
  type: string;
  correlationId: string;
  routingKey: string;
  vendorId: string;
  taskId: string | null;
  channel: VendorChannel;
  baseUrl: string | null;
  body: unknown;
  attempts: number;
  createdAt: Date;
}

export type SendOutcome = { ok: true } | { ok: false; error: string; retryAt: Date };

interface DueRow {
  id: string;
  message_id: string;
  type: string;
  correlation_id: string;
  destination: string;
  vendor_id: string;
  task_id: string | null;
  channel: VendorChannel;
  base_url: string | null;
  payload: unknown;
  attempts: number;
  created_at: Date | string;
}

const toDue = (row: DueRow): DueRequest => ({
  outboxId: String(row.id),
  messageId: row.message_id,
  type: row.type,
  correlationId: row.correlation_id,
  routingKey: row.destination,
  vendorId: row.vendor_id,
  taskId: row.task_id,
  channel: row.channel,
  baseUrl: row.base_url,
  body: row.payload,
  attempts: row.attempts,
  createdAt: new Date(row.created_at),
});

/**
 * Due requests for vendors reached through `channels`, locked; a vendor nobody registered counts as
 * amqp. The registered vendors' channels are read first and the claim names the vendors it leaves
 * out (or takes) as constants: a filter on coalesce(v.channel) is one the planner cannot estimate,
 * and it then sorted every due row for each claim (20 ms a claim with 20,000 due) where the due
 * index, walked in order, stops at the limit.
 */
async function dueRows(trx: Knex.Transaction, channels: readonly VendorChannel[], limit: number, vendorId?: string) {
  const registered = (await trx('vendors').select('id', 'channel')) as { id: string; channel: VendorChannel }[];
  const query = trx('outbox as o')
    .leftJoin('vendors as v', 'v.id', 'o.vendor_id')
    .select(
      'o.id',
      'o.message_id',
      'o.type',
      'o.correlation_id',
      'o.destination',
      'o.vendor_id',
      'o.task_id',
      'o.payload',
      'o.attempts',
      'o.created_at',
      'v.base_url',
      trx.raw(`coalesce(v.channel, 'amqp') AS channel`),
    )
    .where('o.state', 'pending')
    .whereNotNull('o.vendor_id')
    .where('o.next_attempt_at', '<=', trx.fn.now())
    .orderBy([{ column: 'o.next_attempt_at' }, { column: 'o.id' }])
    .limit(limit)
    .forUpdate('o')
    .skipLocked();
  if (channels.includes('amqp'))
    query.whereNotIn(
      'o.vendor_id',
      registered.filter((v) => !channels.includes(v.channel)).map((v) => v.id),
    );
  else
    query.whereIn(
      'o.vendor_id',
      registered.filter((v) => channels.includes(v.channel)).map((v) => v.id),
    );
  if (vendorId !== undefined) query.where('o.vendor_id', vendorId);
  return query as unknown as Promise<DueRow[]>;
}

async function markDispatched(trx: Knex.Transaction, taskIds: (string | null)[]): Promise<void> {
  const ids = taskIds.filter((id): id is string => id !== null);
  if (ids.length > 0)
    await trx('tasks').whereIn('id', ids).where({ status: 'ready' }).update({ status: 'dispatched', updated_at: trx.fn.now() });
}

/**
 * One dispatch round: claims up to `limit` due requests (other dispatchers skip them while this
 * transaction holds them), lets `send` try each, and records each outcome. A row is sent only if
 * `send` said so, which a broker-backed sender says only after the broker's confirm.
 */
export async function dispatchDue(
  db: Database,
  channels: readonly VendorChannel[],
  limit: number,
  send: (requests: DueRequest[]) => Promise<SendOutcome[]>,
): Promise<{ sent: number; failed: number }> {
  return db.transaction(async (trx) => {
    const requests = (await dueRows(trx, channels, limit)).map(toDue);
    if (requests.length === 0) return { sent: 0, failed: 0 };
    const outcomes = await send(requests);
    const sent = requests.filter((_request, index) => outcomes[index]?.ok === true);
    if (sent.length > 0) {
      await trx('outbox')
        .whereIn(
          'id',
          sent.map((r) => r.outboxId),
        )
        .update({ state: 'sent', sent_at: trx.fn.now(), attempts: trx.raw('attempts + 1'), last_error: null });
      await markDispatched(
        trx,
        sent.map((r) => r.taskId),
      );
    }
    const failed = requests.flatMap((request, index) => {
      const outcome = outcomes[index] ?? { ok: false, error: 'the sender gave no outcome', retryAt: new Date(Date.now() + 1000) };
      return outcome.ok ? [] : [{ id: request.outboxId, retry_at: outcome.retryAt.toISOString(), error: outcome.error.slice(0, 2000) }];
    });
    // Each failed row keeps its own back-off and error, all in one statement.
    if (failed.length > 0)
      await trx.raw(
        `UPDATE outbox o SET attempts = o.attempts + 1, next_attempt_at = f.retry_at, last_error = f.error
         FROM jsonb_to_recordset(?::jsonb) AS f(id bigint, retry_at timestamptz, error text) WHERE o.id = f.id`,
        [JSON.stringify(failed)],
      );
    return { sent: sent.length, failed: failed.length };
  });
}

/** A mailbox vendor's due requests, each leased for `leaseSeconds` (handed out again after it unless answered). */
export async function leaseMailbox(
  db: Database,
  vendorId: string,
  channels: readonly VendorChannel[],
  limit: number,
  leaseSeconds: number,
): Promise<(DueRequest & { leasedUntil: string })[]> {
  return db.transaction(async (trx) => {
    const requests = (await dueRows(trx, channels, limit, vendorId)).map(toDue);
    if (requests.length === 0) return [];
    const [row] = await trx
      .raw(`SELECT now() + make_interval(secs => ?) AS until`, [leaseSeconds])
      .then((result: { rows: { until: Date | string }[] }) => result.rows);
    const leasedUntil = new Date(row?.until ?? Date.now()).toISOString();
    // A request is leased until its task is answered; anything else (a cancellation) wants no
    // answer and is handed out once.
    const leased = requests.filter((r) => r.type === fulfillmentRequestType).map((r) => r.outboxId);
    const once = requests.filter((r) => r.type !== fulfillmentRequestType).map((r) => r.outboxId);
    if (leased.length > 0)
      await trx('outbox')
        .whereIn('id', leased)
        .update({ attempts: trx.raw('attempts + 1'), next_attempt_at: leasedUntil });
    if (once.length > 0)
      await trx('outbox')
        .whereIn('id', once)
        .update({ attempts: trx.raw('attempts + 1'), state: 'sent', sent_at: trx.fn.now() });
    await markDispatched(
      trx,
      requests.map((r) => r.taskId),
    );
    return requests.map((request) => ({ ...request, leasedUntil }));
  });
}

/** How a vendor is reached: registered, or the default for one the catalog names (amqp). */
export async function vendorChannel(db: Database, vendorId: string): Promise<VendorChannel> {
  const row = await db('vendors').where({ id: vendorId }).first('channel');
  return (row?.channel as VendorChannel | undefined) ?? 'amqp';
}

/**
 * The broker is back: requests for RabbitMQ vendors that failed to go out while it was away are due
 * now, not at the end of the back-off each one reached. Mailbox leases and a vendor's own
 * retry-after are left alone (they never failed). Returns how many were brought forward.
 */
export async function bringForwardFailedRequests(db: Database): Promise<number> {
  return db('outbox as o')
    .where('o.state', 'pending')
    .whereNotNull('o.vendor_id')
    .whereNotNull('o.last_error')
    .where('o.next_attempt_at', '>', db.fn.now())
    .whereRaw(`coalesce((SELECT v.channel FROM vendors v WHERE v.id = o.vendor_id), 'amqp') = 'amqp'`)
    .update({ next_attempt_at: db.fn.now() });
}
