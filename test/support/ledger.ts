import type { Knex } from 'knex';
import type { OrderStatus } from '../../domain/order-status.ts';

// The books every fault test closes with: what went in (each submission the gateway accepted with
// a 2xx, or an accepting 997) against what came out in the database. Five lists, each entry a
// sentence naming the order, empty when nothing was lost, nothing happened twice, nothing
// appeared that nobody sent, no effect is missing and the partner's documents came in order.
//
//   lost        accepted but not stored; stored but not at the expected final status; a task
//               never done
//   duplicated  one accepted submission stored as several orders; an order transition (from ≠ to)
//               recorded twice; more than one acknowledgment / ready-for-billing event, 855,
//               ConfirmationRequest or 810 for an order; a shipment recorded or announced twice;
//               more 856s / ShipNoticeRequests than shipments; a line shipped beyond its quantity;
//               a task requested again without a retry that asked for it; a task completed by more
//               than one vendor message; an inbox message recorded twice
//   unexpected  orders nobody submitted (no accepted submission names their partner and reference)
//   missing     an effect that should exist and does not: a done ship task (of a line not rejected)
//               without a shipment; a shipment without its partner answer — the order.shipped.v1
//               event for every order, and its 856 (X12) or ShipNoticeRequest (cXML), found by the
//               shipment id they carry (a shipment recorded after the invoice is never announced:
//               its `shipment.after-invoice` note excuses it); an order ready for billing without
//               its acknowledgment (order.acknowledged.v1, and the 855 or ConfirmationRequest) or
//               its invoice (order.ready-for-billing.v1, and the 810 for X12)
//   outOfOrder  an X12 order's documents not in the order a partner must get them: the 855 before
//               every 856, every 856 (and the 855) before the 810. "Before" is by the interchange
//               control number (taken under a lock held to commit, so it follows the commits) when
//               every document has one, else by created_at and id
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
  missing: string[];
  outOfOrder: string[];
  /**
   * Orders stored, accepted submissions (after collapsing replays); and, to show the checks for
   * missing effects had something to check: ship tasks done, shipments, orders whose
   * acknowledgment and invoice were looked for, X12 orders whose documents' order was checked.
   */
  counts: { stored: number; accepted: number; shipTasks: number; shipments: number; billed: number; x12Sequences: number };
}

interface OrderRow {
  id: string;
  partner_id: string;
  external_ref: string;
  status: string;
  channel: string;
}

interface TaskRow {
  id: string;
  order_id: string;
  task_key: string;
  type: string;
  line_number: string;
  person: boolean;
  vendor_id: string | null;
  status: string;
}

interface ShipmentRow {
  id: string;
  order_id: string;
  task_id: string;
  vendor_id: string;
  vendor_shipment_id: string;
  reported: boolean;
}

interface DocumentRow {
  id: string;
  order_id: string;
  type: string;
  created_at: Date;
  control: Record<string, unknown> | null;
  body: Buffer | null;
}

/** Statuses an order reaches once its invoice has gone out. */
const invoicedStatuses = ['ready_for_billing', 'billed'];

