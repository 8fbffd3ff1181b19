import type { FastifyReply, FastifyRequest } from 'fastify';
import { pingDatabase, type Database } from '../adapters/db/index.ts';
import type { Outage } from './outage.ts';
import { problem } from './problems.ts';
import type { Lifecycle } from './server.ts';

const readinessTimeoutMs = 2_000;

export function healthHandlers(db: Database, outage: Outage, lifecycle: Lifecycle) {
  const unavailable = (reply: FastifyReply, detail: string) =>
    reply.code(503).header('retry-after', '5').type('application/problem+json').send(problem('service-unavailable', detail));
  return {
    /** Liveness: the process answers; restarting it would not bring a missing database back. */
    async healthz() {
      return { status: lifecycle.started() ? 'up' : 'starting' };
    },

    async readyz(request: FastifyRequest, reply: FastifyReply) {
      if (!lifecycle.started()) return unavailable(reply, 'the gateway is starting: waiting for its database');
      try {
        await Promise.race([
          pingDatabase(db),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error(`no answer within ${readinessTimeoutMs} ms`)), readinessTimeoutMs).unref(),
          ),
        ]);
        return { status: 'ready', database: 'up' };
      } catch (error) {
        outage.down(request.log, error);
        return unavailable(reply, 'the database is not answering');
      }
    },
  };
}
