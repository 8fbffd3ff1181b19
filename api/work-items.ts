import type { FastifyRequest } from 'fastify';
import {
  changeWorkItemLocked,
  closeWorkItemByPerson,
  commentWorkItem,
  ensurePersonTaskItem,
  findTask,
  findWorkItem,
  listWorkItems,
  workViewerOfPerson,
  type Database,
} from '../adapters/db/index.ts';
import type { DecideApproval } from '../domain/approval.ts';
import { applyWorkAction, visibleTo, type WorkAction, type WorkItem, type WorkViewer } from '../domain/work-item.ts';
import { handleTaskEvent, type FulfillmentDeps } from '../pipeline/fulfillment.ts';
import { principalOf } from './auth.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { operations } from './openapi.gen.ts';
import { ProblemError } from './problems.ts';

// Task lists: every person's work in one list, claimed, released, reassigned and finished here.
// A task someone may not see is 404 to them, as if it did not exist.

type ListQuery = NonNullable<operations['listWorkItems']['parameters']['query']>;
type ReassignBody = operations['reassignWorkItem']['requestBody']['content']['application/json'];
type CompleteBody = NonNullable<operations['completeTask']['requestBody']>['content']['application/json'];
type IdParams = { id: string };

/** The contract's WorkItem. */
export const workItemView = (item: WorkItem, now: Date = new Date()) => ({
  id: item.id,
  type: item.kind,
  source: item.kind === 'approval' ? { id: item.sourceId, level: item.level } : { id: item.sourceId },
  orderId: item.orderId,
  partnerId: item.partnerId,
  title: item.title,
  assignedRoles: item.assignedRoles,
  assignedPeople: item.assignedPeople,
  claimedBy: item.claimedBy,
  status: item.status,
  ...(item.sla === null ? {} : { sla: item.sla }),
  ...(item.calendar === null ? {} : { calendar: item.calendar }),
  createdAt: item.createdAt,
  warnAt: item.warnAt,
  dueAt: item.dueAt,
  overdue: item.status === 'open' && item.dueAt !== null && new Date(item.dueAt) <= now,
  warnedAt: item.warnedAt,
  escalatedAt: item.escalatedAt,
  outcome: item.outcome,
  comment: item.comment,
  completedBy: item.completedBy,
  completedAt: item.completedAt,
});

