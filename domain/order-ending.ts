import type { FulfillmentCancel } from './fulfillment-request.ts';
import { taskMachine, type TaskStatus } from './task-status.ts';

// What ending an order (cancelled, or failed for good) does to its open work. Pure: the caller
// reads the work in the transaction that ends the order and writes what comes back.

/** An order's work as it stands when the order ends. */
export interface OpenWork {
  orderId: string;
  tasks: { id: string; vendorId: string | null; person: boolean; status: TaskStatus }[];
  /** The outbox ids of its fulfillment requests not sent yet. */
  unsentRequests: string[];
}

export type OrderEnd = { kind: 'cancelled' } | { kind: 'failed'; cause: string };

export interface WorkEnding {
  /** Every task not finished: no one is to start or go on with it. */
  cancelTasks: string[];
  /** One per task a vendor has in hand and has not finished; the other vendors never hear of the order again. */
  cancels: FulfillmentCancel[];
  /** Requests not handed out yet: dropped, so no vendor starts work nobody wants. */
  dropRequests: string[];
  reason: string;
}

/** The vendor has the task and has not finished it. */
const inHand: readonly TaskStatus[] = ['dispatched', 'acknowledged', 'in_progress'];

export function endWork(work: OpenWork, end: OrderEnd, at: Date): WorkEnding {
  const reason = end.kind === 'cancelled' ? 'order cancelled' : `order failed: ${end.cause}`;
  const cancelledAt = at.toISOString();
  return {
    cancelTasks: work.tasks.filter((task) => !taskMachine.isTerminal(task.status)).map((task) => task.id),
    cancels: work.tasks.flatMap((task) =>
      !task.person && task.vendorId !== null && inHand.includes(task.status)
        ? [{ taskId: task.id, orderId: work.orderId, vendorId: task.vendorId, cancelledAt, reason }]
        : [],
    ),
    dropRequests: work.unsentRequests,
    reason,
  };
}
