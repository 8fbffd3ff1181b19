import { errorText, defaultBackoff, Link, type Logger } from './connection.ts';
import { startConsumer } from './consume.ts';
import type { Delivery } from './delivery.ts';
import { defaultPrefix, defaultRetryTiers, isVendorId, topologyNames, type RetryTier, type TopologyNames } from './names.ts';
import { Publisher, type PublishOutcome } from './publish.ts';
import { basePlan, declarePlan, mergePlans, vendorPlan } from './topology.ts';
import type { HandlerVerdict } from './verdict.ts';

// ordergate's RabbitMQ adapter: the topology of asyncapi.yaml, publishing with confirms, consuming
// with ack / retry / dead-letter verdicts, all across reconnects. This file is its only surface.

/** Pure names of every exchange, queue and routing key, for code that has no connection. */
export { defaultPrefix, defaultRetryTiers, deliveryLimit, isVendorId, topologyNames, type RetryTier, type TopologyNames } from './names.ts';
/** The declarations as data: what a test or an operator's script compares or deletes. */
export { basePlan, deadLetterQueueArguments, retryQueueArguments, vendorPlan, workQueueArguments, type TopologyPlan } from './topology.ts';
/** Reading a dead letter's origin and reason, for whoever moves DLQ messages into the database. */
export { deadLetterFacts, deathsOf, ordergateHeaders, originOf, type DeadLetterFacts, type Death } from './dead-letter.ts';
/** What a handler receives, and what it answers. */
export type { Delivery, DeliveryProperties } from './delivery.ts';
export type { HandlerVerdict } from './verdict.ts';
/** An outcome per published message: ordergate marks an outbox row sent only on ok. */
export type { PublishOutcome } from './publish.ts';
/** Full-jitter back-off, exported for the same schedule elsewhere and for its test. */
export { backoffDelay, type Logger } from './connection.ts';

export interface BrokerOptions {
  url: string;
  /** Names are `<prefix>.requests` and so on; `ordergate` gives asyncapi.yaml's names. */
  prefix?: string;
  /** Shown by the broker (`connection_name`), so an operator can tell our connection from others. */
  connectionName?: string;
  log?: Logger;
  reconnect?: { baseMs?: number; maxMs?: number };
  /** Heartbeat interval asked of the broker (5 s): a silent peer is noticed after two missed beats. */
  heartbeatSeconds?: number;
  /** The back-off tiers; only tests shorten them. Changing a deployed tier's TTL needs its queue deleted first. */
  retryTiers?: readonly RetryTier[];
  /** How long a retry or dead-letter publish of a consumed message may take before the message is requeued (10 s). */
  forwardTimeoutMs?: number;
  /** How long stopping a consumer (or close) waits for handlers in flight before closing their channel (10 s). */
  drainTimeoutMs?: number;
}

/** One message to publish; body is the JSON text (content_type application/json). */
export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  body: Buffer | string;
  messageId: string;
  correlationId: string;
  type: string;
  appId: string;
  /** Seconds since the epoch (asyncapi.yaml); now if left out. */
  timestamp?: number;
  headers?: Record<string, unknown>;
}

export interface ConsumeOptions {
  /** Unacked deliveries at once, which is also how many handlers run at once (16). */
  prefetch?: number;
}

export interface Broker {
  names: TopologyNames;
  /** Resolves once the first connection is up and the topology declared; rejects if closed before. */
  ready(): Promise<void>;
  /** Declares a vendor's queue, its bindings and its DLQ; idempotent; declared again after every reconnect. */
  declareVendor(vendorId: string): Promise<void>;
  /** Confirmed publishing: an outcome per message, in order, never an exception for broker trouble. */
  publish(messages: readonly OutgoingMessage[], timeoutMs: number): Promise<PublishOutcome[]>;
  /** Consumes with manual acks until stopped, across reconnects. */
  consume(queue: string, handler: (delivery: Delivery) => Promise<HandlerVerdict>, options?: ConsumeOptions): { stop(): Promise<void> };
  /** Called each time a connection is up and prepared (the first and every reconnect); returns the unsubscribe. */
  onConnected(listener: () => void): () => void;
  /** Stops consumers (letting their handlers finish, up to drainTimeoutMs), then closes the connection. */
  close(): Promise<void>;
}