export function workItemHandlers(db: Database, fulfillment: FulfillmentDeps, decide: DecideApproval) {
  const viewerOf = async (request: FastifyRequest): Promise<WorkViewer> => {
    const principal = principalOf(request);
    if (principal.role === 'partner') return { partnerId: principal.partnerId };
    if (principal.role === 'person') {
      const person = await workViewerOfPerson(db, principal.personId);
      return { person: person ?? { id: principal.personId, roles: [] } };
    }
    return { admin: true };
  };
  const notFound = (id: string) => new ProblemError('not-found', `task ${id} does not exist or is not on your lists`);
  /**
   * The item, when the viewer may see it. To act on it, one who would see it unclaimed is let
   * through, so that a claim taken meanwhile is told (409, naming the claimant) rather than hidden.
   */
  const visibleItem = async (
    request: FastifyRequest<{ Params: IdParams }>,
    { acting = false } = {},
  ): Promise<{ item: WorkItem; viewer: WorkViewer }> => {
    const viewer = await viewerOf(request);
    const item = await findWorkItem(db, request.params.id);
    if (item === undefined || !visibleTo(acting ? { ...item, claimedBy: null } : item, viewer)) throw notFound(request.params.id);
    return { item, viewer };
  };
  const actorOf = (viewer: WorkViewer) =>
    'person' in viewer ? `person:${viewer.person.id}` : 'partnerId' in viewer ? `partner:${viewer.partnerId}` : 'admin';
  const act = async (
    request: FastifyRequest<{ Params: IdParams }>,
    action: WorkAction,
    cause: string,
    detail: Record<string, unknown> = {},
  ) => {
    const { viewer } = await visibleItem(request, { acting: true });
    const result = await changeWorkItemLocked(db, request.params.id, (item) => applyWorkAction(item, action), {
      cause,
      actor: actorOf(viewer),
      detail,
    });
    if (result.kind === 'not-found') throw notFound(request.params.id);
    if (result.kind === 'refused') throw new ProblemError('invalid-state', result.detail);
    return workItemView(result.item);
  };
  const current = async (id: string) => {
    const item = await findWorkItem(db, id);
    if (item === undefined) throw notFound(id);
    return workItemView(item);
  };

  return {
    async listWorkItems(request: FastifyRequest<{ Querystring: ListQuery }>) {
      const viewer = await viewerOf(request);
      const q = request.query;
      let assignee: { id: string; roles: readonly string[] } | undefined;
      if (q.assignee === 'me') {
        if (!('person' in viewer))
          throw new ProblemError('invalid-request', 'assignee=me is for a person key: this key belongs to no person', [
            { in: 'query', pointer: '/assignee', code: 'not-a-person', detail: 'this key has no task list of its own' },
          ]);
        assignee = viewer.person;
      } else if (q.assignee !== undefined) {
        assignee = await workViewerOfPerson(db, q.assignee);
        if (assignee === undefined)
          throw new ProblemError('invalid-request', `there is no person ${q.assignee}`, [
            { in: 'query', pointer: '/assignee', code: 'unknown-person', detail: `there is no person ${q.assignee}` },
          ]);
      }
      const limit = q.limit ?? 100;
      const page = await listWorkItems(db, viewer, {
        limit,
        now: new Date(),
        ...(assignee === undefined ? {} : { assignee }),
        ...(q.role === undefined ? {} : { role: q.role }),
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.overdue === undefined ? {} : { overdue: q.overdue }),
        ...(q.dueBefore === undefined ? {} : { dueBefore: q.dueBefore }),
        ...(q.order === undefined ? {} : { orderId: q.order }),
        ...(q.partner === undefined ? {} : { partnerId: q.partner }),
        ...(q.type === undefined ? {} : { kind: q.type }),
        ...(q.cursor === undefined ? {} : { after: decodeCursor(q.cursor) }),
      });
      const now = new Date();
      return {
        tasks: page.items.map((item) => workItemView(item, now)),
        ...(page.next === undefined ? {} : { nextCursor: encodeCursor(page.next) }),
      };
    },

    async getWorkItem(request: FastifyRequest<{ Params: IdParams }>) {
      return workItemView((await visibleItem(request)).item);
    },

    async claimWorkItem(request: FastifyRequest<{ Params: IdParams }>) {
      const principal = principalOf(request);
      if (principal.role !== 'person') throw new ProblemError('forbidden', 'a task is claimed by a person, with their own key');
      return act(request, { kind: 'claim', person: principal.personId }, 'task.claimed');
    },

    async releaseWorkItem(request: FastifyRequest<{ Params: IdParams }>) {
      const principal = principalOf(request);
      return act(request, { kind: 'release', person: principal.role === 'person' ? principal.personId : null }, 'task.released');
    },

    async reassignWorkItem(request: FastifyRequest<{ Params: IdParams; Body: ReassignBody }>) {
      const body = request.body;
      if ('person' in body && (await workViewerOfPerson(db, body.person)) === undefined)
        throw new ProblemError('invalid-request', `there is no person ${body.person}`, [
          { in: 'body', pointer: '/person', code: 'unknown-person', detail: `there is no person ${body.person}` },
        ]);
      const to = 'role' in body ? { role: body.role } : { person: body.person };
      return act(request, { kind: 'reassign', to }, 'task.reassigned', {
        to: 'role' in to ? `role ${to.role}` : `person ${to.person}`,
        ...(body.comment === undefined ? {} : { comment: body.comment }),
      });
    },

    /** Finishing a task does what its kind does: a plan task moves the order on, an approval level is decided, the rest close. */
    async completeTask(request: FastifyRequest<{ Params: IdParams; Body: CompleteBody | undefined }>) {
      // A plan's person task that is open but on no list (from before task lists) is put on it first.
      await ensurePersonTaskItem(db, request.params.id);
      const found = await visibleItem(request, { acting: true }).catch(async (error: unknown) => {
        const principal = principalOf(request);
        const task = await findTask(db, request.params.id, { partnerId: principal.partnerId });
        if (task === undefined) throw error;
        return { task, viewer: await viewerOf(request) };
      });
      if ('task' in found) {
        // Not on a list: a vendor's task, or a person's the plan has not freed; the plan judges it.
        const result = await handleTaskEvent(
          fulfillment,
          { type: 'task.completed-by-person', body: { taskId: found.task.id } },
          { person: actorOf(found.viewer) },
        );
        if (result.kind === 'refused') throw new ProblemError('invalid-state', result.detail);
        return current(found.task.id);
      }
      const { item, viewer } = found;
      const { outcome, comment } = request.body ?? {};
      const by = actorOf(viewer);
      if (item.status !== 'open') throw new ProblemError('invalid-state', `task ${item.id} is ${item.status} already`);
      if ('person' in viewer && item.claimedBy !== null && item.claimedBy !== viewer.person.id)
        throw new ProblemError('invalid-state', `task ${item.id} is claimed by ${item.claimedBy}; they finish it, or it is released first`);
      if ('partnerId' in viewer && item.kind !== 'person-task')
        throw new ProblemError('forbidden', "a partner's key finishes only its orders' person tasks");
      switch (item.kind) {
        case 'person-task': {
          if (outcome !== undefined && outcome !== 'done')
            throw new ProblemError('invalid-request', "a person's task of the plan is finished with outcome done", [
              { in: 'body', pointer: '/outcome', code: 'bad-outcome', detail: 'expected done' },
            ]);
          const result = await handleTaskEvent(
            fulfillment,
            { type: 'task.completed-by-person', body: { taskId: item.sourceId } },
            { person: by },
          );
          if (result.kind === 'refused')
            throw result.code === 'unknown-task' ? notFound(item.id) : new ProblemError('invalid-state', result.detail);
          if (comment !== undefined) await commentWorkItem(db, item.id, comment);
          return current(item.id);
        }
        case 'approval': {
          if (!('person' in viewer)) throw new ProblemError('forbidden', 'approvals are decided with a person key');
          if (outcome !== 'approve' && outcome !== 'reject')
            throw new ProblemError('invalid-request', 'an approval is finished with outcome approve or reject', [
              { in: 'body', pointer: '/outcome', code: 'bad-outcome', detail: 'expected approve or reject' },
            ]);
          const result = await decide({
            approvalId: item.sourceId,
            decision: outcome,
            via: 'api',
            by: { person: viewer.person.id },
            ...(comment === undefined ? {} : { comment }),
          });
          if (result.kind === 'not-yours') throw new ProblemError('forbidden', result.detail);
          if (result.kind === 'invalid')
            throw new ProblemError(outcome === 'reject' && comment === undefined ? 'invalid-request' : 'invalid-state', result.detail);
          if (result.kind === 'already-decided')
            throw new ProblemError('already-decided', `approval ${item.sourceId} is ${result.status} already`);
          if (result.kind === 'not-found') throw notFound(item.id);
          return current(item.id);
        }
        default: {
          const closed = await closeWorkItemByPerson(db, item.id, {
            outcome: outcome ?? 'resolved',
            by,
            at: new Date(),
            ...(comment === undefined ? {} : { comment }),
          });
          if (closed === undefined) throw new ProblemError('invalid-state', `task ${item.id} is not open any more`);
          return workItemView(closed);
        }
      }
    },
  };
}
