import type { LateStep, LateVendorTask, OrderStore } from './ports.ts';

// Vendor tasks running late, told to operations in the order's history (and so on the live
// stream): `task.jeopardy` when an open task passes its warning point (80% of the way from its
// creation to its due time), `task.overdue` at its due time. No partner message: the partner hears
// of a late vendor only when the vendor moves a date (order.delayed.v1). Each step is claimed and
// stamped in the transaction that writes its event, so any number of instances may run this at
// once and each step happens once. The escalation job calls it; time is the caller's.

const actor = 'gateway';

/** How many tasks one call raises per step by default; a full batch says there may be more. */
export const lateTaskBatch = 200;

const causes: Record<LateStep, string> = { jeopardy: 'task.jeopardy', overdue: 'task.overdue' };

const detailOf = (step: LateStep, task: LateVendorTask): Record<string, unknown> => ({
  taskId: task.id,
  taskKey: task.key,
  type: task.type,
  vendorId: task.vendorId,
  dueAt: task.dueAt.toISOString(),
  ...(step === 'jeopardy' ? { warnAt: task.warnAt.toISOString() } : {}),
});

/**
 * Raises every vendor task past its due time as overdue, then every one past its warning point and
 * not yet due as in jeopardy, up to `limit` of each, as of `now`. `more`: a batch was full, call again.
 */
export async function noteLateVendorTasks(store: OrderStore, now: Date, limit: number = lateTaskBatch): Promise<{ more: boolean }> {
  return store.transaction(async (tx) => {
    let more = false;
    // Overdue first: a task found past both points in one call is raised overdue only.
    for (const step of ['overdue', 'jeopardy'] as const) {
      const late = await tx.claimLateVendorTasks(step, now, limit);
      for (const task of late) await tx.noteEvent(task.orderId, causes[step], actor, detailOf(step, task));
      more ||= late.length === limit;
    }
    return { more };
  });
}
