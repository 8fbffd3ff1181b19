import type { CanonicalOrder, StoredOrder } from '../domain/order.ts';
import type { StoreTransaction } from './ports.ts';
import type { Received } from './receive.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * Order, lines, first event, the original document, the outbox message and the idempotency answer:
 * one transaction, so a partner that hears "accepted" can count on all of it.
 */
export async function store<P>(
  tx: StoreTransaction,
  received: Received<P>,
  order: CanonicalOrder,
  respond: (stored: StoredOrder) => StoredResponse,
): Promise<{ stored: StoredOrder; response: StoredResponse }> {
  const stored = await tx.insertOrder({ partnerId: received.partnerId, order, actor: received.actor, cause: `${received.channel}.received` });
  await tx.insertDocument(received.partnerId, stored.id, received.document);
  await tx.enqueue({
    type: 'order.received.v1',
    correlationId: stored.id,
    destination: 'gateway.orders',
    payload: { orderId: stored.id, partnerId: stored.partnerId, channel: stored.channel, externalRef: stored.externalRef },
  });
  const response = respond(stored);
  await tx.completeIdempotencyKey(received.partnerId, received.dedupe.scope, received.dedupe.key, { ...response, orderId: stored.id });
  return { stored, response };
}
