import type { Knex } from 'knex';
import type { TaskStatus } from '../../domain/task-status.ts';
import type { Database } from './connect.ts';
import type { TaskRow } from './fulfillment-store.ts';
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

/** One task, or undefined when it does not exist or the viewer may not see its order. */
export async function findTask(db: Database, taskId: string, viewer: Viewer): Promise<TaskView | undefined> {
  const query = db<TaskRow>('tasks').select('tasks.*').join('orders', 'orders.id', 'tasks.order_id').where('tasks.id', taskId);
  if (viewer.partnerId !== null) query.andWhere('orders.partner_id', viewer.partnerId);
  const row = (await query.first()) as TaskRow | undefined;
  return row === undefined ? undefined : toView(row);
}
