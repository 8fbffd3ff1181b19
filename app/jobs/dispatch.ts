import type { Broker, OutgoingMessage } from '../../adapters/amqp/index.ts';
import { dispatchDue, type Database, type DueRequest, type SendOutcome, type VendorChannel } from '../../adapters/db/index.ts';
import { deliver, type OutboundClient, type RetryPolicy } from '../../adapters/http/index.ts';
import type { Job } from '../scheduler.ts';
import type { VendorQueues } from './vendor-queues.ts';

// The outbox dispatcher: claims due fulfillment requests (any number of instances at once) and
// sends them, RabbitMQ vendors with confirmed publishes, HTTP vendors with a POST; a request is
// marked sent only on the broker's confirm or a 2xx, otherwise tried again later.

export interface DispatchOptions {
  db: Database;
  broker?: Broker;
  vendorQueues?: VendorQueues;
  log: { warn(message: string): void };
  /** Requests per dispatch round: claimed in one statement, published together, their confirms awaited together. */
  batch: number;
  /** Rounds at once, each in its own transaction. */
  rounds: number;
  /** Wait after a round that found nothing due. */
  idleMs: number;
  /** No broker confirm within this = not sent, tried again later. */
  confirmTimeoutMs: number;
  /** POSTs to HTTP vendors, per dispatch round; the outbox retries later beyond it. */
  httpPolicy: RetryPolicy;
  /** The admin-set side of the outbound policy: each vendor's baseUrl is judged again for every connection. */
  outbound: OutboundClient;
}

/** A failed send waits 1 s, 2 s, 4 s... up to 5 minutes, with jitter so that dispatchers do not retry in step. */
export function retryDelayMs(attempts: number): number {
  const ceiling = Math.min(300_000, 1_000 * 2 ** Math.min(attempts, 16));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

const failure = (request: DueRequest, error: string): SendOutcome => ({
  ok: false,
  error,
  retryAt: new Date(Date.now() + retryDelayMs(request.attempts)),
});

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

export function dispatchJob(options: DispatchOptions): Job {
  const { db, broker, vendorQueues } = options;
  // Without a broker only HTTP vendors are dispatched; the rest wait in the mailbox.
  const channels: VendorChannel[] = broker === undefined ? ['http'] : ['amqp', 'http'];

  async function sendOverAmqp(requests: DueRequest[]): Promise<SendOutcome[]> {
    if (broker === undefined || vendorQueues === undefined) return requests.map((r) => failure(r, 'no broker'));
    const vendors = [...new Set(requests.map((r) => r.vendorId))];
    const failedVendors = new Map<string, string>();
    await Promise.all(
      vendors.map((v) =>
        vendorQueues(v).catch((error: unknown) => failedVendors.set(v, error instanceof Error ? error.message : String(error))),
      ),
    );
    const publishable = requests.filter((r) => !failedVendors.has(r.vendorId));
    const outcomes = await broker.publish(
      publishable.map((r) => requestMessage(r, broker.names.requestsExchange)),
      options.confirmTimeoutMs,
    );
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
      options.httpPolicy,
      options.outbound,
    );
    // Only operators read the outbox: it keeps the detail (the status code and the start of the answer).
    return result.ok ? { ok: true } : failure(request, result.detail);
  }

  async function send(requests: DueRequest[]): Promise<SendOutcome[]> {
    const amqp = requests.filter((r) => r.channel === 'amqp');
    const amqpOutcomes = new Map((await sendOverAmqp(amqp)).map((outcome, index) => [amqp[index]?.outboxId, outcome]));
    return Promise.all(requests.map(async (r) => amqpOutcomes.get(r.outboxId) ?? sendOverHttp(r)));
  }

  return {
    name: 'dispatch',
    everyMs: options.idleMs,
    afterFailureMs: 1_000,
    async run() {
      // Rounds side by side claim different rows (SKIP LOCKED): one records its outcomes while another waits for its confirms.
      // All end before the run does, a failed one too, so that the next run never overlaps this one's.
      const rounds = await Promise.allSettled(Array.from({ length: options.rounds }, () => dispatchDue(db, channels, options.batch, send)));
      const thrown = rounds.find((r) => r.status === 'rejected');
      if (thrown !== undefined) throw thrown.reason;
      const done = rounds.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const sent = done.reduce((n, r) => n + r.sent, 0);
      const failed = done.reduce((n, r) => n + r.failed, 0);
      if (failed > 0) options.log.warn(`dispatch: ${sent} sent, ${failed} to retry later`);
      return sent + failed > 0;
    },
  };
}
