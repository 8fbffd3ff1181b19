import { randomUUID } from 'node:crypto';
import { wholeLine } from '../domain/acknowledgment.ts';
import type {
  ApprovalLevel,
  ApprovalReason,
  ApprovalStatus,
  ApprovalSummary,
  Assignee,
  DecisionInput,
  DecisionResult,
  SignatureProvider,
} from '../domain/approval.ts';
import type { Catalog } from '../domain/catalog.ts';
import type { StoredOrder } from '../domain/order.ts';
import { orderRejected } from '../domain/partner-events.ts';
import { newWorkItem, type NewWorkItem } from '../domain/work-item.ts';
import type { WorkingCalendar } from '../domain/working-calendar.ts';
import { decomposeOrders } from './decompose.ts';
import type { AnswerRenderer } from './fulfillment.ts';
import { writeAnswers } from './partner-answers.ts';
import type { ApprovalRecord, DecisionRecord, OrderStore, PersonRecord, StoreTransaction } from './ports.ts';

// An order a policy caught waits in pending_approval; its levels decide in turn. The last level's
// approval plans and sends the order in the same transaction; a rejection ends it and answers the
// partner in its own format. Decisions on one approval are taken one at a time (its row is locked),
// so of two at once exactly one counts.

/** What the policies say of an order: nothing, or the reasons it waits and the levels that decide. */
export type ApprovalNeed = { required: false } | { required: true; reasons: ApprovalReason[]; levels: ApprovalLevel[] };

/** Asks the policies about a just-stored order (helper: domain/approval-policy.ts with the partner's facts). */
export type ApprovalGate = (tx: StoreTransaction, order: StoredOrder) => Promise<ApprovalNeed>;

/** Called in the transaction where a level starts: the level's people are told (mail, SMS, or a signature request). */
export type LevelNotice = (tx: StoreTransaction, summary: ApprovalSummary, people: readonly PersonRecord[], at: Date) => Promise<void>;

export interface ApprovalDeps {
  store: OrderStore;
  catalog: Catalog;
  renderAnswer?: AnswerRenderer;
  notice?: LevelNotice;
  /** The working calendars levels' SLAs may count in (by id). */
  calendars?: ReadonlyMap<string, WorkingCalendar>;
}

/** What starting a level needs besides the transaction: who tells its people, the calendars its SLA counts in. */
export type LevelStart = Pick<ApprovalDeps, 'notice' | 'calendars'> | undefined;

/** Who is asked at a level: a named person, or everyone with the role. */
export const assigneeLabel = (assignee: Assignee): string => ('role' in assignee ? `role ${assignee.role}` : `person ${assignee.person}`);

const holds = (person: PersonRecord, assignee: Assignee): boolean =>
  'role' in assignee ? person.roles.includes(assignee.role) : person.id === assignee.person;

/**
 * Whether a level has what it needs: one approval (any, and a signature level), or one from every
 * named person and one per role (all). `peopleOf` is asked only for `all`.
 */
async function levelApproved(
  level: ApprovalLevel,
  approvals: readonly DecisionRecord[],
  peopleOf: () => Promise<PersonRecord[]>,
): Promise<boolean> {
  if (level.method === 'signature' || level.mode === 'any') return approvals.length > 0;
  const people = new Map((await peopleOf()).map((person) => [person.id, person] as const));
  return level.assignees.every((assignee) =>
    approvals.some((decision) => {
      const person = decision.personId === null ? undefined : people.get(decision.personId);
      return person !== undefined && holds(person, assignee);
    }),
  );
}

/** The order as a person sees it to decide on it: reference, partner, totals and lines. */
export function orderToDecide(
  order: StoredOrder,
  partnerName: string,
): Omit<ApprovalSummary, 'approvalId' | 'reasons' | 'level' | 'history'> {
  return {
    orderId: order.id,
    externalRef: order.externalRef,
    partner: { id: order.partnerId, name: partnerName },
    currency: order.currency,
    computedTotal: order.totals.amount,
    ...(order.statedTotal === undefined ? {} : { statedTotal: order.statedTotal }),
    lines: order.lines.map((line) => ({
      lineNumber: line.lineNumber,
      ...(line.parentLineNumber === undefined ? {} : { parentLineNumber: line.parentLineNumber }),
      ...(line.sku === undefined ? {} : { sku: line.sku }),
      ...(line.description === undefined ? {} : { description: line.description }),
      quantity: line.quantity,
      uom: line.uom,
      ...(line.unitPrice === undefined ? {} : { unitPrice: line.unitPrice }),
    })),
  };
}

