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

export interface OrderMove {
  orderId: string;
  from: OrderStatus;
  to: OrderStatus;
  cause: string;
  actor: string;
  detail: Record<string, unknown>;
}

const moveManySql = (alongside: number) => `
WITH ${Array.from({ length: alongside }, (_v, index) => `alongside${index} AS (?), `).join('')}wanted AS (
  SELECT * FROM jsonb_to_recordset(?::jsonb) AS w(n integer, order_id text, from_status text, to_status text, cause text, actor text, detail jsonb)
), moved AS (
  UPDATE orders o SET status = w.to_status, updated_at = greatest(clock_timestamp(), o.created_at), version = o.version + 1
  FROM wanted w
  WHERE o.id = w.order_id AND o.status = w.from_status
  RETURNING w.n, o.id, o.updated_at
), events AS (
  INSERT INTO order_events (order_id, from_status, to_status, cause, actor, detail)
  SELECT w.order_id, w.from_status, w.to_status, w.cause, w.actor, w.detail FROM moved m JOIN wanted w ON w.n = m.n ORDER BY w.n
)
SELECT n, updated_at FROM moved ORDER BY n`;

/** moveOrder for many orders in one statement (one parameter for all); their new updatedAt in the same order. */
export async function moveOrders(
  trx: Knex.Transaction,
  moves: readonly OrderMove[],
  alongside: (Knex.QueryBuilder | Knex.Raw)[] = [],
): Promise<{ updatedAt: string }[]> {
  const wanted = moves.map(({ orderId, from, to, cause, actor, detail }, n) => ({
    n,
    order_id: orderId,
    from_status: from,
    to_status: to,
    cause,
    actor,
    detail,
  }));
  const result = await trx.raw(moveManySql(alongside.length), [...alongside, JSON.stringify(wanted)]);
  const rows = result.rows as { n: number; updated_at: Date | string }[];
  if (rows.length !== moves.length) {
    const movedSet = new Set(rows.map((row) => row.n));
    const stuck = moves.find((_move, n) => !movedSet.has(n)) as OrderMove;
    throw new Error(`order ${stuck.orderId} is not "${stuck.from}", so it cannot become "${stuck.to}"`);
  }
  return rows.map((row) => ({ updatedAt: new Date(row.updated_at).toISOString() }));
}
