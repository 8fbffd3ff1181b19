import type { Catalog } from '../domain/catalog.ts';
import type { CanonicalOrder, Channel, StoredOrder } from '../domain/order.ts';
import { orderReceived } from '../domain/partner-events.ts';
import { decompose } from './decompose.ts';
import type { StoreTransaction } from './ports.ts';
import type { Received } from './receive.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * An order as received: its rows, first event and the outbox message that announces it, then its
 * decomposition. Every channel stores through here, so every order gets its plan decision.
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
  catalog: Catalog,
): Promise<StoredOrder> {
  const stored = await tx.insertOrder({
    ...(from.orderId === undefined ? {} : { id: from.orderId }),
    partnerId: from.partnerId,
    order,
    actor: from.actor,
    cause: `${from.channel}.received`,
    ...(from.eventDetail === undefined ? {} : { eventDetail: from.eventDetail }),
    ...(from.flagReusedRef === undefined ? {} : { flagReusedRef: from.flagReusedRef }),
  });
  await tx.enqueue(orderReceived(stored));
  return decompose(tx, stored, catalog);
}

/**
 * Order, lines, first event, the original document, the outbox message and the idempotency answer:
 * one transaction, so a partner that hears "accepted" can count on all of it.
 */
export async function store<P>(
  tx: StoreTransaction,
  received: Received<P>,
  order: CanonicalOrder,
  catalog: Catalog,
  respond: (stored: StoredOrder) => StoredResponse,
): Promise<{ stored: StoredOrder; response: StoredResponse }> {
  const stored = await insertReceivedOrder(tx, received, order, catalog);
  await tx.insertDocument(received.partnerId, stored.id, received.document);
  const response = respond(stored);
  await tx.completeIdempotencyKey(received.partnerId, received.dedupe.scope, received.dedupe.key, { ...response, orderId: stored.id });
  return { stored, response };
}
