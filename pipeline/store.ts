import type { CanonicalOrder, Channel, StoredOrder } from '../domain/order.ts';
import { orderReceived } from '../domain/partner-events.ts';
import { holdForApproval } from './approvals.ts';
import { startReceiptDeadlines } from './deadlines.ts';
import { decomposeOrders } from './decompose.ts';
import { levelStartOf, resolveOrderItems, settleUnresolved, type PlanningDeps } from './item-resolution.ts';
import type { StoreTransaction } from './ports.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** Who sent orders, and how; the same for every order of an interchange. */
export interface ReceivedFrom {
  partnerId: string;
  actor: string;
  channel: Channel;
  flagReusedRef?: boolean;
}

/** One order to store, who sent it, its id when chosen before (a set's idempotency answer names it) and facts for its first event. */
export interface ReceivedOrder {
  from: ReceivedFrom;
  orderId?: string;
  order: CanonicalOrder;
  eventDetail?: Record<string, unknown>;
}

/**
 * Orders as received, from any senders: their items resolved to SKUs, their rows, first events and
 * the outbox messages that announce them, then their decomposition (or, with items that do not
 * resolve, a hold). Every channel stores through here, so every order gets its plan decision; their
 * rows go in with one statement and their plans with another, however many there are and whoever
 * sent them. The stored orders in the same order.
 */
export async function insertReceivedOrders(
  tx: StoreTransaction,
  orders: readonly ReceivedOrder[],
  planning: PlanningDeps,
): Promise<StoredOrder[]> {
  const resolved = await resolvedPerPartner(tx, orders, planning);
  const stored = await tx.insertOrders(
    orders.map(({ from, orderId, eventDetail }, index) => {
      const items = resolved[index] as (typeof resolved)[number];
      const detail = items.resolved.length === 0 ? eventDetail : { ...eventDetail, resolvedItems: items.resolved };
      return {
        ...(orderId === undefined ? {} : { id: orderId }),
        partnerId: from.partnerId,
        order: items.order,
        actor: from.actor,
        cause: `${from.channel}.received`,
        ...(detail === undefined ? {} : { eventDetail: detail }),
        ...(from.flagReusedRef === undefined ? {} : { flagReusedRef: from.flagReusedRef }),
      };
    }),
  );
  for (const order of stored) await tx.enqueue(orderReceived(order));
  await startReceiptDeadlines(tx, stored, planning.calendars ?? new Map());
  const results: StoredOrder[] = [];
  const toPlan: number[] = [];
  for (const [index, order] of stored.entries()) {
    const { unresolved } = resolved[index] as (typeof resolved)[number];
    results.push(order);
    if (unresolved.length > 0) {
      results[index] = await settleUnresolved(tx, order, unresolved, planning);
      continue;
    }
    const need = planning.approvals === undefined ? undefined : await planning.approvals.gate(tx, order);
    if (need?.required === true)
      results[index] = await holdForApproval(tx, order, need, levelStartOf(planning), planning.clock?.() ?? new Date());
    else toPlan.push(index);
  }
  const planned = await decomposeOrders(
    tx,
    toPlan.map((index) => stored[index] as StoredOrder),
    planning.catalog,
    planning.clock === undefined ? {} : { now: planning.clock() },
  );
  toPlan.forEach((index, n) => {
    results[index] = planned[n] as StoredOrder;
  });
  return results;
}

/** Item resolution for orders of any partners: one read of cross-references per partner; results in the orders' order. */
async function resolvedPerPartner(
  tx: StoreTransaction,
  orders: readonly ReceivedOrder[],
  planning: PlanningDeps,
): Promise<Awaited<ReturnType<typeof resolveOrderItems<CanonicalOrder>>>> {
  const byPartner = new Map<string, number[]>();
  orders.forEach(({ from }, index) => {
    const indexes = byPartner.get(from.partnerId);
    if (indexes === undefined) byPartner.set(from.partnerId, [index]);
    else indexes.push(index);
  });
  const resolved: Awaited<ReturnType<typeof resolveOrderItems<CanonicalOrder>>> = [];
  for (const [partnerId, indexes] of byPartner) {
    const results = await resolveOrderItems(
      tx,
      partnerId,
      indexes.map((index) => (orders[index] as ReceivedOrder).order),
      planning.catalog,
    );
    indexes.forEach((index, n) => {
      resolved[index] = results[n] as (typeof results)[number];
    });
  }
  return resolved;
}
