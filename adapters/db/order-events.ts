import type { Knex } from 'knex';

/** An event in the order's history that changes no status (from and to are the order's status now). */
export async function noteOrderEvent(
  q: Knex | Knex.Transaction,
  orderId: string,
  cause: string,
  actor: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await q.raw(
    `INSERT INTO order_events (order_id, from_status, to_status, cause, actor, detail) SELECT id, status, status, ?, ?, ?::jsonb FROM orders WHERE id = ?`,
    [cause, actor, JSON.stringify(detail), orderId],
  );
}