/** The approval as a person sees it to decide: the order, the reasons, the level, what was decided so far. */
export function approvalSummary(
  approval: ApprovalRecord,
  order: StoredOrder,
  partnerName: string,
  decisions: readonly DecisionRecord[],
): ApprovalSummary {
  const level = approval.levels[approval.currentLevel - 1];
  return {
    approvalId: approval.id,
    ...orderToDecide(order, partnerName),
    reasons: approval.reasons,
    level: { level: approval.currentLevel, name: level?.name ?? '', of: approval.levels.length },
    history: decisionHistory(decisions),
  };
}

/** The decisions so far, each with who took it as people read it. */
export const decisionHistory = (decisions: readonly DecisionRecord[]): ApprovalSummary['history'] =>
  decisions.map((decision) => ({
    at: decision.at,
    by: decision.personName ?? decision.personId ?? `${decision.provider ?? 'signature'} envelope ${decision.envelopeId ?? ''}`,
    decision: decision.decision,
    ...(decision.comment === null ? {} : { comment: decision.comment }),
    via: decision.via,
    level: decision.level,
  }));

/** The people a level asks, its item on their task lists, and the notice that tells them. */
async function startLevel(tx: StoreTransaction, approval: ApprovalRecord, order: StoredOrder, start: LevelStart, at: Date) {
  const level = approval.levels[approval.currentLevel - 1];
  if (level === undefined) return;
  const people = await tx.peopleFor(level.assignees);
  await tx.noteEvent(order.id, 'approval.level-started', 'gateway', {
    approvalId: approval.id,
    level: level.level,
    name: level.name,
    assignees: level.assignees.map(assigneeLabel),
    people: people.map((person) => person.id),
  });
  await tx.openWorkItems([levelItem(approval, level, order, start?.calendars, at)]);
  // A signature level's people are asked by the signature-requests job, after commit; a link would be a dead end.
  if (start?.notice === undefined || level.method === 'signature') return;
  const decisions = await tx.approvalDecisions(approval.id);
  await start.notice(tx, approvalSummary(approval, order, await tx.partnerName(order.partnerId), decisions), people, at);
}

function levelItem(
  approval: ApprovalRecord,
  level: ApprovalLevel,
  order: StoredOrder,
  calendars: ReadonlyMap<string, WorkingCalendar> | undefined,
  at: Date,
): NewWorkItem {
  const calendar = level.calendar === undefined ? undefined : calendars?.get(level.calendar);
  const escalateTo = level.escalateTo;
  return newWorkItem(
    {
      id: randomUUID(),
      kind: 'approval',
      sourceId: approval.id,
      level: level.level,
      orderId: order.id,
      partnerId: order.partnerId,
      title:
        level.name === orderDesk.name
          ? `Held order ${order.externalRef}: map its items or reject it`
          : `Approve order ${order.externalRef} (${level.name}, level ${level.level} of ${approval.levels.length})`,
      assignees: level.assignees,
      ...(level.sla === undefined ? {} : { sla: level.sla }),
      ...(calendar === undefined ? {} : { calendar }),
      // A level escalates only as its policy says (escalateLevel); without an escalatee its people are reminded.
      escalateToRole: escalateTo !== undefined && 'role' in escalateTo ? escalateTo.role : null,
    },
    at,
  );
}

/** The level's item off every list: decided (approve, reject), resolved, or cancelled with its order. */
const closeLevel = (tx: StoreTransaction, approvalId: string, level: number, outcome: string, by: string, at: Date, comment?: string) =>
  tx.closeWorkItems(
    { kind: 'approval', sourceId: approvalId, level },
    { status: 'done', outcome, by, at, ...(comment === undefined ? {} : { comment }) },
  );

