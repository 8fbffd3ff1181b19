import type { Catalog } from '../domain/catalog.ts';
import { fulfillmentRequest, linesByNumber } from '../domain/fulfillment-request.ts';
import type { StoredOrder } from '../domain/order.ts';
import { planOrder, type PlannedTask } from '../domain/plan.ts';
import type { OrderStatus } from '../domain/order-status.ts';
import { initialTaskStatus } from '../domain/task-status.ts';
import { requestMessage } from '../domain/vendor-messages.ts';
import { personTaskItem } from '../domain/work-item.ts';
import { slaTimes } from '../domain/working-calendar.ts';
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
  const [decomposed] = await decomposeOrders(tx, [order], catalog, options);
  return decomposed as StoredOrder;
}

/** decompose for many orders (the sets of one interchange), their plans stored in one statement; the orders in the same order. */
export async function decomposeOrders(
  tx: StoreTransaction,
  orders: readonly StoredOrder[],
  catalog: Catalog,
  options: { from?: OrderStatus; skip?: ReadonlySet<string>; now?: Date } = {},
): Promise<StoredOrder[]> {
  const { from = 'received', skip, now = new Date() } = options;
  const results: StoredOrder[] = [];
  const planned: { index: number; order: StoredOrder; tasks: NewTask[] }[] = [];
  for (const order of orders) {
    const plan = planOrder(skip === undefined ? order : { lines: order.lines.filter((line) => !skip.has(line.lineNumber)) }, catalog);
    if (!plan.ok) {
      const { updatedAt } = await tx.changeStatus(order.id, from, 'failed', 'order.decomposition-failed', actor, {
        problems: plan.error,
      });
      results.push({ ...order, status: 'failed', updatedAt });
      continue;
    }
    planned.push({ index: results.length, order, tasks: newTasks(order, plan.value.tasks, now) });
    results.push(order);
  }
  const stored = await tx.storePlans(
    planned.map(({ order, tasks }) => ({
      orderId: order.id,
      tasks,
      change: { from, to: 'decomposed', cause: 'order.decomposed', actor, detail: { tasks: tasks.length } },
    })),
  );
  for (const [n, { index, order, tasks }] of planned.entries()) {
    const { ids, updatedAt } = stored[n] as { ids: string[]; updatedAt: string };
    await enqueueRequests(tx, order, tasks, ids);
    await tx.openWorkItems(
      tasks.flatMap((task, i) =>
        task.person && task.status === 'ready' ? [personTaskItem({ ...task, id: ids[i] as string }, order, now)] : [],
      ),
    );
    results[index] = { ...order, status: 'decomposed', updatedAt };
  }
  return results;
}

function newTasks(order: StoredOrder, planned: PlannedTask[], now: Date): NewTask[] {
  const lines = new Map(order.lines.map((line) => [line.lineNumber, line]));
  return planned.map((task) => ({
    key: task.key,
    ...(lines.get(task.lineNumber) === undefined ? {} : { lineId: lines.get(task.lineNumber)?.id as string }),
    lineNumber: task.lineNumber,
    ...(task.bundleLineNumber === undefined ? {} : { bundleLineNumber: task.bundleLineNumber }),
    type: task.type,
    ...(task.vendor === undefined ? {} : { vendorId: task.vendor }),
    person: task.person,
    dependsOn: task.dependsOn,
    slaMinutes: task.slaMinutes,
    // On a calendar the due time counts working hours; slaTimes reads the same durations the catalog checked.
    dueAt:
      task.calendar === undefined
        ? new Date(now.getTime() + task.slaMinutes * 60_000)
        : (slaTimes(now, task.sla, task.calendar)?.dueAt ?? new Date(now.getTime() + task.slaMinutes * 60_000)),
    ...(task.role === undefined ? {} : { role: task.role }),
    status: initialTaskStatus(task),
  }));
}

/** One fulfillment request per ready vendor task; a person's task goes on a task list, not to a queue. */
async function enqueueRequests(tx: StoreTransaction, order: StoredOrder, tasks: NewTask[], ids: string[]): Promise<void> {
  const lines = linesByNumber(order);
  for (const [index, task] of tasks.entries()) {
    if (task.status !== 'ready' || task.vendorId === undefined) continue;
    const request = fulfillmentRequest(
      order,
      {
        ...task,
        id: ids[index] as string,
        vendorId: task.vendorId,
        bundleLineNumber: task.bundleLineNumber ?? null,
        dueAt: task.dueAt.toISOString(),
      },
      lines,
    );
    await tx.enqueue(requestMessage(request));
  }
}
