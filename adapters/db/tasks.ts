import type { Knex } from 'knex';
import type { TaskState } from '../../domain/fulfillment-progress.ts';
import type { Database } from './connect.ts';
import { taskState, type TaskRow } from './fulfillment-store.ts';
import type { Viewer } from './order-queries.ts';

/** A task as the API shows it: its state without the retry count, and the order it belongs to. */
export type TaskView = Omit<TaskState, 'retries'> & { orderId: string };

const toView = (row: TaskRow): TaskView => {
  const { retries: _retries, ...task } = taskState(row);
  return { ...task, orderId: row.order_id };
};

/** In plan order. */
const tasksOfOrder = (db: Knex | Knex.Transaction, orderId: string) =>
  db<TaskRow>('tasks').where({ order_id: orderId }).orderBy('position');

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
