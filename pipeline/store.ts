import type { CanonicalOrder, Channel, StoredOrder } from '../domain/order.ts';
import { orderReceived } from '../domain/partner-events.ts';
import { decompose } from './decompose.ts';
import { resolveOrderItems, settleUnresolved, type PlanningDeps } from './item-resolution.ts';
import type { StoreTransaction } from './ports.ts';
import type { Received } from './receive.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * An order as received: its items resolved to SKUs, its rows, first event and the outbox message
 * that announces it, then its decomposition (or, with items that do not resolve, its hold). Every channel stores through here, so every order gets its plan decision.
 */
export async function insertReceivedOrder(
  tx: StoreTransaction,
  from: {
    orderId?: string;
    partnerId: string;
    actor: string;
    channel: Channel;
    eventDetail?: Record<string, unknown>;
    flagReusedRef?: boolean;
  },
  order: CanonicalOrder,
  planning: PlanningDeps,
): Promise<StoredOrder> {
  const items = await resolveOrderItems(tx, from.partnerId, order, planning.catalog);
  const eventDetail = items.resolved.length === 0 ? from.eventDetail : { ...from.eventDetail, resolvedItems: items.resolved };
  const stored = await tx.insertOrder({
    ...(from.orderId === undefined ? {} : { id: from.orderId }),
    partnerId: from.partnerId,
    order: items.order,
    actor: from.actor,
    cause: `${from.channel}.received`,
    ...(eventDetail === undefined ? {} : { eventDetail }),
    ...(from.flagReusedRef === undefined ? {} : { flagReusedRef: from.flagReusedRef }),
  });
  await tx.enqueue(orderReceived(stored));
  if (items.unresolved.length > 0) return settleUnresolved(tx, stored, items.unresolved, planning);
  return decompose(tx, stored, planning.catalog);
}

/**
 * Order, lines, first event, the original document, the outbox message and the idempotency answer:
 * one transaction, so a partner that hears "accepted" can count on all of it.
 */
export async function store<P>(
  tx: StoreTransaction,
  received: Received<P>,
  order: CanonicalOrder,
  planning: PlanningDeps,
  respond: (stored: StoredOrder) => StoredResponse,
): Promise<{ stored: StoredOrder; response: StoredResponse }> {
  const stored = await insertReceivedOrder(tx, received, order, planning);
  await tx.insertDocument(received.partnerId, stored.id, received.document);
  const response = respond(stored);
  await tx.completeIdempotencyKey(received.partnerId, received.dedupe.scope, received.dedupe.key, { ...response, orderId: stored.id });
  return { stored, response };
}
