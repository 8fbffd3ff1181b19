import type { Assignee } from './approval.ts';
import { defaultWarnFraction, slaTimes, type WorkingCalendar } from './working-calendar.ts';

// A work item: one entry on people's task lists. Everything a person must do is one, whatever it
// comes from (a person's task of the plan, an approval level, a dead letter, a document the partner
// did not acknowledge, a partner deadline missed), so one list, one claim and one escalation serve
// them all. The item is opened and closed with what it is about, in the same transaction.

export const workItemKinds = ['person-task', 'approval', 'dead-letter', 'overdue-ack', 'deadline-missed'] as const;
export type WorkItemKind = (typeof workItemKinds)[number];

export type WorkItemStatus = 'open' | 'done' | 'cancelled';

export interface WorkItem {
  id: string;
  kind: WorkItemKind;
  sourceId: string;
  /** An approval's level; 0 for the other kinds. */
  level: number;
  orderId: string | null;
  partnerId: string | null;
  title: string;
  assignedRoles: string[];
  assignedPeople: string[];
  claimedBy: string | null;
  status: WorkItemStatus;
  sla: string | null;
  calendar: string | null;
  escalateToRole: string | null;
  createdAt: string;
  warnAt: string | null;
  dueAt: string | null;
  warnedAt: string | null;
  escalatedAt: string | null;
  outcome: string | null;
  comment: string | null;
  completedBy: string | null;
  completedAt: string | null;
}

/** What opening an item needs; the times come from its SLA. */
export interface NewWorkItem {
  id: string;
  kind: WorkItemKind;
  sourceId: string;
  level?: number;
  orderId: string | null;
  partnerId: string | null;
  title: string;
  assignedRoles: string[];
  assignedPeople: string[];
  sla: string | null;
  calendar: string | null;
  escalateToRole: string | null;
  createdAt: Date;
  warnAt: Date | null;
  dueAt: Date | null;
}

/** Who works a person's task of the plan: the operations people, on whose list it is until one claims it. */
export const personTaskRole = 'operations';

/**
 * A person's task of the plan, on the operations list once it is ready. It is due when the plan
 * said (its catalog SLA from the order's planning); its warning comes at 80% of the time it has left.
 */
export function personTaskItem(
  task: { id: string; key: string; type: string; lineNumber: string; dueAt: Date | string; role?: string | null },
  order: { id: string; partnerId: string; externalRef: string },
  now: Date,
): NewWorkItem {
  const dueAt = new Date(task.dueAt);
  const left = Math.max(0, dueAt.getTime() - now.getTime());
  return {
    id: task.id,
    kind: 'person-task',
    sourceId: task.id,
    orderId: order.id,
    partnerId: order.partnerId,
    title: `${task.type} for order ${order.externalRef}, line ${task.lineNumber} (${task.key})`,
    assignedRoles: [task.role ?? personTaskRole],
    assignedPeople: [],
    sla: null,
    calendar: null,
    escalateToRole: defaultEscalationRole,
    createdAt: now,
    warnAt: new Date(now.getTime() + left * defaultWarnFraction),
    dueAt,
  };
}

/** Who works the kinds that no policy assigns, and in how long: the order desk's defaults. */
export const deskDefaults: Readonly<Record<Exclude<WorkItemKind, 'person-task' | 'approval'>, { role: string; sla: string }>> = {
  'dead-letter': { role: 'operations', sla: 'PT4H' },
  'overdue-ack': { role: 'order-desk', sla: 'PT4H' },
  'deadline-missed': { role: 'order-desk', sla: 'PT2H' },
};

/** Where an item's overdue escalation goes when nothing else says: the supervisors of every list. */
export const defaultEscalationRole = 'supervisor';

export interface WorkItemSpec {
  id: string;
  kind: WorkItemKind;
  sourceId: string;
  level?: number;
  orderId: string | null;
  partnerId: string | null;
  title: string;
  assignees: readonly Assignee[];
  /** ISO 8601 duration; none: the item is never late. */
  sla?: string;
  calendar?: WorkingCalendar;
  escalateToRole?: string;
}

/** A new item, its warning and due times from its SLA over its calendar (calendar time without one). */
export function newWorkItem(spec: WorkItemSpec, now: Date): NewWorkItem {
  const times = spec.sla === undefined ? undefined : slaTimes(now, spec.sla, spec.calendar);
  return {
    id: spec.id,
    kind: spec.kind,
    sourceId: spec.sourceId,
    ...(spec.level === undefined ? {} : { level: spec.level }),
    orderId: spec.orderId,
    partnerId: spec.partnerId,
    title: spec.title,
    assignedRoles: spec.assignees.flatMap((a) => ('role' in a ? [a.role] : [])),
    assignedPeople: spec.assignees.flatMap((a) => ('person' in a ? [a.person] : [])),
    sla: spec.sla ?? null,
    calendar: spec.calendar?.id ?? null,
    escalateToRole: spec.escalateToRole ?? defaultEscalationRole,
    createdAt: now,
    warnAt: times?.warnAt ?? null,
    dueAt: times?.dueAt ?? null,
  };
}

/** Who asks for a task list: a person (with their roles), a partner, or the admin. */
export type WorkViewer = { person: { id: string; roles: readonly string[] } } | { partnerId: string } | { admin: true };

/**
 * Whether a viewer sees an item. A role's item is everyone's in the role until one of them claims
 * it; then it is the claimant's (and stays on the list of anyone it was assigned to by name).
 */
export function visibleTo(
  item: Pick<WorkItem, 'assignedRoles' | 'assignedPeople' | 'claimedBy' | 'partnerId'>,
  viewer: WorkViewer,
): boolean {
  if ('admin' in viewer) return true;
  if ('partnerId' in viewer) return item.partnerId === viewer.partnerId;
  const { id, roles } = viewer.person;
  if (item.claimedBy !== null) return item.claimedBy === id || item.assignedPeople.includes(id);
  return item.assignedPeople.includes(id) || item.assignedRoles.some((role) => roles.includes(role));
}

export type WorkAction =
  { kind: 'claim'; person: string } | { kind: 'release'; person: string | null } | { kind: 'reassign'; to: Assignee };

/** What an action does to an open item, or why it may not. Admin (person null) may release anyone's claim. */
export function applyWorkAction(
  item: Pick<WorkItem, 'status' | 'claimedBy' | 'assignedRoles' | 'assignedPeople'>,
  action: WorkAction,
):
  { ok: true; change: { claimedBy?: string | null; assignedRoles?: string[]; assignedPeople?: string[] } } | { ok: false; detail: string } {
  if (item.status !== 'open') return { ok: false, detail: `the task is ${item.status}` };
  switch (action.kind) {
    case 'claim':
      if (item.claimedBy === action.person) return { ok: true, change: {} };
      if (item.claimedBy !== null)
        return { ok: false, detail: `the task is claimed by ${item.claimedBy}; they or an admin must release it first` };
      return { ok: true, change: { claimedBy: action.person } };
    case 'release':
      if (item.claimedBy === null) return { ok: true, change: {} };
      if (action.person !== null && item.claimedBy !== action.person)
        return { ok: false, detail: `the task is claimed by ${item.claimedBy}, not by you` };
      return { ok: true, change: { claimedBy: null } };
    case 'reassign':
      return 'role' in action.to
        ? { ok: true, change: { claimedBy: null, assignedRoles: [action.to.role], assignedPeople: [] } }
        : { ok: true, change: { claimedBy: null, assignedRoles: [], assignedPeople: [action.to.person] } };
  }
}