/** The shipment id an outbound 856 (BSN02) or ShipNoticeRequest (shipmentID) carries. */
export function shipmentIdOf(type: string, body: Buffer | string): string | undefined {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  if (type === 'ShipNoticeRequest') return /\bshipmentID="([^"]*)"/.exec(text)?.[1];
  // X12: the element separator is the ISA's fourth character, the segment terminator follows ISA16.
  if (!text.startsWith('ISA') || text.length < 106) return undefined;
  const element = text[3] as string;
  const terminator = text[105] as string;
  for (const segment of text.split(terminator)) {
    const elements = segment.trim().split(element);
    if (elements[0] === 'BSN') return elements[2];
  }
  return undefined;
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

  const missing: string[] = [];
  const outOfOrder: string[] = [];

  const orders: OrderRow[] = await db('orders').select('id', 'partner_id', 'external_ref', 'status', 'channel').orderBy('created_at');
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
  // An order that failed after it was acknowledged has a second acknowledgment: the replacement that refuses what will not come.
  const acknowledgments = (orderId: string): number => (acceptedOrders.some((o) => o.id === orderId && o.status === 'failed') ? 2 : 1);
  const tasks: TaskRow[] = await db('tasks')
    .select('id', 'order_id', 'task_key', 'type', 'line_number', 'person', 'vendor_id', 'status')
    .orderBy(['order_id', 'position']);
  if (tasksDone) {
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
  for (const row of answerEvents) {
    const allowed = row.type === 'order.acknowledged.v1' ? acknowledgments(row.correlation_id) : 1;
    if (countOf(row) > allowed) duplicated.push(`${name(row.correlation_id)}: ${countOf(row)} × ${row.type} in the outbox`);
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

  // Documents for the partner: one 855 / ConfirmationRequest (two for an order failed after it) and one 810 per order; no more ship notices than shipments.
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
    if (['855', '810', 'ConfirmationRequest'].includes(row.type) && n > (row.type === '810' ? 1 : acknowledgments(row.order_id)))
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

  // Missing effects, for the accepted orders.
  const uniqueAccepted = acceptedOrders.filter((order, i, all) => all.findIndex((o) => o.id === order.id) === i);
  const taskById = new Map(tasks.map((task) => [task.id, task]));
  const lineStatus = new Map(
    (
      (await db('order_lines').select('order_id', 'line_number', 'status')) as { order_id: string; line_number: string; status: string }[]
    ).map((row) => [`${row.order_id} ${row.line_number}`, row.status]),
  );
  const shipmentRows: ShipmentRow[] = await db('shipments')
    .select('id', 'order_id', 'task_id', 'vendor_id', 'vendor_shipment_id', 'reported')
    .orderBy(['order_id', 'created_at', 'id']);
  const shipmentsOfTask = new Map<string, number>();
  for (const row of shipmentRows) shipmentsOfTask.set(row.task_id, (shipmentsOfTask.get(row.task_id) ?? 0) + 1);

  // Each ship task done has its shipment (unless its line was rejected or cancelled: nothing ships).
  let shipTasks = 0;
  for (const task of tasks) {
    if (!acceptedIds.has(task.order_id) || task.type !== 'ship' || task.person || task.vendor_id === null || task.status !== 'done')
      continue;
    const line = lineStatus.get(`${task.order_id} ${task.line_number}`);
    if (line === 'rejected' || line === 'cancelled') continue;
    shipTasks += 1;
    if ((shipmentsOfTask.get(task.id) ?? 0) === 0)
      missing.push(
        `${name(task.order_id)}: ship task ${task.task_key} (vendor ${task.vendor_id}, line ${task.line_number}) is done without a shipment`,
      );
  }

  // Each shipment has its answers: the event for every partner, the document for X12 and cXML.
  const shippedCount = new Map(shippedEvents.map((row) => [`${row.correlation_id} ${row.shipment_id ?? ''}`, countOf(row)]));
  const outbound: DocumentRow[] = await db('documents')
    .where({ direction: 'outbound' })
    .whereNotNull('order_id')
    .whereIn('type', ['855', '856', '810', 'ConfirmationRequest', 'ShipNoticeRequest'])
    .select(
      'id',
      'order_id',
      'type',
      'created_at',
      'control',
      db.raw(`CASE WHEN type IN ('856', 'ShipNoticeRequest') THEN body END AS body`),
    )
    .orderBy(['order_id', 'created_at', 'id']);
  const documentsOf = new Map<string, DocumentRow[]>();
  const noticeCount = new Map<string, number>();
  for (const doc of outbound) {
    documentsOf.set(doc.order_id, [...(documentsOf.get(doc.order_id) ?? []), doc]);
    if (doc.body !== null) {
      const key = `${doc.order_id} ${shipmentIdOf(doc.type, doc.body) ?? '?'}`;
      noticeCount.set(key, (noticeCount.get(key) ?? 0) + 1);
    }
  }
  const afterInvoice = new Set(
    (
      (await db('order_events')
        .where({ cause: 'shipment.after-invoice' })
        .select('order_id', db.raw(`detail->>'taskId' AS task_id`), db.raw(`detail->>'shipmentId' AS shipment_id`))) as {
        order_id: string;
        task_id: string;
        shipment_id: string;
      }[]
    ).map((row) => `${row.order_id} ${row.task_id} ${row.shipment_id}`),
  );
  const orderOf = new Map(uniqueAccepted.map((order) => [order.id, order]));
  const expectedAnswers = new Map<string, ShipmentRow[]>();
  let shipmentCount = 0;
  for (const row of shipmentRows) {
    const order = orderOf.get(row.order_id);
    if (order === undefined) continue;
    shipmentCount += 1;
    if (afterInvoice.has(`${row.order_id} ${row.task_id} ${row.vendor_shipment_id}`)) continue;
    // Held until the acknowledgment goes out: not due yet while the order is open.
    if (!row.reported && !invoicedStatuses.includes(order.status)) continue;
    const key = `${row.order_id} ${row.vendor_shipment_id}`;
    expectedAnswers.set(key, [...(expectedAnswers.get(key) ?? []), row]);
  }
  for (const [key, rows] of expectedAnswers) {
    const first = rows[0] as ShipmentRow;
    const order = orderOf.get(first.order_id) as OrderRow;
    const what = `shipment ${first.vendor_shipment_id} of ${first.vendor_id} (task ${taskById.get(first.task_id)?.task_key ?? first.task_id})`;
    const held = rows.some((row) => !row.reported) ? ', still held as unreported' : '';
    const events = shippedCount.get(key) ?? 0;
    if (events < rows.length) missing.push(`${name(order.id)}: ${what} has ${events} of ${rows.length} order.shipped.v1 event(s)${held}`);
    const documentType = order.channel === 'x12' ? '856' : order.channel === 'cxml' ? 'ShipNoticeRequest' : undefined;
    const notices = noticeCount.get(key) ?? 0;
    if (documentType !== undefined && notices < rows.length)
      missing.push(`${name(order.id)}: ${what} has ${notices} of ${rows.length} ${documentType} document(s)${held}`);
  }

  // One acknowledgment and one invoice per order ready for billing, in each form its partner gets.
  let billed = 0;
  for (const order of uniqueAccepted) {
    if (!invoicedStatuses.includes(order.status)) continue;
    billed += 1;
    const docs = documentsOf.get(order.id) ?? [];
    const has = (type: string) => docs.some((doc) => doc.type === type);
    const expected: [string, boolean][] = [
      ['order.acknowledged.v1 event', (eventCount.get(`${order.id} order.acknowledged.v1`) ?? 0) > 0],
      ['order.ready-for-billing.v1 event', (eventCount.get(`${order.id} order.ready-for-billing.v1`) ?? 0) > 0],
    ];
    if (order.channel === 'x12') expected.push(['855', has('855')], ['810', has('810')]);
    if (order.channel === 'cxml') expected.push(['ConfirmationRequest', has('ConfirmationRequest')]);
    for (const [what, found] of expected) if (!found) missing.push(`${name(order.id)}: ${order.status}, but no ${what}`);
  }

  // An X12 partner gets the 855, then the 856s, then the 810.
  let x12Sequences = 0;
  for (const order of uniqueAccepted) {
    if (order.channel !== 'x12') continue;
    const docs = (documentsOf.get(order.id) ?? []).filter((doc) => ['855', '856', '810'].includes(doc.type));
    if (docs.length < 2) continue;
    x12Sequences += 1;
    const isa = (doc: DocumentRow): number | undefined => {
      const value = doc.control?.isaControlNumber;
      return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
    };
    const byControl = docs.every((doc) => isa(doc) !== undefined);
    const label = (doc: DocumentRow) =>
      `${doc.type} (${byControl ? `ISA ${String(doc.control?.isaControlNumber)}` : `${doc.created_at.toISOString()} ${doc.id}`})`;
    const sorted = [...docs].sort((a, b) =>
      byControl
        ? (isa(a) as number) - (isa(b) as number)
        : a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    const rank = (type: string) => ['855', '856', '810'].indexOf(type);
    for (let i = 1; i < sorted.length; i += 1) {
      const earlier = sorted.slice(0, i).find((doc) => rank(doc.type) > rank((sorted[i] as DocumentRow).type));
      if (earlier !== undefined) outOfOrder.push(`${name(order.id)}: ${label(sorted[i] as DocumentRow)} after ${label(earlier)}`);
    }
  }

  return {
    lost,
    duplicated,
    unexpected,
    missing,
    outOfOrder,
    counts: { stored: orders.length, accepted: submissions.size, shipTasks, shipments: shipmentCount, billed, x12Sequences },
  };
}

/** One line for the test's log: the counts and how many entries each list has. */
export function describeLedger(report: LedgerReport): string {
  const { counts } = report;
  return (
    `ledger: ${counts.accepted} accepted, ${counts.stored} stored; ${report.lost.length} lost, ${report.duplicated.length} duplicated, ` +
    `${report.unexpected.length} unexpected, ${report.missing.length} missing, ${report.outOfOrder.length} out of order ` +
    `(checked: ${counts.shipTasks} ship tasks, ${counts.shipments} shipments, ${counts.billed} acknowledgments and invoices, ` +
    `${counts.x12Sequences} X12 document sequences)`
  );
}
