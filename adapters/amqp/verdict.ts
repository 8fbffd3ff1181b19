import type { Message, Options } from 'amqplib';
import { ordergateHeaders, originOf, retryPasses } from './dead-letter.ts';
import type { Delivery } from './delivery.ts';
import type { RetryTier, TopologyNames } from './names.ts';

// What a handler's verdict means on the wire, decided in one place: ack; or send the message on
// (to a retry tier, or to the dead-letter exchange) and ack only once that is confirmed.

/**
 * `hold`: the gateway itself cannot apply the message now (its database is down): the consumer keeps
 * it unsettled, stops taking more, and runs the handler again until it can — a failure of ours never
 * uses up the message's delivery limit or sends it through the retry tiers.
 */
export type HandlerVerdict = { ack: true } | { retry: string } | { deadLetter: string } | { hold: string };

export type VerdictAction =
  { kind: 'ack' } | { kind: 'forward'; exchange: string; routingKey: string; headers: Record<string, unknown>; describe: string };

export function decideVerdict(
  verdict: Exclude<HandlerVerdict, { hold: string }>,
  delivery: Delivery,
  names: TopologyNames,
  tiers: readonly RetryTier[],
  now: Date,
): VerdictAction {
  if ('ack' in verdict) return { kind: 'ack' };
  const origin = originOf(delivery, names.retryReturnExchange);
  const original = { [ordergateHeaders.originalExchange]: origin.exchange, [ordergateHeaders.originalRoutingKey]: origin.routingKey };
  let reason: string;
  if ('retry' in verdict) {
    const passes = retryPasses(delivery.headers, names.retryExchange);
    const tier = tiers[passes];
    if (tier !== undefined) {
      return {
        kind: 'forward',
        exchange: names.retryExchange,
        routingKey: names.retryRoutingKey(tier.name, delivery.queue),
        headers: original,
        describe: `retry ${passes + 1} in ${tier.name} (${verdict.retry})`,
      };
    }
    reason = `retries exhausted: ${verdict.retry}`;
  } else {
    reason = verdict.deadLetter;
  }
  return {
    kind: 'forward',
    exchange: names.deadLetterExchange,
    routingKey: delivery.queue,
    headers: { ...original, [ordergateHeaders.reason]: reason, [ordergateHeaders.deadLetteredAt]: now.toISOString() },
    describe: `dead-lettered (${reason})`,
  };
}

/**
 * The message's own properties for sending it on unchanged: same id, body, type, headers. Two
 * things cannot travel as they came: user_id (the broker checks it against the publishing user,
 * so it moves to a header) and x-delivery-count (the queue's count of this stay, not the next).
 * x-death counts go back as 64-bit integers, the only width the broker keeps counting on.
 */
export function forwardOptions(message: Message, extraHeaders: Record<string, unknown>): Options.Publish {
  const p = message.properties;
  const headers: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(p.headers ?? {})) {
    if (key === 'x-delivery-count') continue;
    headers[key] = key === 'x-death' && Array.isArray(value) ? value.map(longCounts) : value;
  }
  if (typeof p.userId === 'string' && headers[ordergateHeaders.originalUserId] === undefined)
    headers[ordergateHeaders.originalUserId] = p.userId;
  Object.assign(headers, extraHeaders);
  return {
    contentType: p.contentType,
    contentEncoding: p.contentEncoding,
    headers,
    deliveryMode: 2,
    priority: p.priority,
    correlationId: p.correlationId,
    replyTo: p.replyTo,
    expiration: p.expiration,
    messageId: p.messageId,
    timestamp: p.timestamp,
    type: p.type,
    appId: p.appId,
  };
}

function longCounts(entry: unknown): unknown {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return entry;
  const record = entry as Record<string, unknown>;
  return typeof record.count === 'number' ? { ...record, count: { '!': 'long', value: record.count } } : record;
}
