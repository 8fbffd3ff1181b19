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
  externalRefPrefix?: string;
  /** One partner's orders (the admin's filter; a partner viewer sees only its own anyway). */
  partnerId?: string;
  channel?: string;
  receivedFrom?: string;
  receivedTo?: string;
  updatedSince?: string;
  /** changed: oldest change first (the cursor is updated_at); newest: latest received first (created_at). */
  sort?: 'changed' | 'newest';
  limit: number;
  cursor?: { at: string; id: string };
}

const exactTime = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_at`;

/** LIKE's own characters in a reference are meant literally. */
const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Oldest change first, so that a poller can page forward with the cursor and never miss an update;
 * or newest received first, as people look for orders (the next page is older).
 */
export async function listOrders(
  db: Database,
  viewer: Viewer,
  filter: OrderFilter,
): Promise<{ orders: StoredOrder[]; next?: { at: string; id: string } }> {
  const newest = filter.sort === 'newest';
  const column = newest ? 'created_at' : 'updated_at';
  const query = db<OrderRow>('orders').select('*', db.raw(exactTime(column)));
  if (viewer.partnerId !== null) query.where({ partner_id: viewer.partnerId });
  if (filter.partnerId !== undefined) query.where({ partner_id: filter.partnerId });
  if (filter.status !== undefined) query.where({ status: filter.status });
  if (filter.channel !== undefined) query.where({ channel: filter.channel });
  if (filter.externalRef !== undefined) query.where({ external_ref: filter.externalRef });
  if (filter.externalRefPrefix !== undefined) query.whereRaw(`external_ref LIKE ? ESCAPE '\\'`, [likePrefix(filter.externalRefPrefix)]);
  if (filter.receivedFrom !== undefined) query.where('created_at', '>=', filter.receivedFrom);
  if (filter.receivedTo !== undefined) query.where('created_at', '<', filter.receivedTo);
  if (filter.updatedSince !== undefined) query.where('updated_at', '>=', filter.updatedSince);
  if (filter.cursor !== undefined)
    query.whereRaw(`(${column}, id) ${newest ? '<' : '>'} (?::timestamptz, ?)`, [filter.cursor.at, filter.cursor.id]);
  const direction = newest ? 'desc' : 'asc';
  const rows = (await query
    .orderBy([
      { column, order: direction },
      { column: 'id', order: direction },
    ])
    .limit(filter.limit + 1)) as (OrderRow & { position_at: string })[];
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
  return rows.length > filter.limit && last !== undefined ? { orders, next: { at: last.position_at, id: last.id } } : { orders };
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
