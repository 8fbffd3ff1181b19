import { canCancel, type OrderStatus } from '../domain/order-status.ts';
import type { StoredOrder } from '../domain/order.ts';
import { orderCancelled } from '../domain/partner-events.ts';
import { endOpenWork } from './end-order.ts';
import type { OrderStore } from './ports.ts';

export interface CancelRequest {
  orderId: string;
  /** Whose order it must be; null for the admin, who may cancel any. */
  partnerId: string | null;
  actor: string;
  reason?: string;
}

export type CancelOutcome = { kind: 'cancelled'; order: StoredOrder } | { kind: 'not-found' } | { kind: 'refused'; status: OrderStatus };

/**
 * Cancels an order, in one transaction: the order locked, the state machine asked, its open work
 * ended, the move with its history event, and the partner's `order.cancelled.v1`.
 */
export async function cancelOrder(store: OrderStore, request: CancelRequest, at: Date = new Date()): Promise<CancelOutcome> {
  return store.transaction(async (tx): Promise<CancelOutcome> => {
    const order = await tx.lockOrder(request.orderId, request.partnerId);
    if (order === undefined) return { kind: 'not-found' };
    const from = order.status;
    if (!canCancel(from)) return { kind: 'refused', status: from };
    await endOpenWork(tx, order.id, { kind: 'cancelled' }, at);
    // An approval still waiting has nothing left to decide.
    const approval = await tx.pendingApprovalOf(order.id);
    if (approval !== undefined) await tx.updateApproval(approval.id, { status: 'cancelled', decided: true });
    const { updatedAt } = await tx.changeStatus(
      order.id,
      from,
      'cancelled',
      'cancel.requested',
      request.actor,
      request.reason === undefined ? {} : { reason: request.reason },
    );
    await tx.enqueue(orderCancelled(order, from));
    return { kind: 'cancelled', order: { ...order, status: 'cancelled', updatedAt } };
  });
}
