import type { FastifyBaseLogger } from 'fastify';
import { readReply } from '../adapters/contract/index.ts';
import { deadLetterFacts, originOf, type Broker, type Delivery, type HandlerVerdict, type OutgoingMessage, type TopologyNames } from '../adapters/amqp/index.ts';
import { dispatchDue, insertDeadLetter, isDatabaseUnavailable, type Database, type DeadLetter, type DueRequest, type SendOutcome, type VendorChannel } from '../adapters/db/index.ts';
import { deliver, type RetryPolicy } from '../adapters/http/index.ts';
import { handleTaskEvent, type FulfillmentDeps } from '../pipeline/fulfillment.ts';
import type { Replayer } from './dead-letters.ts';

// The gateway's fulfillment side at run time: the dispatcher that sends due requests (RabbitMQ
// with confirms, or HTTP), the consumer of vendor replies, and the mover of dead letters into the
// database. Without a broker only HTTP vendors are dispatched; the rest wait in the mailbox.

export interface WorkerOptions {
  db: Database;
  fulfillment: FulfillmentDeps;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  broker?: Broker;
  /** Vendors whose queues (and dead-letter queues) exist from the start: the catalog's. */
  vendors: readonly string[];
  /** Requests per dispatch round (100). */
  batch?: number;
  /** Wait after a round that found nothing due (200 ms). */
  idleMs?: number;
  /** No broker confirm within this = not sent, tried again later (5 s). */
  confirmTimeoutMs?: number;
  /** POSTs to HTTP vendors, per dispatch round; the outbox retries later beyond it. */
  httpPolicy?: RetryPolicy;
  /** Reply handlers at once (8): each holds a database connection, and the pool (10) must keep some for orders coming in. */
  prefetch?: number;
}

export interface FulfillmentWorkers {
  /** Publishes a dead letter again where it was first published; undefined without a broker. */
  replay?: Replayer;
  stop(): Promise<void>;
}

