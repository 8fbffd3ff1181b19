import type { FastifyBaseLogger } from 'fastify';
import type { Broker, Delivery } from '../adapters/amqp/index.ts';
import { bringForwardFailedRequests, isDatabaseUnavailable, type Database } from '../adapters/db/index.ts';
import type { OutboundClient, RetryPolicy } from '../adapters/http/index.ts';
import type { FulfillmentDeps } from '../pipeline/fulfillment.ts';
import { moveDeadLetters, type Consumers } from './jobs/dead-letters.ts';
import { dispatchJob } from './jobs/dispatch.ts';
import type { GroupOptions } from './jobs/groups.ts';
import { consumeReplies, onReply, replyGroup } from './jobs/replies.ts';
import { vendorQueues } from './jobs/vendor-queues.ts';
import { startScheduler, type Job } from './scheduler.ts';

// The gateway's work beside HTTP: the scheduler's named jobs (the outbox dispatcher, and whatever
// the caller adds: webhook deliveries, document re-pushes) and, with a broker, the consumers of
// vendor replies and dead letters.

export interface WorkerOptions {
  db: Database;
  fulfillment: FulfillmentDeps;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  broker?: Broker;
  /** Vendors whose queues (and dead-letter queues) exist from the start: the catalog's. */
  vendors: readonly string[];
  /** More named jobs for the same scheduler. */
  jobs?: readonly Job[];
  /** Requests per dispatch round (dispatchBatch). */
  batch?: number;
  /** Dispatch rounds at once (dispatchRounds). */
  rounds?: number;
  /** Wait after a round that found nothing due (200 ms). */
  idleMs?: number;
  /** No broker confirm within this = not sent, tried again later (5 s). */
  confirmTimeoutMs?: number;
  /** POSTs to HTTP vendors, per dispatch round; the outbox retries later beyond it. */
  httpPolicy?: RetryPolicy;
  /** The admin-set side of the outbound policy (`ServerDeps.outbound.endpoints`), for HTTP vendors. */
  outbound: OutboundClient;
  /** Unacked replies at once (twice a reply group): a group per lane is applied (a database connection each) while the next gathers. */
  prefetch?: number;
  /** How vendor replies are gathered into one transaction (replyGroup). */
  replyGroup?: GroupOptions;
}

export interface Workers {
  stop(): Promise<void>;
}

/**
 * 500 requests a round, two rounds at once: bench:dispatch drains 20,000 due requests at 8,200-14,900
 * a second, three to four times what 100 a round, one at a time, did (2,200-3,800), and 30-80 % of
 * plain amqplib publishing them with batched confirms on a busy 2-core machine.
 */
export const dispatchBatch = 500;
export const dispatchRounds = 2;

const httpSendPolicy: RetryPolicy = { retries: 2, minTimeoutMs: 200, maxTimeoutMs: 2_000, timeoutMs: 10_000 };

export function startWorkers(options: WorkerOptions): Workers {
  const { db, broker, log } = options;
  const consumers: Consumers = [];
  const queues = broker === undefined ? undefined : vendorQueues(db, broker, consumers);
  const dispatch = dispatchJob({
    db,
    ...(broker === undefined ? {} : { broker }),
    ...(queues === undefined ? {} : { vendorQueues: queues }),
    log,
    batch: options.batch ?? dispatchBatch,
    rounds: options.rounds ?? dispatchRounds,
    idleMs: options.idleMs ?? 200,
    confirmTimeoutMs: options.confirmTimeoutMs ?? 5_000,
    httpPolicy: options.httpPolicy ?? httpSendPolicy,
    outbound: options.outbound,
  });
  const scheduler = startScheduler([dispatch, ...(options.jobs ?? [])], log, { isOutage: isDatabaseUnavailable });
  const unsubscribe = broker?.onConnected(() => {
    // What waited for the broker goes now, not when each request's back-off runs out.
    bringForwardFailedRequests(db)
      .then((count) => {
        if (count > 0) log.info(`broker connection up: ${count} request(s) that failed meanwhile are due now`);
        scheduler.wake(dispatch.name);
      })
      .catch((error: unknown) => log.warn({ err: error }, 'bringing failed requests forward failed; they go at their own time'));
  });

  if (broker !== undefined && queues !== undefined) {
    const group = options.replyGroup ?? replyGroup;
    consumers.push(consumeReplies(broker, options.fulfillment, { prefetch: options.prefetch ?? 2 * group.max, group }));
    // A reply the broker dead-lettered for its delivery limit (gateways killed while holding it) gets one last try.
    const lastTry = (origin: Delivery) => onReply(options.fulfillment, broker.names, origin);
    consumers.push(moveDeadLetters(db, broker, broker.names.dlq(broker.names.repliesQueue), lastTry, log));
    for (const vendorId of options.vendors)
      queues(vendorId).catch((error: unknown) => log.error({ err: error, vendorId }, 'declaring the vendor queue failed'));
  }

  return {
    async stop() {
      unsubscribe?.();
      await scheduler.stop();
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    },
  };
}
