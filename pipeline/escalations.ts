import { randomUUID } from 'node:crypto';
import type { Assignee } from '../domain/approval.ts';
import type { NewNotification } from '../domain/approval-messages.ts';
import type { WorkItem } from '../domain/work-item.ts';
import { overdueEmail, overdueSms } from '../domain/work-item-messages.ts';
import { approvalSummary, assigneeLabel, type ApprovalDeps } from './approvals.ts';
import type { StoreTransaction } from './ports.ts';

// The escalation job's work: every task list item at its warning point is in jeopardy (an event in
// its order's history, once), and every item past due escalates (once): its escalation role joins
// the roles it is assigned to, and the people it was assigned to and the escalation role's are told.
// An approval level escalates as its policy says (its escalatee may decide it from then on). Items
// are claimed FOR UPDATE SKIP LOCKED and stamped in the same statement, so any number of gateway
// instances may run this and each step happens exactly once.

export interface EscalationDeps {
  approvals: ApprovalDeps;
  /** PUBLIC_BASE_URL, for the task's address in messages; none: nobody is messaged, the history still says so. */
  baseUrl?: string;
}

/** How many items one step takes on; the next run takes the rest. */
const batch = 100;
const actor = 'gateway';

export interface EscalationRun {
  warned: WorkItem[];
  escalated: WorkItem[];
  more: boolean;
}

export async function runEscalations(deps: EscalationDeps, now: Date = new Date()): Promise<EscalationRun> {
  const { store } = deps.approvals;
  const warned = await store.transaction(async (tx) => {
    const items = await tx.claimWorkItemWarnings(now, batch);
    for (const item of items)
      if (item.orderId !== null)
        await tx.noteEvent(item.orderId, 'task.jeopardy', actor, {
          workItemId: item.id,
          kind: item.kind,
          title: item.title,
          warnAt: item.warnAt,
          dueAt: item.dueAt,
        });
    return items;
  });
  const escalated = await store.transaction(async (tx) => {
    const items = await tx.claimWorkItemEscalations(now, batch);
    for (const item of items) await escalate(deps, tx, item, now);
    return items;
  });
  return { warned, escalated, more: warned.length === batch || escalated.length === batch };
}

async function escalate(deps: EscalationDeps, tx: StoreTransaction, item: WorkItem, now: Date): Promise<void> {
  if (item.kind === 'approval' && (await escalateLevel(deps.approvals, tx, item, now))) return;
  const role = item.escalateToRole;
  const roles = role === null || item.assignedRoles.includes(role) ? item.assignedRoles : [...item.assignedRoles, role];
  if (roles !== item.assignedRoles) await tx.changeWorkItem(item.id, { assignedRoles: roles });
  if (item.orderId !== null)
    await tx.noteEvent(item.orderId, 'task.escalated', actor, {
      workItemId: item.id,
      kind: item.kind,
      title: item.title,
      dueAt: item.dueAt,
      ...(role === null ? {} : { to: `role ${role}` }),
    });
  if (deps.baseUrl === undefined) return;
  const told: Assignee[] = [
    ...item.assignedPeople.map((person) => ({ person })),
    ...roles.map((r) => ({ role: r })),
    ...(item.claimedBy === null ? [] : [{ person: item.claimedBy }]),
  ];
  const people = [...new Map((await tx.peopleFor(told)).map((person) => [person.id, person] as const)).values()];
  const notifications: NewNotification[] = [];
  const message = (personId: string, channel: NewNotification['channel'], to: string) => ({
    id: randomUUID(),
    orderId: item.orderId,
    approvalId: null,
    workItemId: item.id,
    personId,
    channel,
    to,
    links: { approve: '', reject: '' },
  });
  for (const person of people) {
    const email = person.email?.trim() ?? '';
    const phone = person.phone?.trim() ?? '';
    if (email !== '') notifications.push({ ...message(person.id, 'email', email), ...overdueEmail(item, person, deps.baseUrl) });
    if (phone !== '') notifications.push({ ...message(person.id, 'sms', phone), subject: null, text: overdueSms(item), html: null });
  }
  if (notifications.length > 0) await tx.queueNotices({ links: [], notifications });
}

/**
 * An approval level past its SLA escalates to its policy's escalatee, who joins the level's
 * assignees (and may decide it from then on) and is told like the level's people were. False when
 * the level has no escalatee or is no longer the one deciding: the item escalates like any other.
 */
async function escalateLevel(deps: ApprovalDeps, tx: StoreTransaction, item: WorkItem, now: Date): Promise<boolean> {
  const approval = await tx.lockApproval(item.sourceId);
  if (approval === undefined || approval.status !== 'pending' || approval.currentLevel !== item.level) return false;
  const level = approval.levels[approval.currentLevel - 1];
  if (level?.escalateTo === undefined) return false;
  const escalateTo = level.escalateTo;
  const levels = approval.levels.map((candidate) =>
    candidate.level === level.level ? { ...candidate, assignees: [...candidate.assignees, escalateTo] } : candidate,
  );
  await tx.recordEscalation(approval.id, levels, level.level);
  await tx.changeWorkItem(
    item.id,
    'role' in escalateTo
      ? { assignedRoles: [...new Set([...item.assignedRoles, escalateTo.role])] }
      : { assignedPeople: [...new Set([...item.assignedPeople, escalateTo.person])] },
  );
  await tx.noteEvent(approval.orderId, 'approval.escalated', actor, {
    approvalId: approval.id,
    level: level.level,
    sla: level.sla,
    to: assigneeLabel(escalateTo),
  });
  const order = await tx.lockOrder(approval.orderId, null);
  if (order === undefined || deps.notice === undefined) return true;
  const people = await tx.peopleFor([escalateTo]);
  const summary = approvalSummary(
    { ...approval, levels },
    order,
    await tx.partnerName(order.partnerId),
    await tx.approvalDecisions(approval.id),
  );
  await deps.notice(tx, summary, people, now);
  return true;
}
