import type { FastifyRequest } from 'fastify';
import { findTask, listTasks, type Database, type TaskView, type Viewer } from '../adapters/db/index.ts';
import { handleTaskEvent, type FulfillmentDeps } from '../pipeline/fulfillment.ts';
import { principalOf } from './auth.ts';
import { ProblemError } from './problems.ts';

type IdParams = { id: string };

const viewerOf = (request: FastifyRequest): Viewer => ({ partnerId: principalOf(request).partnerId });

/** orderId is ours to join on; the contract's Task does not carry it. */
const present = ({ orderId: _orderId, ...task }: TaskView) => task;

export function taskHandlers(db: Database, fulfillment: FulfillmentDeps) {
  return {
    async listOrderTasks(request: FastifyRequest<{ Params: IdParams }>) {
      const tasks = await listTasks(db, request.params.id, viewerOf(request));
      if (tasks === undefined)
        throw new ProblemError('not-found', `order ${request.params.id} does not exist or belongs to another partner`);
      return { tasks: tasks.map(present) };
    },

    /** A person's task done: moves the order on like a vendor's `complete` (freed tasks sent, the order billed when it was the last). */
    async completeTask(request: FastifyRequest<{ Params: IdParams }>) {
      const notFound = () =>
        new ProblemError('not-found', `task ${request.params.id} does not exist or belongs to another partner's order`);
      if ((await findTask(db, request.params.id, viewerOf(request))) === undefined) throw notFound();
      const principal = principalOf(request);
      const result = await handleTaskEvent(
        fulfillment,
        { type: 'task.completed-by-person', body: { taskId: request.params.id } },
        { person: principal.partnerId === null ? 'admin' : `partner:${principal.partnerId}` },
      );
      if (result.kind === 'refused') throw result.code === 'unknown-task' ? notFound() : new ProblemError('invalid-state', result.detail);
      const task = await findTask(db, request.params.id, viewerOf(request));
      if (task === undefined) throw notFound();
      return present(task);
    },
  };
}
