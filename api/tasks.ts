import type { FastifyRequest } from 'fastify';
import { listTasks, type Database, type TaskView, type Viewer } from '../adapters/db/index.ts';
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
      if (tasks === undefined)
        throw new ProblemError('not-found', `order ${request.params.id} does not exist or belongs to another partner`);
      return { tasks: tasks.map(present) };
    },
  };
}
