import type { Knex } from 'knex';
import { fulfillmentRequestType } from '../../domain/fulfillment-request.ts';
import type { OpenWork, WorkEnding } from '../../domain/order-ending.ts';
import type { TaskStatus } from '../../domain/task-status.ts';

// An ending order's work read for domain/order-ending.ts, and what it decided written back.

export async function openWork(trx: Knex.Transaction, orderId: string): Promise<OpenWork> {
  const tasks: { id: string; vendor_id: string | null; person: boolean; status: TaskStatus }[] = await trx('tasks')
    .where({ order_id: orderId })
    .orderBy('position')
    .select('id', 'vendor_id', 'person', 'status');
  const unsent: { id: string | number }[] = await trx('outbox')
    .where({ correlation_id: orderId, state: 'pending', type: fulfillmentRequestType })
    .whereNotNull('vendor_id')
    .orderBy('id')
    .select('id');
  return {
    orderId,
    tasks: tasks.map((task) => ({ id: task.id, vendorId: task.vendor_id, person: task.person, status: task.status })),
    unsentRequests: unsent.map((row) => String(row.id)),
  };
}

/**
 * Each write checks the state it was decided on again: a dispatcher (which does not take the
 * order's lock) may have sent a request, or moved its task on, since the work was read.
 */
export async function endWork(trx: Knex.Transaction, ending: WorkEnding): Promise<void> {
  // The ids as one JSON parameter: an order of 50,000 component lines has as many tasks and requests.
  if (ending.cancelTasks.length > 0) {
    await trx('tasks')
      .whereRaw('id IN (SELECT jsonb_array_elements_text(?::jsonb))', [JSON.stringify(ending.cancelTasks)])
      .whereNotIn('status', ['done', 'failed', 'cancelled'])
      .update({ status: 'cancelled', updated_at: trx.fn.now() });
  }
  if (ending.dropRequests.length > 0) {
    await trx('outbox')
      .whereRaw('id IN (SELECT jsonb_array_elements_text(?::jsonb)::bigint)', [JSON.stringify(ending.dropRequests.map(String))])
      .where({ state: 'pending' })
      .update({ state: 'dead', last_error: ending.reason });
  }
}
