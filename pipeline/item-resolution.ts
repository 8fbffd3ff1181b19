import type { LineAck } from '../domain/acknowledgment.ts';
import type { Catalog } from '../domain/catalog.ts';
import {
  holdReason,
  partnerItemsToLookUp,
  resolveItems,
  zeroQuantityLines,
  type ItemResolutionResult,
  type UnresolvedItem,
} from '../domain/item-resolution.ts';
import type { CanonicalOrder, StoredOrder } from '../domain/order.ts';
import { orderHeld, orderRejected, orderResumed } from '../domain/partner-events.ts';
import { decompose } from './decompose.ts';
import { closeException, holdForApproval, openException, type ApprovalGate, type LevelNotice, type LevelStart } from './approvals.ts';
import type { Calendars } from './deadlines.ts';
import type { AnswerRenderer } from './fulfillment.ts';
import { writeAnswers } from './partner-answers.ts';
import type { ItemReferenceInput, OrderStore, StoreTransaction } from './ports.ts';

// Items the partner names its own way are resolved to our SKUs before an order is planned. An order
// whose items still do not resolve is never failed: it is held until its cross-references exist, or
// (when the partner chose so) its unresolved lines are refused line by line and the rest goes on.

/** The gateway decides; no person or partner did. */
const actor = 'gateway';

export interface PlanningDeps {
  catalog: Catalog;
  /** Writes the partner's answer when lines are refused before any work (absent: the refusal is in history and events only). */
  renderAnswer?: AnswerRenderer;
  /** The approval policies a stored order passes before it is planned (absent: none; every order is planned at once). */
  approvals?: { gate: ApprovalGate; notice?: LevelNotice };
  /** The time orders are held at and their levels start (tests move it); now when absent. */
  clock?: () => Date;
  /** The working calendars partner deadlines count in (absent: none, so a deadline on a calendar is noted as not started). */
  calendars?: Calendars;
}

/** What a level started while planning needs: who tells its people, the calendars its SLA counts in. */
export const levelStartOf = (planning: PlanningDeps): LevelStart => ({
  ...(planning.approvals?.notice === undefined ? {} : { notice: planning.approvals.notice }),
  ...(planning.calendars === undefined ? {} : { calendars: planning.calendars }),
});

/**
 * Orders of one partner with every line resolved that can be: the partner's cross-references for
 * all of them read in one statement. A line of quantity 0 waits for a person too, whatever its
 * item resolves to (listed once per problem). Each order's result in the same order.
 */
export async function resolveOrderItems<O extends CanonicalOrder>(
  tx: StoreTransaction,
  partnerId: string,
  orders: readonly O[],
  catalog: Catalog,
): Promise<(ItemResolutionResult & { order: O })[]> {
  const values = new Set<string>();
  for (const order of orders) for (const value of partnerItemsToLookUp(order, catalog)) values.add(value);
  const items = values.size === 0 ? new Map<string, string>() : await tx.partnerItems(partnerId, [...values]);
  return orders.map((order) => {
    const result = resolveItems(order, items, catalog) as ItemResolutionResult & { order: O };
    const zero = zeroQuantityLines(order);
    return zero.length === 0 ? result : { ...result, unresolved: [...result.unresolved, ...zero] };
  });
}

const rejection = (order: StoredOrder, lineNumber: string, detail: string): LineAck => {
  const line = order.lines.find((candidate) => candidate.lineNumber === lineNumber);
  return { lineNumber, status: 'rejected', quantity: line?.quantity ?? 0, uom: line?.uom ?? 'EA', note: detail };
};

/**
 * A just-stored order with unresolved lines: held, or those lines refused. When every line is
 * refused the order is rejected and the partner answered at once (an 855 with every line IR, a
 * rejecting confirmation); otherwise the refused lines are in the acknowledgment that the vendors'
 * answers complete, and the resolved lines are planned and sent.
 */
