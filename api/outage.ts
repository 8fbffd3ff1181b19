import type { FastifyBaseLogger } from 'fastify';

// A database outage is one event, not one log line per request: the first request that finds the
// database gone says so (warn, with the cause), the rest are answered 503 quietly, and the first
// answer after it is back says how long it lasted. Per server; another instance says it too.

export interface Outage {
  /** The database did not answer this request. */
  down(log: FastifyBaseLogger, cause: unknown): void;
  /** A request was served: if the database was down, it is back. */
  up(log: FastifyBaseLogger): void;
  /** Whether the last word was "down". */
  readonly isDown: boolean;
}

const causeText = (cause: unknown): string => {
  if (cause instanceof Error) {
    const inner = (cause as { errors?: unknown[] }).errors?.find((e): e is Error => e instanceof Error);
    return inner === undefined || inner === cause ? cause.message : `${cause.message}: ${causeText(inner)}`;
  }
  return String(cause);
};

export function databaseOutage(): Outage {
  let since: number | undefined;
  return {
    down(log, cause) {
      if (since !== undefined) return;
      since = Date.now();
      log.warn({ cause: causeText(cause) }, 'database unavailable: requests are answered 503 until it is back');
    },
    up(log) {
      if (since === undefined) return;
      log.info(`database available again after ${Date.now() - since} ms`);
      since = undefined;
    },
    get isDown() {
      return since !== undefined;
    },
  };
}