/**
 * An order the policies caught, just stored (received) or just resumed (held): → pending_approval,
 * its approval with the reasons and levels, the first level told. In the transaction that stored
 * (or resumed) the order.
 */
export async function holdForApproval(
  tx: StoreTransaction,
  order: StoredOrder,
  need: Extract<ApprovalNeed, { required: true }>,
  start: LevelStart,
  at: Date,
): Promise<StoredOrder> {
  const approval = await tx.insertApproval({ orderId: order.id, partnerId: order.partnerId, reasons: need.reasons, levels: need.levels });
  const { updatedAt } = await tx.changeStatus(order.id, order.status, 'pending_approval', 'order.pending-approval', 'gateway', {
    approvalId: approval.id,
    reasons: need.reasons,
    levels: need.levels.map((level) => ({ level: level.level, name: level.name, assignees: level.assignees.map(assigneeLabel) })),
  });
  const pending = { ...order, status: 'pending_approval' as const, updatedAt };
  await startLevel(tx, approval, pending, start, at);
  return pending;
}

/** Held orders wait for the order desk: a person maps their items (the order resumes by itself) or rejects them. */
export const orderDesk: ApprovalLevel = { level: 1, name: 'order desk', assignees: [{ role: 'order-desk' }], mode: 'any', method: 'click' };

/**
 * A held order as an exception for the order desk: an approval whose reasons are the items that do
 * not resolve. It is approved by the cross-references that resolve them (closeException, when the
 * order resumes), or rejected by a person like any approval.
 */
export async function openException(
  tx: StoreTransaction,
  order: StoredOrder,
  unresolved: readonly { lineNumber: string; detail: string }[],
  start: LevelStart,
  at: Date,
): Promise<void> {
  const reasons = unresolved.map((item) => ({
    code: 'unresolved-items',
    policy: 'held-orders',
    detail: item.detail,
    lineNumber: item.lineNumber,
  }));
  const approval = await tx.insertApproval({ orderId: order.id, partnerId: order.partnerId, reasons, levels: [orderDesk] });
  await startLevel(tx, approval, order, start, at);
}

/** The held order resumed: its exception is over, approved by the cross-references that resolved it. */
export async function closeException(tx: StoreTransaction, orderId: string, at: Date = new Date()): Promise<void> {
  const approval = await tx.pendingApprovalOf(orderId);
  if (approval === undefined) return;
  await tx.updateApproval(approval.id, { status: 'approved', decided: true });
  await closeLevel(tx, approval.id, approval.currentLevel, 'resolved', 'gateway', at);
  await tx.noteEvent(orderId, 'approval.resolved', 'gateway', { approvalId: approval.id, by: 'item cross-references' });
}

/** A signature level's request, to send after commit: what the signer signs, who, and through which provider. */
export interface SignatureLevel {
  summary: ApprovalSummary;
  /** The first of the level's people with an e-mail address; none: nobody can be asked. */
  signer?: { name: string; email: string };
  provider: SignatureProvider;
}

/** How long a sender holds a signature level before another may try it again. */
const signatureLeaseMs = 2 * 60_000;

/**
 * Signature levels that have no envelope yet, leased for a while to this caller, who sends them
 * outside the transaction (a provider's answer can take seconds) and whose envelope, once recorded,
 * takes them off the list. A send that fails is tried again when the lease runs out.
 */
export async function leaseSignatureLevels(store: OrderStore, now: Date = new Date(), limit = 20): Promise<SignatureLevel[]> {
  return store.transaction(async (tx) => {
    const leased = await tx.leaseSignatureLevels(now, new Date(now.getTime() + signatureLeaseMs), limit);
    const levels: SignatureLevel[] = [];
    for (const approval of leased) {
      const level = approval.levels[approval.currentLevel - 1];
      const order = await tx.lockOrder(approval.orderId, null);
      if (level === undefined || order === undefined) continue;
      const summary = approvalSummary(approval, order, await tx.partnerName(order.partnerId), await tx.approvalDecisions(approval.id));
      const signer = (await tx.peopleFor(level.assignees)).find((person) => person.email !== null);
      levels.push({
        summary,
        provider: level.signatureProvider ?? 'docusign',
        ...(signer === undefined ? {} : { signer: { name: signer.name, email: signer.email as string } }),
      });
    }
    return levels;
  });
}

