import type { Knex } from 'knex';
import type { OrderStatus } from '../../domain/order-status.ts';

// The books every fault test closes with: what went in (each submission the gateway accepted with
// a 2xx, or an accepting 997) against what came out in the database. Three lists, each entry a
// sentence naming the order, empty when nothing was lost, nothing happened twice and nothing
// appeared that nobody sent.
//
//   lost        accepted but not stored; stored but not at the expected final status; a task
//               never done; a ready-for-billing order whose acknowledgment or invoice event is missing
//   duplicated  one accepted submission stored as several orders; an order transition (from ≠ to)
//               recorded twice; more than one acknowledgment / ready-for-billing event, 855,
//               ConfirmationRequest or 810 for an order; a shipment recorded or announced twice;
//               more 856s / ShipNoticeRequests than shipments; a line shipped beyond its quantity;
//               a task requested again without a retry that asked for it; a task completed by more
//               than one vendor message; an inbox message recorded twice
//   unexpected  orders nobody submitted (no accepted submission names their partner and reference)
//
// It reads only; run it once the gateway has settled (nothing pending in the outbox or the queues).

/** One order the gateway accepted. */
export interface Accepted {
  partnerId: string;
  externalRef: string;
  /** The id the gateway answered with (a JSON 201 names it; an X12 997 does not). */
  orderId?: string;
  /** How it went in, for the report: `POST /v1/orders 201`, `X12 997 AK5*A`... */
  via?: string;
}

export interface LedgerOptions {
  /** Where every accepted order is to end (ready_for_billing). */
  finalStatus?: OrderStatus | readonly OrderStatus[];
  /** Every task of an accepted order must be done (true). */
  tasksDone?: boolean;
}

export interface LedgerReport {
  lost: string[];
  duplicated: string[];
  unexpected: string[];
  /** Orders stored, accepted submissions (after collapsing replays), for the log line. */
  counts: { stored: number; accepted: number };
}

interface OrderRow {
  id: string;
  partner_id: string;
  external_ref: string;
  status: string;
}

interface TaskRow {
  id: string;
  order_id: string;
  task_key: string;
  person: boolean;
  vendor_id: string | null;
  status: string;
}

const countOf = (row: { n: unknown }): number => Number(row.n);
const refKey = (partnerId: string, externalRef: string): string => `${partnerId}\u0000${externalRef}`;

