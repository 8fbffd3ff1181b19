import { endWork, type OrderEnd } from '../domain/order-ending.ts';
import { cancelMessage } from '../domain/vendor-messages.ts';
import type { StoreTransaction } from './ports.ts';

/**
 * An order that ends (cancelled, or failed for good) takes its open work with it, its task list items too: the domain
 * decides from the work as it stands, the store writes that, and each vendor with a task in hand
 * is told. Called with the order locked, in the transaction that ends it.
 */
export async function endOpenWork(tx: StoreTransaction, orderId: string, end: OrderEnd, at: Date): Promise<void> {
  const ending = endWork(await tx.openWork(orderId), end, at);
  await tx.endWork(ending);
  // Nobody has anything left to do for it: its items leave every task list.
  await tx.closeWorkItems({ orderId }, { status: 'cancelled', outcome: `order ${end.kind}`, by: 'gateway', at });
  for (const cancel of ending.cancels) await tx.enqueue(cancelMessage(cancel));
}
