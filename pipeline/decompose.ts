import type { Catalog } from '../domain/catalog.ts';
import { fulfillmentRequest } from '../domain/fulfillment-request.ts';
import type { StoredOrder } from '../domain/order.ts';
import { planOrder } from '../domain/plan.ts';
import type { OrderStatus } from '../domain/order-status.ts';
import { initialTaskStatus } from '../domain/task-status.ts';
import { requestMessage } from '../domain/vendor-messages.ts';
import type { NewTask, StoreTransaction } from './ports.ts';

/** The gateway itself decides the plan; no person or partner did. */
const actor = 'gateway';

/**
 * Decompose stage: plans a just-stored (or just-resumed) order with the catalog, leaving out the
 * lines in `skip` (refused before any work), in the transaction that stored it,
 * so an order is never stored without its plan decision. Success: tasks stored, order decomposed,
 * one fulfillment request per ready vendor task. Failure: order failed with the problems in its
 * history, so nobody waits on an order that can never move.
 */
export async function decompose(
  tx: StoreTransaction,
  order: StoredOrder,
  catalog: Catalog,
  options: { from?: OrderStatus; skip?: ReadonlySet<string>; now?: Date } = {},
): Promise<StoredOrder> {
  const { from = 'received', skip, now = new Date() } = options;
  const plan = planOrder(skip === undefined ? order : { lines: order.lines.filter((line) => !skip.has(line.lineNumber)) }, catalog);
  if (!plan.ok) {
    const { updatedAt } = await tx.changeStatus(order.id, from, 'failed', 'order.decomposition-failed', actor, {
      problems: plan.error,
    });
    return { ...order, status: 'failed', updatedAt };
  }
  const lines = new Map(order.lines.map((line) => [line.lineNumber, line]));
  const tasks: NewTask[] = plan.value.tasks.map((task) => ({
    key: task.key,
    ...(lines.get(task.lineNumber) === undefined ? {} : { lineId: lines.get(task.lineNumber)?.id as string }),
    lineNumber: task.lineNumber,
    ...(task.bundleLineNumber === undefined ? {} : { bundleLineNumber: task.bundleLineNumber }),
    type: task.type,
    ...(task.vendor === undefined ? {} : { vendorId: task.vendor }),
    person: task.person,
    dependsOn: task.dependsOn,
    slaMinutes: task.slaMinutes,
    dueAt: new Date(now.getTime() + task.slaMinutes * 60_000),
    status: initialTaskStatus(task),
  }));
  const { ids, updatedAt } = await tx.storePlan(order.id, tasks, {
    from,
    to: 'decomposed',
    cause: 'order.decomposed',
    actor,
    detail: { tasks: tasks.length },
  });
  for (const [index, task] of tasks.entries()) {
    // A person's task goes on a task list, not to a queue.
    if (task.status !== 'ready' || task.vendorId === undefined) continue;
    const request = fulfillmentRequest(order, {
      ...task,
      id: ids[index] as string,
      vendorId: task.vendorId,
      bundleLineNumber: task.bundleLineNumber ?? null,
      dueAt: task.dueAt.toISOString(),
    });
    await tx.enqueue(requestMessage(request));
  }
  return { ...order, status: 'decomposed', updatedAt };
}
