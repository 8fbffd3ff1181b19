import type { StoredOrder } from '../../domain/order.ts';
import type { Database } from './connect.ts';
import { rowsToOrder, type LineRow, type OrderRow } from './order-rows.ts';

/** Null partner: the admin, who sees every partner's orders. */
export type Viewer = { partnerId: string | null };

export async function getOrder(db: Database, id: string, viewer: Viewer): Promise<StoredOrder | undefined> {
  const query = db<OrderRow>('orders').where({ id });
  if (viewer.partnerId !== null) query.andWhere({ partner_id: viewer.partnerId });
  const row = await query.first();
  if (row === undefined) return undefined;
  const lines = await db<LineRow>('order_lines').where({ order_id: id }).orderBy('position');
  return rowsToOrder(row, lines);
}

export interface OrderFilter {
  status?: string;
  externalRef?: string;
  updatedSince?: string;
  limit: number;
  cursor?: { updatedAt: string; id: string };
}

/** Oldest change first, so that a poller can page forward with the cursor and never miss an update. */
export async function listOrders(
  db: Database,
  viewer: Viewer,
  filter: OrderFilter,
): Promise<{ orders: StoredOrder[]; next?: { updatedAt: string; id: string } }> {
  const query = db<OrderRow>('orders').select(
    '*',
    db.raw(`to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at_exact`),
  );
  if (viewer.partnerId !== null) query.where({ partner_id: viewer.partnerId });
  if (filter.status !== undefined) query.where({ status: filter.status });
  if (filter.externalRef !== undefined) query.where({ external_ref: filter.externalRef });
  if (filter.updatedSince !== undefined) query.where('updated_at', '>=', filter.updatedSince);
  if (filter.cursor !== undefined) query.whereRaw('(updated_at, id) > (?::timestamptz, ?)', [filter.cursor.updatedAt, filter.cursor.id]);
  const rows = (await query.orderBy([{ column: 'updated_at' }, { column: 'id' }]).limit(filter.limit + 1)) as (OrderRow & {
    updated_at_exact: string;
  })[];
  const page = rows.slice(0, filter.limit);
  const lines =
    page.length === 0
      ? []
      : await db<LineRow>('order_lines')
          .whereIn(
            'order_id',
            page.map((r) => r.id),
          )
          .orderBy('position');
  const byOrder = new Map<string, LineRow[]>();
  for (const line of lines) {
    const own = byOrder.get(line.order_id);
    if (own === undefined) byOrder.set(line.order_id, [line]);
    else own.push(line);
  }
  const orders = page.map((row) => rowsToOrder(row, byOrder.get(row.id) ?? []));
  const last = page.at(-1);
  return rows.length > filter.limit && last !== undefined
    ? { orders, next: { updatedAt: last.updated_at_exact, id: last.id } }
    : { orders };
}

export interface OrderEvent {
  id: number;
  from: string | null;
  to: string;
  cause: string;
  actor: string;
  detail: Record<string, unknown>;
  at: string;
}

export async function listOrderEvents(db: Database, orderId: string): Promise<OrderEvent[]> {
  const rows = await db('order_events').where({ order_id: orderId }).orderBy('id');
  return rows.map((r) => ({
    id: Number(r.id),
    from: r.from_status,
    to: r.to_status,
    cause: r.cause,
    actor: r.actor,
    detail: r.detail,
    at: new Date(r.at).toISOString(),
  }));
}
