import type { Knex } from 'knex';
import {
  personTaskItem,
  type NewWorkItem,
  type WorkItem,
  type WorkItemKind,
  type WorkItemStatus,
  type WorkViewer,
} from '../../domain/work-item.ts';
import type { WorkItemTransaction } from '../../pipeline/ports.ts';
import type { Database } from './connect.ts';
import { noteOrderEvent } from './order-events.ts';

// The task lists' table (migration 022). Items without a due time sort last; the paging position
// is that sort key, so it is the same expression in the order and in the cursor.

interface WorkItemRow {
  id: string;
  kind: WorkItemKind;
  source_id: string;
  level: number;
  order_id: string | null;
  partner_id: string | null;
  title: string;
  assigned_roles: string[];
  assigned_people: string[];
  claimed_by: string | null;
  status: WorkItemStatus;
  sla: string | null;
  calendar: string | null;
  escalate_to_role: string | null;
  created_at: Date | string;
  warn_at: Date | string | null;
  due_at: Date | string | null;
  warned_at: Date | string | null;
  escalated_at: Date | string | null;
  outcome: string | null;
  comment: string | null;
  completed_by: string | null;
  completed_at: Date | string | null;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export const workItemOf = (row: WorkItemRow): WorkItem => ({
  id: row.id,
  kind: row.kind,
  sourceId: row.source_id,
  level: row.level,
  orderId: row.order_id,
  partnerId: row.partner_id,
  title: row.title,
  assignedRoles: row.assigned_roles,
  assignedPeople: row.assigned_people,
  claimedBy: row.claimed_by,
  status: row.status,
  sla: row.sla,
  calendar: row.calendar,
  escalateToRole: row.escalate_to_role,
  createdAt: iso(row.created_at) as string,
  warnAt: iso(row.warn_at),
  dueAt: iso(row.due_at),
  warnedAt: iso(row.warned_at),
  escalatedAt: iso(row.escalated_at),
  outcome: row.outcome,
  comment: row.comment,
  completedBy: row.completed_by,
  completedAt: iso(row.completed_at),
});

const rowOf = (item: NewWorkItem) => ({
  id: item.id,
  kind: item.kind,
  source_id: item.sourceId,
  level: item.level ?? 0,
  order_id: item.orderId,
  partner_id: item.partnerId,
  title: item.title,
  assigned_roles: item.assignedRoles,
  assigned_people: item.assignedPeople,
  status: 'open',
  sla: item.sla,
  calendar: item.calendar,
  escalate_to_role: item.escalateToRole,
  created_at: item.createdAt,
  warn_at: item.warnAt,
  due_at: item.dueAt,
});

/** Sort key: due time, the undated last (at a time the cursor can carry). */
const never = '9999-12-31T23:59:59.999Z';
const sortKey = `COALESCE(due_at, '${never}'::timestamptz)`;

export function workItemTransaction(trx: Knex.Transaction): WorkItemTransaction {
  return {
    async openWorkItems(items) {
      // Opened once per source: a repeated open (a retried transaction, a level restarted) keeps the first.
      if (items.length > 0) await trx('work_items').insert(items.map(rowOf)).onConflict(['kind', 'source_id', 'level']).ignore();
    },

    async closeWorkItems(which, end) {
      const query = trx<WorkItemRow>('work_items').where({ status: 'open' });
      if ('orderId' in which) query.andWhere({ order_id: which.orderId });
      else {
        query.andWhere({ kind: which.kind, source_id: which.sourceId });
        if (which.level !== undefined) query.andWhere({ level: which.level });
      }
      const rows: WorkItemRow[] = await query
        .update({ status: end.status, outcome: end.outcome, comment: end.comment ?? null, completed_by: end.by, completed_at: end.at })
        .returning('*');
      return rows.map(workItemOf);
    },

    async lockWorkItem(id) {
      const row: WorkItemRow | undefined = await trx('work_items').where({ id }).forUpdate().first();
      return row === undefined ? undefined : workItemOf(row);
    },

    async changeWorkItem(id, change) {
      await trx('work_items')
        .where({ id })
        .update({
          ...(change.claimedBy === undefined ? {} : { claimed_by: change.claimedBy }),
          ...(change.assignedRoles === undefined ? {} : { assigned_roles: change.assignedRoles }),
          ...(change.assignedPeople === undefined ? {} : { assigned_people: change.assignedPeople }),
        });
    },

    async claimWorkItemWarnings(now, limit) {
      const rows: WorkItemRow[] = await trx
        .raw(
          `UPDATE work_items SET warned_at = ? WHERE id IN (
           SELECT id FROM work_items WHERE status = 'open' AND warned_at IS NULL AND warn_at <= ?
           ORDER BY warn_at LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING *`,
          [now, now, limit],
        )
        .then((result: { rows: WorkItemRow[] }) => result.rows);
      return rows.map(workItemOf);
    },

    async claimWorkItemEscalations(now, limit) {
      // An item escalated before its warning came due (a short SLA, a job that was down) is warned with it.
      const rows: WorkItemRow[] = await trx
        .raw(
          `UPDATE work_items SET escalated_at = ?, warned_at = COALESCE(warned_at, ?) WHERE id IN (
           SELECT id FROM work_items WHERE status = 'open' AND escalated_at IS NULL AND due_at <= ?
           ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING *`,
          [now, now, now, limit],
        )
        .then((result: { rows: WorkItemRow[] }) => result.rows);
      return rows.map(workItemOf);
    },
  };
}

export interface WorkItemFilter {
  /** A person id: the items on their list (by name, by role, claimed by them). */
  assignee?: { id: string; roles: readonly string[] };
  role?: string;
  status?: WorkItemStatus;
  overdue?: boolean;
  dueBefore?: string;
  orderId?: string;
  partnerId?: string;
  kind?: WorkItemKind;
  after?: { at: string; id: string };
  limit: number;
  now: Date;
}

/** The items a viewer may see that match the filter, by due time, a page at a time. */
export async function listWorkItems(
  db: Database,
  viewer: WorkViewer,
  filter: WorkItemFilter,
): Promise<{ items: WorkItem[]; next?: { at: string; id: string } }> {
  const query = db<WorkItemRow>('work_items').select('*');
  const onListOf = (q: Knex.QueryBuilder, person: { id: string; roles: readonly string[] }) =>
    q.where((w) =>
      w
        .where('claimed_by', person.id)
        .orWhereRaw('? = ANY(assigned_people)', [person.id])
        .orWhere((unclaimed) => unclaimed.whereNull('claimed_by').andWhereRaw('assigned_roles && ?::text[]', [[...person.roles]])),
    );
  if ('partnerId' in viewer) query.where('partner_id', viewer.partnerId);
  if ('person' in viewer) onListOf(query, viewer.person);
  if (filter.assignee !== undefined) onListOf(query, filter.assignee);
  if (filter.role !== undefined) query.whereRaw('? = ANY(assigned_roles)', [filter.role]);
  if (filter.status !== undefined) query.where('status', filter.status);
  if (filter.overdue === true) query.where('status', 'open').where('due_at', '<=', filter.now);
  if (filter.overdue === false) query.where((q) => q.whereNull('due_at').orWhere('due_at', '>', filter.now));
  if (filter.dueBefore !== undefined) query.where('due_at', '<', filter.dueBefore);
  if (filter.orderId !== undefined) query.where('order_id', filter.orderId);
  if (filter.partnerId !== undefined) query.where('partner_id', filter.partnerId);
  if (filter.kind !== undefined) query.where('kind', filter.kind);
  if (filter.after !== undefined) query.whereRaw(`(${sortKey}, id) > (?::timestamptz, ?)`, [filter.after.at, filter.after.id]);
  const rows: WorkItemRow[] = await query.orderByRaw(`${sortKey}, id`).limit(filter.limit + 1);
  const items = rows.slice(0, filter.limit).map(workItemOf);
  const last = items.at(-1);
  return rows.length > filter.limit && last !== undefined ? { items, next: { at: last.dueAt ?? never, id: last.id } } : { items };
}

/** One item, whoever may see it (the caller checks). */
export async function findWorkItem(db: Database, id: string): Promise<WorkItem | undefined> {
  const row: WorkItemRow | undefined = await db('work_items').where({ id }).first();
  return row === undefined ? undefined : workItemOf(row);
}

/** A person's id and roles, as task lists see them; undefined when there is no such person. */
export async function workViewerOfPerson(db: Database, personId: string): Promise<{ id: string; roles: string[] } | undefined> {
  const row: { id: string; roles: string[] } | undefined = await db('people').where({ id: personId }).first('id', 'roles');
  return row;
}

export type WorkItemChange = { claimedBy?: string | null; assignedRoles?: string[]; assignedPeople?: string[] };

/**
 * One claim, release or reassignment, judged on the item locked (so of two claims at once one
 * wins), written with an event in its order's history.
 */
export async function changeWorkItemLocked(
  db: Database,
  id: string,
  judge: (item: WorkItem) => { ok: true; change: WorkItemChange } | { ok: false; detail: string },
  event: { cause: string; actor: string; detail?: Record<string, unknown> },
): Promise<{ kind: 'not-found' } | { kind: 'refused'; detail: string } | { kind: 'changed'; item: WorkItem }> {
  return db.transaction(async (trx) => {
    const items = workItemTransaction(trx);
    const item = await items.lockWorkItem(id);
    if (item === undefined) return { kind: 'not-found' as const };
    const judged = judge(item);
    if (!judged.ok) return { kind: 'refused' as const, detail: judged.detail };
    if (Object.keys(judged.change).length === 0) return { kind: 'changed' as const, item };
    await items.changeWorkItem(id, judged.change);
    if (item.orderId !== null)
      await noteOrderEvent(trx, item.orderId, event.cause, event.actor, { workItemId: id, title: item.title, ...event.detail });
    return { kind: 'changed' as const, item: { ...item, ...judged.change } };
  });
}

/** A task that nothing else finishes (a dead letter, a late document, a missed deadline) closed by a person, with its event. */
export async function closeWorkItemByPerson(
  db: Database,
  id: string,
  end: { outcome: string; comment?: string; by: string; at: Date },
): Promise<WorkItem | undefined> {
  return db.transaction(async (trx) => {
    const items = workItemTransaction(trx);
    const item = await items.lockWorkItem(id);
    if (item === undefined || item.status !== 'open') return undefined;
    const [closed] = await items.closeWorkItems(
      { kind: item.kind, sourceId: item.sourceId, level: item.level },
      { status: 'done', ...end },
    );
    if (item.orderId !== null)
      await noteOrderEvent(trx, item.orderId, 'task.completed', end.by, {
        workItemId: id,
        title: item.title,
        outcome: end.outcome,
        ...(end.comment === undefined ? {} : { comment: end.comment }),
      });
    return closed;
  });
}

/** The person's comment on an item its own use case closed (a plan task done through the fulfillment path). */
export async function commentWorkItem(db: Database, id: string, comment: string): Promise<void> {
  await db('work_items').where({ id }).update({ comment });
}

/**
 * Puts an open person task that is on no list (written before task lists, or by hand) on its
 * role's list, as the plan would have; a blocked or ended one is left alone.
 */
export async function ensurePersonTaskItem(db: Database, taskId: string, now: Date = new Date()): Promise<void> {
  const row:
    | {
        id: string;
        task_key: string;
        type: string;
        line_number: string;
        due_at: Date;
        role: string | null;
        order_id: string;
        partner_id: string;
        external_ref: string;
      }
    | undefined = await db('tasks as t')
    .join('orders as o', 'o.id', 't.order_id')
    .where('t.id', taskId)
    .where('t.person', true)
    .whereIn('t.status', ['ready', 'dispatched', 'acknowledged', 'in_progress'])
    .first('t.id', 't.task_key', 't.type', 't.line_number', 't.due_at', 't.role', 't.order_id', 'o.partner_id', 'o.external_ref');
  if (row === undefined) return;
  const item = personTaskItem(
    { id: row.id, key: row.task_key, type: row.type, lineNumber: row.line_number, dueAt: row.due_at, role: row.role },
    { id: row.order_id, partnerId: row.partner_id, externalRef: row.external_ref },
    now,
  );
  await db.transaction((trx) => workItemTransaction(trx).openWorkItems([item]));
}
