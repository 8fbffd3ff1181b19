import type { FastifyReply, FastifyRequest } from 'fastify';
import { pingDatabase, type Database } from '../adapters/db/index.ts';
import { problem } from './problems.ts';

const readinessTimeoutMs = 2_000;

export function healthHandlers(db: Database) {
  return {
    async healthz() {
      return { status: 'up' };
    },

    async readyz(request: FastifyRequest, reply: FastifyReply) {
      try {
        await Promise.race([
          pingDatabase(db),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error(`no answer within ${readinessTimeoutMs} ms`)), readinessTimeoutMs).unref(),
          ),
        ]);
        return { status: 'ready', database: 'up' };
      } catch (error) {
        request.log.warn({ err: error }, 'database not ready');
        return reply
          .code(503)
          .header('retry-after', '5')
          .type('application/problem+json')
          .send(problem('service-unavailable', 'the database is not answering'));
      }
    },
  };
}