/** After a failed send, the next try waits this long, growing each time up to a day: a provider nobody configured is not asked every two minutes. */
const signatureRetryMs = (failures: number): number => Math.min(24 * 3_600_000, 5 * 60_000 * 2 ** Math.min(failures, 10));

/**
 * A signature request that could not go out, in the order's history; the level is held back for a
 * while that grows with each failure, then tried again.
 */
export async function noteSignatureFailure(
  store: OrderStore,
  level: SignatureLevel,
  reason: string,
  now: Date = new Date(),
): Promise<void> {
  await store.transaction(async (tx) => {
    const failures = await tx.signatureFailures(level.summary.orderId, level.summary.approvalId, level.summary.level.level);
    await tx.noteEvent(level.summary.orderId, 'approval.signature-not-sent', 'gateway', {
      approvalId: level.summary.approvalId,
      level: level.summary.level.level,
      provider: level.provider,
      reason,
    });
    await tx.holdSignatureLevel(level.summary.approvalId, new Date(now.getTime() + signatureRetryMs(failures)));
  });
}

/** The envelope a signature level went out in, in the order's history. */
export async function noteSignatureSent(store: OrderStore, level: SignatureLevel, envelopeId: string): Promise<void> {
  await store.transaction((tx) =>
    tx.noteEvent(level.summary.orderId, 'approval.signature-requested', 'gateway', {
      approvalId: level.summary.approvalId,
      level: level.summary.level.level,
      provider: level.provider,
      envelopeId,
      signer: level.signer?.email,
    }),
  );
}

function checkInput(input: DecisionInput): string | undefined {
  if (input.decision === 'reject' && (input.comment === undefined || input.comment.trim() === ''))
    return 'a rejection needs a comment saying why';
  return undefined;
}

/**
 * One decision on an approval. The approval row is locked first, so decisions on it are taken one
 * at a time: one that comes after the approval was decided is `already-decided`, and changes nothing.
 */
export async function decideApproval(deps: ApprovalDeps, input: DecisionInput, at: Date = new Date()): Promise<DecisionResult> {
  const invalid = checkInput(input);
  if (invalid !== undefined) return { kind: 'invalid', detail: invalid };
  return deps.store.transaction(async (tx): Promise<DecisionResult> => {
    const approval = await tx.lockApproval(input.approvalId);
    if (approval === undefined) return { kind: 'not-found' };
    if (approval.status !== 'pending') return { kind: 'already-decided', status: approval.status };
    const level = approval.levels[approval.currentLevel - 1];
    if (level === undefined) throw new Error(`approval ${approval.id} has no level ${approval.currentLevel}`);
    const decided = await authorise(tx, level, input);
    if (typeof decided === 'string') return { kind: 'not-yours', detail: decided };
    const order = await tx.lockOrder(approval.orderId, null);
    if (order === undefined) return { kind: 'not-found' };
    if (order.status === 'held' && input.decision === 'approve')
      return {
        kind: 'invalid',
        detail: `order ${order.externalRef} waits for its items: add the cross-references (POST /v1/partners/${order.partnerId}/item-references) and it resumes by itself, or reject it`,
      };
    const recorded = await tx.recordDecision(approval.id, {
      level: level.level,
      personId: 'person' in input.by ? input.by.person : null,
      provider: 'provider' in input.by ? input.by.provider : null,
      envelopeId: 'provider' in input.by ? input.by.envelopeId : null,
      decision: input.decision,
      comment: input.comment ?? null,
      via: input.via,
    });
    if (!recorded) return { kind: 'already-decided', status: approval.status };
    const actor = 'person' in input.by ? `person:${input.by.person}` : `signature:${input.by.provider}`;
    await tx.noteEvent(order.id, `approval.${input.decision === 'approve' ? 'approved' : 'rejected'}`, actor, {
      approvalId: approval.id,
      level: level.level,
      via: input.via,
      ...('provider' in input.by ? { provider: input.by.provider, envelopeId: input.by.envelopeId } : {}),
      ...(input.comment === undefined ? {} : { comment: input.comment }),
    });
    if (input.decision === 'reject') {
      await closeLevel(tx, approval.id, level.level, 'reject', actor, at, input.comment);
      return reject(deps, tx, approval, order, input.comment ?? '', actor, at);
    }
    const decisions = await tx.approvalDecisions(approval.id);
    const approvals = decisions.filter((d) => d.level === level.level && d.decision === 'approve');
    if (!(await levelApproved(level, approvals, () => tx.peopleFor(level.assignees))))
      return { kind: 'decided', status: 'pending', orderStatus: order.status };
    await closeLevel(tx, approval.id, level.level, 'approve', actor, at, input.comment);
    if (approval.currentLevel < approval.levels.length) {
      const next = { ...approval, currentLevel: approval.currentLevel + 1 };
      await tx.updateApproval(approval.id, { currentLevel: next.currentLevel });
      await startLevel(tx, next, order, deps, at);
      return { kind: 'decided', status: 'pending', orderStatus: order.status };
    }
    return approve(deps, tx, approval, order, actor);
  });
}

