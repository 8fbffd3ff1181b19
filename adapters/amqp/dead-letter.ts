import type { Delivery } from './delivery.ts';

// Reading the broker's death records (x-death) and ordergate's own dead-letter headers, so a
// consumer of a dead-letter queue can tell where a message first went, where it died and why.

/** Headers ordergate adds when it dead-letters or retries a message itself. */
export const ordergateHeaders = Object.freeze({
  reason: 'x-ordergate-reason',
  deadLetteredAt: 'x-ordergate-dead-lettered-at',
  /** Set once, at the first retry or dead-lettering: the message's exchange and routing key before either. */
  originalExchange: 'x-ordergate-original-exchange',
  originalRoutingKey: 'x-ordergate-original-routing-key',
  /** A republished message loses user_id (the broker checks it against our user); it is kept here. */
  originalUserId: 'x-ordergate-original-user-id',
});

/**
 * The exchange and routing key a message was first published with. A message back from a retry
 * tier arrives through the retry-return exchange under `<tier>.<queue>`; only then are our own
 * x-ordergate-original-* headers believed: anyone else could write them, and a vendor must not
 * pass for another by doing so.
 */
export function originOf(
  delivery: Pick<Delivery, 'exchange' | 'routingKey' | 'headers'>,
  retryReturnExchange: string,
): { exchange: string; routingKey: string } {
  if (delivery.exchange !== retryReturnExchange) return { exchange: delivery.exchange, routingKey: delivery.routingKey };
  const exchange = delivery.headers[ordergateHeaders.originalExchange];
  const routingKey = delivery.headers[ordergateHeaders.originalRoutingKey];
  return {
    exchange: typeof exchange === 'string' ? exchange : delivery.exchange,
    routingKey: typeof routingKey === 'string' ? routingKey : delivery.routingKey,
  };
}

/** One x-death entry: the broker's record of a (queue, reason) dead-lettering, most recent first. */
export interface Death {
  queue: string;
  reason: string;
  exchange: string;
  routingKeys: string[];
  count: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function deathsOf(headers: Record<string, unknown>): Death[] {
  const entries = headers['x-death'];
  if (!Array.isArray(entries)) return [];
  return entries.filter(isRecord).map((entry) => ({
    queue: text(entry.queue) ?? '',
    reason: text(entry.reason) ?? '',
    exchange: text(entry.exchange) ?? '',
    routingKeys: Array.isArray(entry['routing-keys']) ? entry['routing-keys'].filter((k): k is string => typeof k === 'string') : [],
    count: typeof entry.count === 'number' ? entry.count : 1,
  }));
}

/** Times the message has waited in a tier queue of this retry exchange (`<prefix>.retry.<tier>`). */
export function retryPasses(headers: Record<string, unknown>, retryExchange: string): number {
  return deathsOf(headers)
    .filter((death) => death.queue.startsWith(`${retryExchange}.`))
    .reduce((sum, death) => sum + death.count, 0);
}

export interface DeadLetterFacts {
  /** Where the message was first published, before any retry or dead-lettering. */
  originalExchange: string;
  originalRoutingKey: string;
  /** ordergate's reason, else the broker's (rejected, delivery_limit, expired, maxlen), else "unknown". */
  reason: string;
  /** The queue the message died in. */
  queue: string;
}

/**
 * Where a dead letter came from and why. ordergate's own dead letters carry x-ordergate-* headers
 * and are routed by the queue they died in; the broker's carry x-death, newest first, whose head
 * is the death that brought the message here.
 */
export function deadLetterFacts(delivery: Pick<Delivery, 'queue' | 'exchange' | 'routingKey' | 'headers'>): DeadLetterFacts {
  const headers = delivery.headers;
  const deaths = deathsOf(headers);
  const latest = deaths[0];
  const ours = text(headers[ordergateHeaders.reason]);
  const originalExchange =
    text(headers[ordergateHeaders.originalExchange]) ?? latest?.exchange ?? text(headers['x-first-death-exchange']) ?? delivery.exchange;
  const originalRoutingKey = text(headers[ordergateHeaders.originalRoutingKey]) ?? latest?.routingKeys[0] ?? delivery.routingKey;
  if (ours !== undefined) return { originalExchange, originalRoutingKey, reason: ours, queue: delivery.routingKey };
  return {
    originalExchange,
    originalRoutingKey,
    reason: latest?.reason || text(headers['x-first-death-reason']) || 'unknown',
    queue: latest?.queue || text(headers['x-first-death-queue']) || delivery.queue,
  };
}
