import type { Knex } from 'knex';
import type { OrderStatus } from '../../domain/order-status.ts';

// An order's move from one state to another and its history event (and what goes with it), in one statement.

const moveSql = (alongside: number) => `
WITH ${Array.from({ length: alongside }, (_v, index) => `alongside${index} AS (?), `).join('')}moved AS (
  UPDATE orders SET status = ?, updated_at = greatest(clock_timestamp(), created_at), version = version + 1
  WHERE id = ? AND status = ?
  RETURNING id, updated_at
)
INSERT INTO order_events (order_id, from_status, to_status, cause, actor, detail)
SELECT id, ?, ?, ?, ?, ?::jsonb FROM moved
RETURNING (SELECT updated_at FROM moved) AS updated_at`;

/**
 * Moves the order if it is in `from` (the wall clock, not the transaction's start, for updated_at,
 * so an order changed in the transaction that created it is never updated before it was created).
 * Throws when it is not: the caller read the state under a lock, so that is a defect.
 */
export async function moveOrder(
  trx: Knex.Transaction,
  orderId: string,
  from: OrderStatus,
  to: OrderStatus,
  cause: string,
  actor: string,
  detail: Record<string, unknown>,
  /** Writes that go with the move, in the same statement (the order's tasks, say). */
  alongside: (Knex.QueryBuilder | Knex.Raw)[] = [],
): Promise<{ updatedAt: string }> {
  const result = await trx.raw(moveSql(alongside.length), [
    ...alongside,
    to,
    orderId,
    from,
    from,
    to,
    cause,
    actor,
    JSON.stringify(detail),
  ]);
  const [row] = result.rows as { updated_at: Date | string }[];
  if (row === undefined) throw new Error(`order ${orderId} is not "${from}", so it cannot become "${to}"`);
  return { updatedAt: new Date(row.updated_at).toISOString() };
}