const consoleLog: Logger = { info: (m) => console.info(m), warn: (m) => console.warn(m), error: (m) => console.error(m) };

export function connectBroker(options: BrokerOptions): Broker {
  const names = topologyNames(options.prefix ?? defaultPrefix);
  const tiers = options.retryTiers ?? defaultRetryTiers;
  const log = options.log ?? consoleLog;
  const backoff = { baseMs: options.reconnect?.baseMs ?? defaultBackoff.baseMs, maxMs: options.reconnect?.maxMs ?? defaultBackoff.maxMs };
  const vendors = new Set<string>();
  const consumers = new Set<{ stop(): Promise<void> }>();

  const link = new Link({
    url: options.url,
    connectionName: options.connectionName ?? `ordergate-${process.pid}`,
    log,
    backoff,
    ...(options.heartbeatSeconds === undefined ? {} : { heartbeatSeconds: options.heartbeatSeconds }),
    prepare: async (model) => {
      const channel = await model.createChannel();
      channel.on('error', () => undefined); // a failed declaration rejects its own call
      try {
        await declarePlan(channel, mergePlans(basePlan(names, tiers), ...[...vendors].map((id) => vendorPlan(names, id))));
      } finally {
        await channel.close().catch(() => undefined);
      }
    },
  });
  const publisher = new Publisher(link, log, backoff);

  const ready = link.waitFor(Infinity).then((session) => {
    if (session === undefined) throw new Error('broker closed before it was ready');
  });
  ready.catch(() => undefined); // a caller who never asks must not see an unhandled rejection
  link.start();

  async function declareVendor(vendorId: string): Promise<void> {
    if (!isVendorId(vendorId)) throw new RangeError(`vendor id ${JSON.stringify(vendorId)} is not one routing-key word`);
    vendors.add(vendorId);
    for (;;) {
      const session = await link.waitFor(Infinity);
      if (session === undefined) throw new Error('broker closed');
      try {
        const channel = await session.model.createChannel();
        channel.on('error', () => undefined);
        try {
          await declarePlan(channel, vendorPlan(names, vendorId));
        } finally {
          await channel.close().catch(() => undefined);
        }
        return;
      } catch (error) {
        // Lost the connection meanwhile: the next one declares it anyway, but say when it has.
        if (session.closed) continue;
        vendors.delete(vendorId);
        throw new Error(`declaring vendor ${vendorId} failed: ${errorText(error)}`);
      }
    }
  }

  return {
    names,
    ready: () => ready,
    declareVendor,
    publish: (messages, timeoutMs) =>
      publisher.publish(
        messages.map((m) => ({
          exchange: m.exchange,
          routingKey: m.routingKey,
          content: typeof m.body === 'string' ? Buffer.from(m.body, 'utf8') : m.body,
          options: {
            contentType: 'application/json',
            messageId: m.messageId,
            correlationId: m.correlationId,
            type: m.type,
            appId: m.appId,
            timestamp: m.timestamp ?? Math.floor(Date.now() / 1000),
            headers: m.headers,
          },
        })),
        timeoutMs,
      ),
    consume(queue, handler, consumeOptions) {
      const consumer = startConsumer({
        queue,
        handler,
        prefetch: consumeOptions?.prefetch ?? 16,
        link,
        publisher,
        names,
        tiers,
        log,
        backoff,
        forwardTimeoutMs: options.forwardTimeoutMs ?? 10_000,
        drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
      });
      const handle = {
        async stop() {
          consumers.delete(handle);
          await consumer.stop();
        },
      };
      consumers.add(handle);
      return handle;
    },
    onConnected: (listener) => link.subscribe(() => listener()),
    async close() {
      await Promise.all([...consumers].map((c) => c.stop()));
      await publisher.stop();
      await link.close();
    },
  };
}