export async function checkLedger(db: Knex, accepted: readonly Accepted[], options: LedgerOptions = {}): Promise<LedgerReport> {
  const finalStatuses: readonly string[] =
    options.finalStatus === undefined
      ? ['ready_for_billing']
      : typeof options.finalStatus === 'string'
        ? [options.finalStatus]
        : options.finalStatus;
  const tasksDone = options.tasksDone ?? true;
  const lost: string[] = [];
  const duplicated: string[] = [];
  const unexpected: string[] = [];

  const orders: OrderRow[] = await db('orders').select('id', 'partner_id', 'external_ref', 'status').orderBy('created_at');
  const byId = new Map(orders.map((o) => [o.id, o]));
  const byRef = new Map<string, OrderRow[]>();
  for (const order of orders) {
    const key = refKey(order.partner_id, order.external_ref);
    byRef.set(key, [...(byRef.get(key) ?? []), order]);
  }
  const name = (orderId: string): string => {
    const order = byId.get(orderId);
    return order === undefined ? `order ${orderId}` : `${order.external_ref} (order ${orderId})`;
  };

  // What went in, replays collapsed: one entry per (partner, reference), with every id it was answered with.
  const submissions = new Map<string, { partnerId: string; externalRef: string; ids: Set<string>; via: Set<string> }>();
  for (const a of accepted) {
    const key = refKey(a.partnerId, a.externalRef);
    const entry = submissions.get(key) ?? {
      partnerId: a.partnerId,
      externalRef: a.externalRef,
      ids: new Set<string>(),
      via: new Set<string>(),
    };
    if (a.orderId !== undefined) entry.ids.add(a.orderId);
    if (a.via !== undefined) entry.via.add(a.via);
    submissions.set(key, entry);
  }

  const acceptedOrders: OrderRow[] = [];
  for (const [key, submission] of submissions) {
    const via = submission.via.size > 0 ? ` (${[...submission.via].join(', ')})` : '';
    const stored = byRef.get(key) ?? [];
    if (submission.ids.size > 1)
      duplicated.push(
        `${submission.externalRef}: one submission was answered with ${submission.ids.size} different order ids (${[...submission.ids].join(', ')})`,
      );
    if (stored.length === 0) {
      lost.push(`${submission.externalRef}: accepted${via} but not stored`);
      continue;
    }
    if (stored.length > 1)
      duplicated.push(
        `${submission.externalRef}: one accepted submission stored as ${stored.length} orders (${stored.map((o) => o.id).join(', ')})`,
      );
    for (const id of submission.ids) {
      if (!byId.has(id)) lost.push(`${submission.externalRef}: accepted${via} as order ${id}, which is not stored`);
    }
    acceptedOrders.push(...stored);
  }
  for (const order of orders) {
    if (!submissions.has(refKey(order.partner_id, order.external_ref)))
      unexpected.push(`${name(order.id)} of partner ${order.partner_id}: stored (status ${order.status}) but nobody's accepted submission`);
  }

  // Where every accepted order is to end.
  for (const order of acceptedOrders) {
    if (!finalStatuses.includes(order.status))
      lost.push(`${name(order.id)}: status ${order.status}, expected ${finalStatuses.join(' or ')}`);
  }
  const acceptedIds = new Set(acceptedOrders.map((o) => o.id));
  if (tasksDone) {
    const tasks: TaskRow[] = await db('tasks')
      .select('id', 'order_id', 'task_key', 'person', 'vendor_id', 'status')
      .orderBy(['order_id', 'position']);
    for (const task of tasks) {
      if (!acceptedIds.has(task.order_id) || task.status === 'done') continue;
      lost.push(
        `${name(task.order_id)}: task ${task.task_key} (${task.person ? 'a person' : `vendor ${task.vendor_id ?? '?'}`}) is ${task.status}, never done`,
      );
    }
  }

  // Partner events in the outbox: the acknowledgment and the invoice once per order, each shipment once.
  const answerEvents: { correlation_id: string; type: string; n: unknown }[] = await db('outbox')
    .whereIn('type', ['order.received.v1', 'order.acknowledged.v1', 'order.ready-for-billing.v1', 'order.failed.v1'])
    .groupBy('correlation_id', 'type')
    .select('correlation_id', 'type', db.raw('count(*) AS n'));
  const eventCount = new Map(answerEvents.map((row) => [`${row.correlation_id} ${row.type}`, countOf(row)]));
  for (const row of answerEvents)
    if (countOf(row) > 1) duplicated.push(`${name(row.correlation_id)}: ${countOf(row)} × ${row.type} in the outbox`);
  for (const order of acceptedOrders) {
    if (order.status !== 'ready_for_billing') continue;
    for (const type of ['order.acknowledged.v1', 'order.ready-for-billing.v1']) {
      if ((eventCount.get(`${order.id} ${type}`) ?? 0) === 0)
        lost.push(`${name(order.id)}: ready for billing, but no ${type} in the outbox`);
    }
  }
  const shippedEvents: { correlation_id: string; shipment_id: string | null; n: unknown }[] = await db('outbox')
    .where({ type: 'order.shipped.v1' })
    .groupBy('correlation_id', db.raw(`payload->'shipment'->>'shipmentId'`))
    .select('correlation_id', db.raw(`payload->'shipment'->>'shipmentId' AS shipment_id`), db.raw('count(*) AS n'));
  for (const row of shippedEvents)
    if (countOf(row) > 1)
      duplicated.push(`${name(row.correlation_id)}: shipment ${row.shipment_id ?? '?'} announced ${countOf(row)} times (order.shipped.v1)`);

  // History: a real transition happens once per order.
  const transitions: { order_id: string; from_status: string | null; to_status: string; n: unknown }[] = await db('order_events')
    .whereRaw('from_status IS DISTINCT FROM to_status')
    .groupBy('order_id', 'from_status', 'to_status')
    .havingRaw('count(*) > 1')
    .select('order_id', 'from_status', 'to_status', db.raw('count(*) AS n'));
  for (const row of transitions)
    duplicated.push(`${name(row.order_id)}: transition ${row.from_status ?? '(none)'} → ${row.to_status} recorded ${countOf(row)} times`);

  // Documents for the partner: one 855 / ConfirmationRequest and one 810 per order; no more ship notices than shipments.
  const documents: { order_id: string; type: string; n: unknown }[] = await db('documents')
    .where({ direction: 'outbound' })
    .whereNotNull('order_id')
    .groupBy('order_id', 'type')
    .select('order_id', 'type', db.raw('count(*) AS n'));
  const shipmentsPerOrder = new Map(
    ((await db('shipments').groupBy('order_id').select('order_id', db.raw('count(*) AS n'))) as { order_id: string; n: unknown }[]).map(
      (row) => [row.order_id, countOf(row)],
    ),
  );
  for (const row of documents) {
    const n = countOf(row);
    if (['855', '810', 'ConfirmationRequest'].includes(row.type) && n > 1)
      duplicated.push(`${name(row.order_id)}: ${n} outbound ${row.type} documents`);
    if (['856', 'ShipNoticeRequest'].includes(row.type) && n > (shipmentsPerOrder.get(row.order_id) ?? 0)) {
      duplicated.push(
        `${name(row.order_id)}: ${n} outbound ${row.type} documents for ${shipmentsPerOrder.get(row.order_id) ?? 0} shipment(s)`,
      );
    }
  }

  // Shipments and lines: a shipment recorded once; no line ships more than it holds.
  const shipments: { vendor_id: string; vendor_shipment_id: string; order_id: string; n: unknown }[] = await db('shipments')
    .groupBy('vendor_id', 'vendor_shipment_id', 'order_id')
    .havingRaw('count(*) > 1')
    .select('vendor_id', 'vendor_shipment_id', 'order_id', db.raw('count(*) AS n'));
  for (const row of shipments)
    duplicated.push(`${name(row.order_id)}: shipment ${row.vendor_shipment_id} of ${row.vendor_id} recorded ${countOf(row)} times`);
  const overShipped: { order_id: string; line_number: string; quantity: unknown; shipped_quantity: unknown }[] = await db('order_lines')
    .whereRaw('shipped_quantity > quantity + 0.00005')
    .select('order_id', 'line_number', 'quantity', 'shipped_quantity');
  for (const row of overShipped)
    duplicated.push(`${name(row.order_id)}: line ${row.line_number} shipped ${Number(row.shipped_quantity)} of ${Number(row.quantity)}`);

  // Tasks: requested once, unless a retryable failure asked for it again; completed by one vendor message.
  const requests: { task_id: string; correlation_id: string; n: unknown }[] = await db('outbox')
    .where({ type: 'fulfillment.request.v1' })
    .whereNotNull('task_id')
    .groupBy('task_id', 'correlation_id')
    .select('task_id', 'correlation_id', db.raw('count(*) AS n'));
  const retries = new Map(
    (
      (await db('order_events')
        .where({ cause: 'task.retry-scheduled' })
        .groupBy(db.raw(`detail->>'taskId'`))
        .select(db.raw(`detail->>'taskId' AS task_id`), db.raw('count(*) AS n'))) as {
        task_id: string;
        n: unknown;
      }[]
    ).map((row) => [row.task_id, countOf(row)]),
  );
  for (const row of requests) {
    const allowed = 1 + (retries.get(row.task_id) ?? 0);
    if (countOf(row) > allowed)
      duplicated.push(`${name(row.correlation_id)}: task ${row.task_id} requested ${countOf(row)} times (${allowed} allowed)`);
  }
  const completions: { task_id: string; order_id: string | null; n: unknown }[] = await db('inbox')
    .where({ type: 'fulfillment.complete.v1' })
    .whereNotNull('task_id')
    .groupBy('task_id', 'order_id')
    .havingRaw('count(*) > 1')
    .select('task_id', 'order_id', db.raw('count(*) AS n'));
  for (const row of completions)
    duplicated.push(`${name(row.order_id ?? '?')}: task ${row.task_id} done by ${countOf(row)} different complete messages`);
  const inbox: { vendor_id: string; message_id: string; n: unknown }[] = await db('inbox')
    .groupBy('vendor_id', 'message_id')
    .havingRaw('count(*) > 1')
    .select('vendor_id', 'message_id', db.raw('count(*) AS n'));
  for (const row of inbox) duplicated.push(`inbox: message ${row.message_id} of ${row.vendor_id} recorded ${countOf(row)} times`);

  return { lost, duplicated, unexpected, counts: { stored: orders.length, accepted: submissions.size } };
}

/** One line for the test's log: the counts and how many entries each list has. */
export function describeLedger(report: LedgerReport): string {
  return `ledger: ${report.counts.accepted} accepted, ${report.counts.stored} stored; ${report.lost.length} lost, ${report.duplicated.length} duplicated, ${report.unexpected.length} unexpected`;
}
