import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { fulfillmentRequestType, taskNameOf, vendorDestination, type FulfillmentRequest } from '../../domain/fulfillment-request.ts';
import { assertTaskTransition, unblock, type TaskStatus } from '../../domain/task-status.ts';
import type { Database } from './connect.ts';
import type { Viewer } from './order-queries.ts';

export interface TaskView {
  id: string;
  orderId: string;
  key: string;
  type: string;
  vendorId: string | null;
  person: boolean;
  dependsOn: string[];
  lineNumber: string;
  bundleLineNumber: string | null;
  status: TaskStatus;
  dueAt: string;
}

interface TaskRow {
  id: string;
  order_id: string;
  task_key: string;
  line_id: string | null;
  line_number: string;
  bundle_line_number: string | null;
  type: string;
  vendor_id: string | null;
  person: boolean;
  depends_on: string[];
  due_at: Date | string;
  status: TaskStatus;
}

const toView = (row: TaskRow): TaskView => ({
  id: row.id,
  orderId: row.order_id,
  key: row.task_key,
  type: row.type,
  vendorId: row.vendor_id,
  person: row.person,
  dependsOn: row.depends_on,
  lineNumber: row.line_number,
  bundleLineNumber: row.bundle_line_number,
  status: row.status,
  dueAt: new Date(row.due_at).toISOString(),
});

/** In plan order. */
const tasksOfOrder = (db: Knex | Knex.Transaction, orderId: string) => db<TaskRow>('tasks').where({ order_id: orderId }).orderBy('position');

/** The order's tasks, or undefined when the viewer may not see the order. */
export async function listTasks(db: Database, orderId: string, viewer: Viewer): Promise<TaskView[] | undefined> {
  const order = db('orders').where({ id: orderId });
  if (viewer.partnerId !== null) order.andWhere({ partner_id: viewer.partnerId });
  if ((await order.first('id')) === undefined) return undefined;
  return (await tasksOfOrder(db, orderId)).map(toView);
}

export type TaskCompletion = { kind: 'done'; task: TaskView } | { kind: 'not-found' } | { kind: 'refused'; status: TaskStatus; person: boolean };

/** The steps from an open state to done: a person who completes a task has taken it and done it. */
const pathToDone: Partial<Record<TaskStatus, TaskStatus[]>> = {
  ready: ['dispatched', 'acknowledged', 'done'],
  dispatched: ['acknowledged', 'done'],
  acknowledged: ['done'],
  in_progress: ['done'],
};

async function requestFor(trx: Knex.Transaction, row: TaskRow, vendorId: string): Promise<FulfillmentRequest> {
  const line = row.line_id === null ? undefined : await trx('order_lines').where({ id: row.line_id }).first('sku', 'quantity');
  return {
    taskId: row.id,
    orderId: row.order_id,
    vendorId,
    taskType: row.type,
    taskName: taskNameOf(row.task_key),
    lineNumber: row.line_number,
    bundleLineNumber: row.bundle_line_number,
    sku: line?.sku ?? null,
    quantity: line === undefined ? null : Number(line.quantity),
    dueAt: new Date(row.due_at).toISOString(),
  };
}

/**
 * A person's task done, then every blocked task of the order whose dependencies are all done made
 * ready, with a fulfillment request for each vendor one: one transaction, so a task is never
 * unblocked without its request, nor a request sent for a task still blocked.
 */
export async function completePersonTask(db: Database, taskId: string, viewer: Viewer): Promise<TaskCompletion> {
  return db.transaction(async (trx): Promise<TaskCompletion> => {
    const query = trx<TaskRow>('tasks').select('tasks.*').join('orders', 'orders.id', 'tasks.order_id').where('tasks.id', taskId).forUpdate();
    if (viewer.partnerId !== null) query.andWhere('orders.partner_id', viewer.partnerId);
    const task = (await query.first()) as TaskRow | undefined;
    if (task === undefined) return { kind: 'not-found' };
    const tasks = await tasksOfOrder(trx, task.order_id).forUpdate();
    // Blocked is derived from the dependencies: one whose dependencies are all done counts as ready
    // (the step that frees it may not have run yet, e.g. when a dependency was finished by hand).
    const done = new Set(tasks.filter((row) => row.status === 'done').map((row) => row.task_key));
    const freedAlready = task.status === 'blocked' && task.depends_on.every((key) => done.has(key));
    const path = freedAlready ? ['ready' as const, ...(pathToDone.ready ?? [])] : pathToDone[task.status];
    if (!task.person || path === undefined) return { kind: 'refused', status: task.status, person: task.person };
    path.reduce((from, to) => assertTaskTransition(from, to), freedAlready ? 'blocked' : task.status);
    await trx('tasks').where({ id: task.id }).update({ status: 'done', updated_at: trx.fn.now() });

    const statuses = new Map(tasks.map((row) => [row.task_key, row.id === task.id ? 'done' : row.status] as const));
    const freed = new Set(unblock({ tasks: tasks.map((row) => ({ key: row.task_key, dependsOn: row.depends_on })) }, statuses));
    for (const row of tasks.filter((candidate) => freed.has(candidate.task_key))) {
      await trx('tasks').where({ id: row.id }).update({ status: assertTaskTransition('blocked', 'ready'), updated_at: trx.fn.now() });
      if (row.vendor_id === null || row.person) continue;
      await trx('outbox').insert({
        message_id: randomUUID(),
        type: fulfillmentRequestType,
        correlation_id: row.order_id,
        destination: vendorDestination(row.vendor_id),
        headers: JSON.stringify({}),
        payload: JSON.stringify(await requestFor(trx, row, row.vendor_id)),
      });
    }
    return { kind: 'done', task: toView({ ...task, status: 'done' }) };
  });
}