/** A failed send waits 1 s, 2 s, 4 s... up to 5 minutes, with jitter so that dispatchers do not retry in step. */
export function retryDelayMs(attempts: number): number {
  const ceiling = Math.min(300_000, 1_000 * 2 ** Math.min(attempts, 16));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

const failure = (request: DueRequest, error: string): SendOutcome => ({ ok: false, error, retryAt: new Date(Date.now() + retryDelayMs(request.attempts)) });

const httpSendPolicy: RetryPolicy = { retries: 2, minTimeoutMs: 200, maxTimeoutMs: 2_000, timeoutMs: 10_000 };

function requestMessage(request: DueRequest, exchange: string): OutgoingMessage {
  return {
    exchange,
    routingKey: request.routingKey,
    body: JSON.stringify(request.body),
    messageId: request.messageId,
    correlationId: request.correlationId,
    type: request.type,
    appId: 'ordergate',
    timestamp: Math.floor(request.createdAt.getTime() / 1000),
  };
}

/**
 * Work for one key runs after the work for the same key that came before it. Replies to one order
 * are applied in the order they arrive (a vendor's ack, ship, complete), while replies to other
 * orders run side by side.
 */
function oneAtATimePer<T>() {
  const tails = new Map<string, Promise<unknown>>();
  return (key: string, work: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(work, work);
    tails.set(key, run);
    const forget = () => {
      if (tails.get(key) === run) tails.delete(key);
    };
    run.then(forget, forget);
    return run;
  };
}

/** One reply from the queue: checked, applied, and its verdict for the broker. */
async function onReply(deps: FulfillmentDeps, names: TopologyNames, delivery: Delivery): Promise<HandlerVerdict> {
  if (delivery.messageId === undefined || delivery.messageId === '') return { deadLetter: 'no message_id: a reply needs a stable message id' };
  // The vendor's own routing key, also for a reply back from a retry tier (`10s.<prefix>.replies`).
  const { routingKey } = originOf(delivery, names.retryReturnExchange);
  const [, vendorId, kind] = routingKey.split('.');
  let body: unknown;
  try {
    body = JSON.parse(delivery.body.toString('utf8'));
  } catch (error) {
    return { deadLetter: `the body is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const read = readReply(delivery.type ?? '', body);
  if (!read.ok) return { deadLetter: `breaks asyncapi.yaml: ${read.problems.map((p) => `${p.pointer} ${p.detail}`).join('; ')}` };
  const { reply } = read;
  if (reply.body.vendorId !== vendorId || (delivery.appId !== undefined && delivery.appId !== vendorId) || reply.type.split('.')[1] !== kind) {
    return { deadLetter: `wrong-vendor: routing key ${routingKey} and app_id ${delivery.appId ?? '(none)'} do not match a ${reply.type} from vendor ${reply.body.vendorId}` };
  }
  try {
    const result = await handleTaskEvent(deps, reply, { vendorId, messageId: delivery.messageId });
    return result.kind === 'refused' ? { deadLetter: `${result.code}: ${result.detail}` } : { ack: true };
  } catch (error) {
    // The database is down: try again in a while rather than spin on it.
    if (isDatabaseUnavailable(error)) return { retry: 'the database is unavailable' };
    throw error;
  }
}

function moveDeadLetters(db: Database, broker: Broker, queue: string) {
  return broker.consume(queue, async (delivery) => {
    const facts = deadLetterFacts(delivery);
    await insertDeadLetter(db, {
      queue: facts.queue,
      messageId: delivery.messageId ?? null,
      type: delivery.type ?? null,
      correlationId: delivery.correlationId ?? null,
      exchange: facts.originalExchange,
      routingKey: facts.originalRoutingKey,
      reason: facts.reason,
      headers: delivery.headers,
      properties: { appId: delivery.appId, timestamp: delivery.timestamp, ...delivery.properties },
      body: delivery.body.toString('utf8'),
    });
    return { ack: true };
  });
}

/** Headers the broker or ordergate added when the message died; a replay starts clean. */
const replayHeaders = (headers: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('x-death') && !name.startsWith('x-first-death') && !name.startsWith('x-last-death') && !name.startsWith('x-ordergate-')));

export function startFulfillmentWorkers(options: WorkerOptions): FulfillmentWorkers {
  const { db, broker, log } = options;
  const batch = options.batch ?? 100;
  const idleMs = options.idleMs ?? 200;
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 5_000;
  const channels: VendorChannel[] = broker === undefined ? ['http'] : ['amqp', 'http'];
  const consumers: { stop(): Promise<void> }[] = [];
  const declared = new Map<string, Promise<void>>();
  let stopped = false;

  /** A vendor's queue and DLQ, declared once, with its dead letters moved to the database. */
  const ensureVendor = (vendorId: string): Promise<void> => {
    if (broker === undefined) return Promise.resolve();
    let declaring = declared.get(vendorId);
    if (declaring === undefined) {
      declaring = broker.declareVendor(vendorId).then(() => {
        consumers.push(moveDeadLetters(db, broker, broker.names.dlq(broker.names.vendorQueue(vendorId))));
      });
      declaring.catch(() => declared.delete(vendorId));
      declared.set(vendorId, declaring);
    }
    return declaring;
  };

  async function sendOverAmqp(requests: DueRequest[]): Promise<SendOutcome[]> {
    if (broker === undefined) return requests.map((r) => failure(r, 'no broker'));
    const vendors = [...new Set(requests.map((r) => r.vendorId))];
    const failedVendors = new Map<string, string>();
    await Promise.all(vendors.map((v) => ensureVendor(v).catch((error: unknown) => failedVendors.set(v, error instanceof Error ? error.message : String(error)))));
    const publishable = requests.filter((r) => !failedVendors.has(r.vendorId));
    const outcomes = await broker.publish(publishable.map((r) => requestMessage(r, broker.names.requestsExchange)), confirmTimeoutMs);
    const byId = new Map(publishable.map((r, index) => [r.outboxId, outcomes[index]]));
    return requests.map((r) => {
      const outcome = byId.get(r.outboxId);
      if (outcome === undefined) return failure(r, `declaring the vendor's queue failed: ${failedVendors.get(r.vendorId) ?? 'unknown'}`);
      return outcome.ok ? { ok: true } : failure(r, outcome.error);
    });
  }

  async function sendOverHttp(request: DueRequest): Promise<SendOutcome> {
    if (request.baseUrl === null) return failure(request, `vendor ${request.vendorId} has no base URL`);
    const result = await deliver(
      {
        url: `${request.baseUrl.replace(/\/+$/, '')}/fulfillment-requests`,
        body: JSON.stringify(request.body),
        contentType: 'application/json',
        headers: { 'message-id': request.messageId, 'correlation-id': request.correlationId, 'message-type': request.type },
      },
      options.httpPolicy ?? httpSendPolicy,
    );
    return result.ok ? { ok: true } : failure(request, result.error);
  }

  async function send(requests: DueRequest[]): Promise<SendOutcome[]> {
    const amqp = requests.filter((r) => r.channel === 'amqp');
    const amqpOutcomes = new Map((await sendOverAmqp(amqp)).map((outcome, index) => [amqp[index]?.outboxId, outcome]));
    return Promise.all(requests.map(async (r) => amqpOutcomes.get(r.outboxId) ?? sendOverHttp(r)));
  }

  const dispatching = (async () => {
    while (!stopped) {
      try {
        const { sent, failed } = await dispatchDue(db, channels, batch, send);
        if (sent + failed === 0) await new Promise((resolve) => setTimeout(resolve, idleMs));
        else if (failed > 0) log.warn(`dispatch: ${sent} sent, ${failed} to retry later`);
      } catch (error) {
        log.error({ err: error }, 'dispatch round failed; trying again shortly');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  })();

  if (broker !== undefined) {
    const inOrder = oneAtATimePer<HandlerVerdict>();
    consumers.push(
      broker.consume(broker.names.repliesQueue, (delivery) => inOrder(delivery.correlationId ?? delivery.messageId ?? '', () => onReply(options.fulfillment, broker.names, delivery)), {
        prefetch: options.prefetch ?? 8,
      }),
    );
    consumers.push(moveDeadLetters(db, broker, broker.names.dlq(broker.names.repliesQueue)));
    for (const vendorId of options.vendors) ensureVendor(vendorId).catch((error: unknown) => log.error({ err: error, vendorId }, 'declaring the vendor queue failed'));
  }

  const replay: Replayer | undefined =
    broker === undefined
      ? undefined
      : async (letter: DeadLetter) => {
          const properties = letter.properties as { appId?: string; timestamp?: number };
          const [outcome] = await broker.publish(
            [
              {
                exchange: letter.exchange,
                routingKey: letter.routingKey,
                body: letter.body,
                messageId: letter.messageId ?? '',
                correlationId: letter.correlationId ?? '',
                type: letter.type ?? '',
                appId: properties.appId ?? 'ordergate',
                ...(properties.timestamp === undefined ? {} : { timestamp: properties.timestamp }),
                headers: replayHeaders(letter.headers),
              },
            ],
            confirmTimeoutMs,
          );
          return outcome ?? { ok: false, error: 'no outcome' };
        };

  return {
    ...(replay === undefined ? {} : { replay }),
    async stop() {
      stopped = true;
      await dispatching;
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    },
  };
}