export async function settleUnresolved(
  tx: StoreTransaction,
  order: StoredOrder,
  unresolved: readonly UnresolvedItem[],
  deps: PlanningDeps,
  at: Date = new Date(),
): Promise<StoredOrder> {
  const policy = await tx.unresolvedItemsPolicy(order.partnerId);
  if (policy === 'hold') {
    const reason = holdReason(unresolved);
    const { updatedAt } = await tx.changeStatus(order.id, 'received', 'held', 'order.held', actor, { reason, lines: unresolved });
    await tx.enqueue(orderHeld(order, reason, unresolved));
    const held = { ...order, status: 'held' as const, updatedAt };
    await openException(tx, held, unresolved, levelStartOf(deps), at);
    return held;
  }
  const refusedLines = [...new Set(unresolved.map((item) => item.lineNumber))];
  const acks = refusedLines.map((lineNumber) =>
    rejection(
      order,
      lineNumber,
      unresolved
        .filter((item) => item.lineNumber === lineNumber)
        .map((item) => item.detail)
        .join('; '),
    ),
  );
  await tx.rejectLines(order.id, acks);
  const refused = new Set(refusedLines);
  if (order.lines.some((line) => !refused.has(line.lineNumber))) {
    await tx.noteEvent(order.id, 'order.lines-rejected', actor, { reason: holdReason(unresolved), lines: unresolved });
    return decompose(tx, order, deps.catalog, { skip: refused });
  }
  const reason = holdReason(unresolved);
  const { updatedAt } = await tx.changeStatus(order.id, 'received', 'rejected', 'order.rejected', actor, { reason, lines: unresolved });
  await tx.enqueue(orderRejected(order, reason, unresolved));
  const answer = { kind: 'acknowledgment' as const, ack: { order, lines: acks, ackDate: at.toISOString().slice(0, 10) } };
  // Stored as pending when the partner has an endpoint: the document-pushes job sends it after commit.
  await writeAnswers(tx, deps.renderAnswer, order, [answer], actor, at);
  return { ...order, status: 'rejected', updatedAt };
}

/** How many held orders one call looks at; the rest are resumed by the next change. */
const resumeBatch = 200;

/**
 * Held orders whose items now all resolve move on: their SKUs written, the history and the partner
 * told, planned and sent. Runs in the caller's transaction, after the references changed.
 */
export async function resumeHeldOrders(
  tx: StoreTransaction,
  partnerId: string,
  planning: PlanningDeps,
): Promise<{ resumed: string[]; stillHeld: string[] }> {
  const { catalog } = planning;
  const resumed: string[] = [];
  const stillHeld: string[] = [];
  for (const order of await tx.lockHeldOrders(partnerId, resumeBatch)) {
    const items = (await resolveOrderItems(tx, partnerId, [order], catalog))[0] as ItemResolutionResult & { order: typeof order };
    if (items.unresolved.length > 0) {
      stillHeld.push(order.id);
      continue;
    }
    await tx.setLineSkus(order.id, items.resolved);
    await tx.noteEvent(order.id, 'order.items-resolved', actor, { resolved: items.resolved });
    await tx.enqueue(orderResumed(order, items.resolved));
    await closeException(tx, order.id);
    // Resumed, it passes the approval policies as a new order does.
    const resumedOrder = { ...items.order, status: 'held' as const };
    const need = planning.approvals === undefined ? undefined : await planning.approvals.gate(tx, resumedOrder);
    if (need?.required === true) await holdForApproval(tx, resumedOrder, need, levelStartOf(planning), planning.clock?.() ?? new Date());
    else await decompose(tx, resumedOrder, catalog, { from: 'held' });
    resumed.push(order.id);
  }
  return { resumed, stillHeld };
}

/** Adds or replaces a partner's cross-references, and resumes the held orders they resolve, in one transaction. */
export async function addItemReferences(
  store: OrderStore,
  planning: PlanningDeps,
  partnerId: string,
  references: readonly ItemReferenceInput[],
): Promise<{ stored: number; resumed: string[]; stillHeld: string[] }> {
  return store.transaction(async (tx) => {
    await tx.putItemReferences(partnerId, references);
    return { stored: references.length, ...(await resumeHeldOrders(tx, partnerId, planning)) };
  });
}