/** The decider may decide the level now deciding: one of its people, or (a signature level) its provider. */
async function authorise(tx: StoreTransaction, level: ApprovalLevel, input: DecisionInput): Promise<true | string> {
  if ('provider' in input.by) {
    if (level.method !== 'signature') return `level ${level.level} (${level.name}) is decided by a person, not a signature`;
    return true;
  }
  if (level.method === 'signature') return `level ${level.level} (${level.name}) is decided by signature`;
  const person = await tx.person(input.by.person);
  if (person === undefined) return `there is no person ${input.by.person}`;
  if (level.assignees.some((assignee) => holds(person, assignee))) return true;
  return `level ${level.level} (${level.name}) is for ${level.assignees.map(assigneeLabel).join(', ')}`;
}

async function approve(
  deps: ApprovalDeps,
  tx: StoreTransaction,
  approval: ApprovalRecord,
  order: StoredOrder,
  actor: string,
): Promise<DecisionResult> {
  await tx.updateApproval(approval.id, { status: 'approved', decided: true });
  await tx.changeStatus(order.id, 'pending_approval', 'approved', 'order.approved', actor, { approvalId: approval.id });
  const [planned] = await decomposeOrders(tx, [{ ...order, status: 'approved' }], deps.catalog, { from: 'approved' });
  return { kind: 'decided', status: 'approved', orderStatus: planned?.status ?? 'approved' };
}

/** A rejection ends the order: every line refused with the comment, the partner told in its own format. */
async function reject(
  deps: ApprovalDeps,
  tx: StoreTransaction,
  approval: ApprovalRecord,
  order: StoredOrder,
  comment: string,
  actor: string,
  at: Date,
): Promise<DecisionResult> {
  await tx.updateApproval(approval.id, { status: 'rejected', decided: true });
  const reason = `rejected in approval: ${comment}`;
  await tx.changeStatus(order.id, order.status, 'rejected', 'order.rejected', actor, { approvalId: approval.id, reason });
  const lines = order.lines.map((line) => ({ lineNumber: line.lineNumber, detail: reason }));
  await tx.enqueue(
    orderRejected(
      order,
      reason,
      lines.map((line) => ({ ...line, identifiers: {} })),
    ),
  );
  const acks = order.lines.map((line) => wholeLine(line, 'rejected', reason));
  await writeAnswers(
    tx,
    deps.renderAnswer,
    order,
    [{ kind: 'acknowledgment', ack: { order, lines: acks, ackDate: at.toISOString().slice(0, 10) } }],
    actor,
    at,
  );
  return { kind: 'decided', status: 'rejected' satisfies ApprovalStatus, orderStatus: 'rejected' };
}
