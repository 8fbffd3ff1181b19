import type { Database } from './connect.ts';

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

/** Idempotent: the same message moved twice (a crash before the broker ack) is kept once while it is not replayed. */
export async function insertDeadLetter(db: Database, letter: NewDeadLetter): Promise<void> {
  await db.raw(
    `INSERT INTO dead_letters (queue, message_id, type, correlation_id, exchange, routing_key, reason, headers, properties, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)
     ON CONFLICT (queue, message_id) WHERE replayed_at IS NULL DO NOTHING`,
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
}

export async function listDeadLetters(db: Database, filter: { queue?: string; replayed: boolean; limit: number }): Promise<DeadLetter[]> {
  const query = db<DeadLetterRow>('dead_letters')
    .orderBy([
      { column: 'died_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(filter.limit);
  if (filter.queue !== undefined) query.where({ queue: filter.queue });
  if (filter.replayed) query.whereNotNull('replayed_at');
  else query.whereNull('replayed_at');
  return (await query).map(toDeadLetter);
}

export async function getDeadLetter(db: Database, id: string): Promise<DeadLetter | undefined> {
  const row = await db<DeadLetterRow>('dead_letters').where({ id }).first();
  return row === undefined ? undefined : toDeadLetter(row);
}

/** Marks it replayed; false when someone else did first. */
export async function markReplayed(db: Database, id: string): Promise<DeadLetter | undefined> {
  const [row] = await db<DeadLetterRow>('dead_letters')
    .where({ id })
    .whereNull('replayed_at')
    .update({ replayed_at: db.fn.now() })
    .returning('*');
  return row === undefined ? undefined : toDeadLetter(row as DeadLetterRow);
}
