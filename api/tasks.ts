import type { FastifyRequest } from 'fastify';
import { completePersonTask, listTasks, type Database, type TaskView, type Viewer } from '../adapters/db/index.ts';
import { principalOf } from './auth.ts';
import { ProblemError } from './problems.ts';

type IdParams = { id: string };

const viewerOf = (request: FastifyRequest): Viewer => ({ partnerId: principalOf(request).partnerId });

/** orderId is ours to join on; the contract's Task does not carry it. */
const present = ({ orderId: _orderId, ...task }: TaskView) => task;

export function taskHandlers(db: Database) {
  return {
    async listOrderTasks(request: FastifyRequest<{ Params: IdParams }>) {
      const tasks = await listTasks(db, request.params.id, viewerOf(request));
      if (tasks === undefined) throw new ProblemError('not-found', `order ${request.params.id} does not exist or belongs to another partner`);
      return { tasks: tasks.map(present) };
    },

    async completeTask(request: FastifyRequest<{ Params: IdParams }>) {
      const outcome = await completePersonTask(db, request.params.id, viewerOf(request));
      if (outcome.kind === 'not-found') throw new ProblemError('not-found', `task ${request.params.id} does not exist or belongs to another partner's order`);
      if (outcome.kind === 'refused') {
        throw new ProblemError(
          'invalid-state',
          outcome.person
            ? `the task is "${outcome.status}"; only an open task (ready, dispatched, acknowledged, in_progress) can be completed`
            : `the task is "${outcome.status}" and a vendor's; vendors report their own tasks done`,
        );
      }
      return present(outcome.task);
    },
  };
}
