import type { CanonicalOrder, OrderLine, StoredOrder } from '../../domain/order.ts';
import type { OrderStatus } from '../../domain/order-status.ts';

// Translation between the canonical order and its rows: columns for what is queried, jsonb for the rest.

export interface OrderRow {
  id: string;
  partner_id: string;
  channel: string;
  external_ref: string;
  order_type: string;
  status: string;
  order_date: string;
  currency: string;
  header: Record<string, unknown>;
  totals: CanonicalOrder['totals'];
  extras: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
}

export interface LineRow {
  id: string;
  order_id: string;
  parent_line_id: string | null;
  position: number;
  line_number: string;
  status: string;
  sku: string | null;
  quantity: number | string;
  uom: string;
  unit_price: number | string | null;
  detail: Record<string, unknown>;
}

export function orderToRow(id: string, partnerId: string, order: CanonicalOrder, status: OrderStatus, now: Date): OrderRow {
  const { channel, externalRef, orderType, orderDate, currency, totals, extras, lines: _lines, ...header } = order;
  return {
    id,
    partner_id: partnerId,
    channel,
    external_ref: externalRef,
    order_type: orderType,
    status,
    order_date: orderDate,
    currency,
    header,
    totals,
    extras: extras ?? {},
    version: 1,
    created_at: now,
    updated_at: now,
  };
}

export function lineToRow(id: string, orderId: string, position: number, line: OrderLine, parentLineId: string | null): LineRow {
  const { lineNumber, sku, quantity, uom, unitPrice, ...detail } = line;
  return {
    id,
    order_id: orderId,
    parent_line_id: parentLineId,
    position,
    line_number: lineNumber,
    status: 'open',
    sku: sku ?? null,
    quantity,
    uom,
    unit_price: unitPrice ?? null,
    detail,
  };
}

// Built field by field with the spread last: on Node 20, adding properties to an object after
// spreading into it is many times slower, and this runs for every line of every order read.

function lineOf(line: LineRow): StoredOrder['lines'][number] {
  const fields: Record<string, unknown> = {
    id: line.id,
    lineNumber: line.line_number,
    status: line.status,
    quantity: Number(line.quantity),
    uom: line.uom,
  };
  if (line.parent_line_id !== null) fields.parentLineId = line.parent_line_id;
  if (line.sku !== null) fields.sku = line.sku;
  if (line.unit_price !== null) fields.unitPrice = Number(line.unit_price);
  return Object.assign(fields, line.detail) as unknown as StoredOrder['lines'][number];
}

export function rowsToOrder(row: OrderRow, lines: LineRow[]): StoredOrder {
  const order = {
    id: row.id,
    partnerId: row.partner_id,
    channel: row.channel as StoredOrder['channel'],
    externalRef: row.external_ref,
    orderType: row.order_type as StoredOrder['orderType'],
    status: row.status as OrderStatus,
    orderDate: row.order_date,
    currency: row.currency,
    totals: row.totals,
    extras: row.extras,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    lines: [...lines].sort((a, b) => a.position - b.position).map(lineOf),
  };
  return Object.assign(order, row.header) as StoredOrder;
}
