import type { FastifyRequest } from 'fastify';
import { timelineSources, type Database } from '../adapters/db/index.ts';
import { orderTimeline } from '../domain/timeline.ts';
import { principalOf } from './auth.ts';
import { ProblemError } from './problems.ts';

export function timelineHandlers(db: Database) {
  return {
    async getOrderTimeline(request: FastifyRequest<{ Params: { id: string } }>) {
      const sources = await timelineSources(db, request.params.id, { partnerId: principalOf(request).partnerId });
      if (sources === undefined)
        throw new ProblemError('not-found', `order ${request.params.id} does not exist or belongs to another partner`);
      return { entries: orderTimeline(sources) };
    },
  };
}
