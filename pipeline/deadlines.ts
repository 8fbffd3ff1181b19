import { randomUUID } from 'node:crypto';
import type { StoredOrder } from '../domain/order.ts';
import { deadlineTimer, startsAtShipment, timedDocuments, type DeadlineDocument, type DeadlineTimer } from '../domain/partner-deadlines.ts';
import { deskDefaults, newWorkItem, type NewWorkItem } from '../domain/work-item.ts';
import type { WorkingCalendar } from '../domain/working-calendar.ts';
import type { DeadlineRecord, OrderStore, StoreTransaction } from './ports.ts';

// A partner's deadlines as timers on its orders: set in the transaction that stores the order (855,
// 810, 997: the clock runs from receipt) or its first shipment (856: from when the goods leave, as
// retail ASN programs measure it), met in the transaction that stores the document, warned and
// missed by the escalation job through runDeadlineTimers.

/** The working calendars deadlines count in, by id (app/compose.ts startCalendars). */
export type Calendars = ReadonlyMap<string, WorkingCalendar>;

const actor = 'ordergate';

type OrderTimer = DeadlineTimer & { orderId: string; partnerId: string };

/** A timer that cannot be set (its calendar is no longer loaded) is noted in the order's history rather than failing the order. */
async function setTimers(
  tx: StoreTransaction,
  orders: readonly Pick<StoredOrder, 'id' | 'partnerId' | 'channel'>[],
  startedAt: (order: Pick<StoredOrder, 'id'>) => Date,
  wanted: (document: DeadlineDocument) => boolean,
  calendars: Calendars,
): Promise<void> {
  const timed = orders.filter((order) => (timedDocuments[order.channel] ?? []).some(wanted));
  if (timed.length === 0) return;
  const deadlines = await tx.partnerDeadlines(timed.map((order) => order.partnerId));
  const timers: OrderTimer[] = [];
  for (const order of timed) {
    const documents = timedDocuments[order.channel] ?? [];
    for (const deadline of deadlines.get(order.partnerId) ?? []) {
      if (!wanted(deadline.document) || !documents.includes(deadline.document)) continue;
      const timer = deadlineTimer(deadline, startedAt(order), calendars);
      if (typeof timer === 'string')
        await tx.noteEvent(order.id, 'deadline.not-started', actor, { document: deadline.document, problem: timer });
      else timers.push({ ...timer, orderId: order.id, partnerId: order.partnerId });
    }
  }
  await tx.startDeadlines(timers);
}

/** The timers that run from receipt (855, 810, 997), for orders just stored; their clocks start at the order's received time. */
export function startReceiptDeadlines(tx: StoreTransaction, orders: readonly StoredOrder[], calendars: Calendars): Promise<void> {
  const received = new Map(orders.map((order) => [order.id, new Date(order.createdAt)]));
  return setTimers(
    tx,
    orders,
    (order) => received.get(order.id) as Date,
    (document) => !startsAtShipment(document),
    calendars,
  );
}

/** The 856 timer, from when the order's first shipment left (`shippedAt`, as the vendor reports it); later shipments keep it. */
export function startShipmentDeadline(
  tx: StoreTransaction,
  order: Pick<StoredOrder, 'id' | 'partnerId' | 'channel'>,
  shippedAt: Date,
  calendars: Calendars,
): Promise<void> {
  return setTimers(tx, [order], () => shippedAt, startsAtShipment, calendars);
}

/** How many timers one run warns and misses at most, each; a full batch runs again at once. */
export const deadlineBatch = 200;

export interface DeadlineRun {
  /** Timers that reached their warning point in this run (deadline.jeopardy noted on each order). */
  warned: DeadlineRecord[];
  /** Timers that ran out in this run (deadline.missed noted): the order desk's work. */
  missed: DeadlineRecord[];
  /** A batch was full: there may be more. */
  more: boolean;
}

/**
 * One step of the escalation job: each open timer past its warning point gets `deadline.jeopardy`
 * once; each past its due time, not met, is marked missed with `deadline.missed` once. Rows are
 * claimed FOR UPDATE SKIP LOCKED, so instances running it at once never act on the same timer.
 */
export async function runDeadlineTimers(store: OrderStore, now: Date, limit: number = deadlineBatch): Promise<DeadlineRun> {
  return store.transaction(async (tx) => {
    // First what is no longer owed, so it is neither warned nor missed: a partner charges back no
    // document for an order it cancelled, and no invoice for an order that was never billed.
    const dropped = await tx.dropUnowedDeadlines(now, limit);
    const missed = await tx.missDeadlines(now, limit);
    const warned = await tx.warnDeadlines(now, limit);
    for (const timer of warned) await tx.noteEvent(timer.orderId, 'deadline.jeopardy', actor, eventDetail(timer));
    for (const timer of missed) await tx.noteEvent(timer.orderId, 'deadline.missed', actor, eventDetail(timer));
    // A missed deadline is the order desk's to answer for (the partner will charge it back).
    await tx.openWorkItems(missed.map((timer) => missedItem(timer, now)));
    return { warned, missed, more: dropped === limit || warned.length === limit || missed.length === limit };
  });
}

function missedItem(timer: DeadlineRecord, now: Date): NewWorkItem {
  const desk = deskDefaults['deadline-missed'];
  return newWorkItem(
    {
      id: randomUUID(),
      kind: 'deadline-missed',
      sourceId: String(timer.id),
      orderId: timer.orderId,
      partnerId: timer.partnerId,
      title: `${timer.document} for the order was due to the partner by ${timer.dueAt.toISOString()} and was not sent`,
      assignees: [{ role: desk.role }],
      sla: desk.sla,
    },
    now,
  );
}

const eventDetail = (timer: DeadlineRecord): Record<string, unknown> => ({
  deadlineId: timer.id,
  document: timer.document,
  within: timer.within,
  ...(timer.calendar === null ? {} : { calendar: timer.calendar }),
  startedAt: timer.startedAt.toISOString(),
  dueAt: timer.dueAt.toISOString(),
});
