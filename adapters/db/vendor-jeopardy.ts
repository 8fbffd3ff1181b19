import type { Knex } from 'knex';
import type { LateStep, LateVendorTask } from '../../pipeline/ports.ts';

// The escalation job's two questions about vendor tasks (migration 024's partial indexes answer
// them): which open tasks have passed their warning point, which their due time, and not yet been
// raised. Rows another instance holds are skipped, and a row claimed is stamped in the same
// statement, so of two instances asking at once each task goes to one, and to no one after.

interface LateRow {
  id: string;
  order_id: string;
  task_key: string;
  type: string;
  vendor_id: string;
  warn_at: Date;
  due_at: Date;
}

const open = `NOT person AND vendor_id IS NOT NULL AND status NOT IN ('done', 'failed', 'cancelled')`;

// A task found overdue before it was warned is not warned after the fact: the overdue step settles
// its warning too (warned_at), and the warning question asks only of tasks not yet due.
const steps: Record<LateStep, { due: string; stamp: string; also: string; notYetDue: string }> = {
  jeopardy: { due: 'warn_at', stamp: 'warned_at', also: '', notYetDue: 'AND due_at > :now' },
  overdue: { due: 'due_at', stamp: 'overdue_at', also: ', warned_at = coalesce(tasks.warned_at, :now)', notYetDue: '' },
};

export async function claimLateVendorTasks(trx: Knex.Transaction, step: LateStep, now: Date, limit: number): Promise<LateVendorTask[]> {
  const { due, stamp, also, notYetDue } = steps[step];
  const result = await trx.raw(
    `WITH late AS (
       SELECT id FROM tasks
       WHERE ${open} AND ${stamp} IS NULL AND ${due} <= :now ${notYetDue}
       ORDER BY ${due}, id
       LIMIT :limit
       FOR UPDATE SKIP LOCKED)
     UPDATE tasks SET ${stamp} = :now${also}
     FROM late WHERE tasks.id = late.id
     RETURNING tasks.id, tasks.order_id, tasks.task_key, tasks.type, tasks.vendor_id, tasks.warn_at, tasks.due_at`,
    { now, limit },
  );
  const rows = result.rows as LateRow[];
  return rows
    .map((row) => ({
      id: row.id,
      orderId: row.order_id,
      key: row.task_key,
      type: row.type,
      vendorId: row.vendor_id,
      warnAt: new Date(row.warn_at),
      dueAt: new Date(row.due_at),
    }))
    .sort(
      (a, b) =>
        (step === 'jeopardy' ? a.warnAt.getTime() - b.warnAt.getTime() : a.dueAt.getTime() - b.dueAt.getTime()) || (a.id < b.id ? -1 : 1),
    );
}
