import type { OrderEvent } from './order-queries.ts';
import type { Database } from './connect.ts';

/**
 * Where an event stands in the stream: its transaction's id (xid8, as decimal text), then its own
 * id. Every transaction older than all those still running is finished, so the events below that
 * horizon never change any more; a reader that moves through them in position order misses none.
 */
export interface EventPosition {
  xid: string;
  id: number;
}

export const streamStart: EventPosition = { xid: '0', id: 0 };

/** An order's history event (order-queries.ts OrderEvent) as the stream carries it: its position instead of its id. */
export interface StreamEvent extends Omit<OrderEvent, 'id'> {
  position: EventPosition;
  orderId: string;
  partnerId: string;
}

export interface StreamFilter {
  orderId?: string;
  partnerId?: string;
  /** A prefix of the cause: `order.`, `approval.`. */
  type?: string;
}

export const isAfter = (a: EventPosition, b: EventPosition): boolean => {
  const ax = BigInt(a.xid);
  const bx = BigInt(b.xid);
  return ax > bx || (ax === bx && a.id > b.id);
};

export const matches = (event: StreamEvent, filter: StreamFilter): boolean =>
  (filter.orderId === undefined || event.orderId === filter.orderId) &&
  (filter.partnerId === undefined || event.partnerId === filter.partnerId) &&
  (filter.type === undefined || event.cause.startsWith(filter.type));

// Evaluated in the same statement (so the same snapshot) as the rows it admits.
const settled = 'e.xid < pg_snapshot_xmin(pg_current_snapshot())';

/** The settled events after `after` (and up to `upTo`), in position order. */
export async function readSettledEvents(
  db: Database,
  after: EventPosition,
  options: { limit: number; upTo?: EventPosition; filter?: StreamFilter },
): Promise<StreamEvent[]> {
  const query = db('order_events as e')
    .join('orders as o', 'o.id', 'e.order_id')
    .whereRaw(settled)
    .whereRaw('(e.xid, e.id) > (?::xid8, ?)', [after.xid, after.id])
    .orderBy([{ column: 'e.xid' }, { column: 'e.id' }])
    .limit(options.limit)
    .select(
      'e.id',
      db.raw('e.xid::text AS xid'),
      'e.order_id',
      'o.partner_id',
      'e.from_status',
      'e.to_status',
      'e.cause',
      'e.actor',
      'e.detail',
      'e.at',
    );
  if (options.upTo !== undefined) query.whereRaw('(e.xid, e.id) <= (?::xid8, ?)', [options.upTo.xid, options.upTo.id]);
  const { orderId, partnerId, type } = options.filter ?? {};
  if (orderId !== undefined) query.where('e.order_id', orderId);
  if (partnerId !== undefined) query.where('o.partner_id', partnerId);
  if (type !== undefined) query.whereRaw('left(e.cause, length(?)) = ?', [type, type]);
  const rows = await query;
  return rows.map((r) => ({
    position: { xid: r.xid, id: Number(r.id) },
    orderId: r.order_id,
    partnerId: r.partner_id,
    from: r.from_status,
    to: r.to_status,
    cause: r.cause,
    actor: r.actor,
    detail: r.detail,
    at: new Date(r.at).toISOString(),
  }));
}

/** The last settled position: a stream that starts now starts after it. */
export async function settledHead(db: Database): Promise<EventPosition> {
  const row = await db('order_events as e')
    .whereRaw(settled)
    .orderBy([
      { column: 'e.xid', order: 'desc' },
      { column: 'e.id', order: 'desc' },
    ])
    .first('e.id', db.raw('e.xid::text AS xid'));
  return row === undefined ? streamStart : { xid: row.xid, id: Number(row.id) };
}

/** The position of the event a client last saw (its Last-Event-ID). */
export async function eventPosition(db: Database, id: number): Promise<EventPosition | undefined> {
  const row = await db('order_events').where({ id }).first('id', db.raw('xid::text AS xid'));
  return row === undefined ? undefined : { xid: row.xid, id: Number(row.id) };
}
