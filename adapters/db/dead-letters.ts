import { randomUUID } from 'node:crypto';
import { deskDefaults, newWorkItem } from '../../domain/work-item.ts';
import type { Database } from './connect.ts';
import { workItemTransaction } from './work-items.ts';

// Dead letters moved from the broker's dead-letter queues, for operations to read and replay.

export interface DeadLetter {
  id: string;
  queue: string;
  messageId: string | null;
  type: string | null;
  correlationId: string | null;
  exchange: string;
  routingKey: string;
  reason: string;
  diedAt: string;
  replayedAt: string | null;
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  body: string;
}

export type NewDeadLetter = Omit<DeadLetter, 'id' | 'diedAt' | 'replayedAt'>;

interface DeadLetterRow {
  id: string | number;
  queue: string;
  message_id: string | null;
  type: string | null;
  correlation_id: string | null;
  exchange: string;
  routing_key: string;
  reason: string;
  died_at: Date | string;
  replayed_at: Date | string | null;
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
  body: string;
}

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: String(row.id),
  queue: row.queue,
  messageId: row.message_id,
  type: row.type,
  correlationId: row.correlation_id,
  exchange: row.exchange,
  routingKey: row.routing_key,
  reason: row.reason,
  diedAt: new Date(row.died_at).toISOString(),
  replayedAt: row.replayed_at === null ? null : new Date(row.replayed_at).toISOString(),
  headers: row.headers,
  properties: row.properties,
  body: row.body,
});

/**
 * Idempotent: the same message moved twice (a crash before the broker ack) is kept once while it is
 * not replayed. A new one goes on the operations task list in the same transaction.
 */
export async function insertDeadLetter(db: Database, letter: NewDeadLetter, now: Date = new Date()): Promise<void> {
  await db.transaction(async (trx) => {
    const inserted = await trx.raw(
      `INSERT INTO dead_letters (queue, message_id, type, correlation_id, exchange, routing_key, reason, headers, properties, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)
       ON CONFLICT (queue, message_id) WHERE replayed_at IS NULL DO NOTHING
       RETURNING id`,
      [
        letter.queue,
        letter.messageId,
        letter.type,
        letter.correlationId,
        letter.exchange,
        letter.routingKey,
        letter.reason,
        JSON.stringify(letter.headers),
        JSON.stringify(letter.properties),
        letter.body,
      ],
    );
    const id = (inserted.rows as { id: string | number }[])[0]?.id;
    if (id === undefined) return;
    // A correlation id is the order's id for the messages we send; anything else names no order.
    const order: { id: string; partner_id: string } | undefined =
      letter.correlationId === null ? undefined : await trx('orders').where({ id: letter.correlationId }).first('id', 'partner_id');
    const desk = deskDefaults['dead-letter'];
    await workItemTransaction(trx).openWorkItems([
      newWorkItem(
        {
          id: randomUUID(),
          kind: 'dead-letter',
          sourceId: String(id),
          orderId: order?.id ?? null,
          partnerId: order?.partner_id ?? null,
          title: `Dead letter on ${letter.queue}${letter.type === null ? '' : ` (${letter.type})`}: ${letter.reason}`.slice(0, 500),
          assignees: [{ role: desk.role }],
          sla: desk.sla,
        },
        now,
      ),
    ]);
  });
}

/** Newest first; `before` is the last one of the previous page (its died_at to the microsecond, and its id). */
export async function listDeadLetters(
  db: Database,
  filter: { queue?: string; replayed: boolean; limit: number; before?: { diedAt: string; id: string } },
): Promise<{ deadLetters: DeadLetter[]; next?: { diedAt: string; id: string } }> {
  const query = db<DeadLetterRow>('dead_letters')
    .select('*', db.raw(`to_char(died_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS died_at_exact`))
    .orderBy([
      { column: 'died_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(filter.limit + 1);
  if (filter.queue !== undefined) query.where({ queue: filter.queue });
  if (filter.replayed) query.whereNotNull('replayed_at');
  else query.whereNull('replayed_at');
  if (filter.before !== undefined) query.whereRaw('(died_at, id) < (?::timestamptz, ?::bigint)', [filter.before.diedAt, filter.before.id]);
  const rows = (await query) as (DeadLetterRow & { died_at_exact: string })[];
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  return {
    deadLetters: page.map(toDeadLetter),
    ...(rows.length > filter.limit && last !== undefined ? { next: { diedAt: last.died_at_exact, id: String(last.id) } } : {}),
  };
}

export async function getDeadLetter(db: Database, id: string): Promise<DeadLetter | undefined> {
  const row = await db<DeadLetterRow>('dead_letters').where({ id }).first();
  return row === undefined ? undefined : toDeadLetter(row);
}

/** Marks it replayed, its task done with it; undefined when someone else did first. */
export async function markReplayed(db: Database, id: string, by = 'admin'): Promise<DeadLetter | undefined> {
  return db.transaction(async (trx) => {
    const [row] = await trx<DeadLetterRow>('dead_letters')
      .where({ id })
      .whereNull('replayed_at')
      .update({ replayed_at: trx.fn.now() })
      .returning('*');
    if (row === undefined) return undefined;
    await workItemTransaction(trx).closeWorkItems(
      { kind: 'dead-letter', sourceId: id },
      { status: 'done', outcome: 'replayed', by, at: new Date() },
    );
    return toDeadLetter(row as DeadLetterRow);
  });
}
