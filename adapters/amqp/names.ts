// Every exchange, queue and routing key of asyncapi.yaml's topology, derived from one prefix. Pure,
// so the outbox dispatcher, operators' tools and tests can name things without a broker connection.

/** A back-off tier: its name is one routing-key word (`10s`), its queue holds a message `ttlMs`. */
export interface RetryTier {
  name: string;
  ttlMs: number;
}

/** asyncapi.yaml's tiers, in the order a message climbs them. */
export const defaultRetryTiers: readonly RetryTier[] = Object.freeze([
  { name: '10s', ttlMs: 10_000 },
  { name: '1m', ttlMs: 60_000 },
  { name: '10m', ttlMs: 600_000 },
  { name: '1h', ttlMs: 3_600_000 },
]);

export const defaultPrefix = 'ordergate';

/** Deliveries a work queue allows before the broker dead-letters a message (x-delivery-limit). */
export const deliveryLimit = 5;

export interface TopologyNames {
  prefix: string;
  /** Topic exchange ordergate publishes fulfillment requests to. */
  requestsExchange: string;
  /** Topic exchange vendors publish their replies to. */
  repliesExchange: string;
  /** The quorum queue ordergate reads every vendor's replies from. */
  repliesQueue: string;
  /** Topic exchange a consumer parks a message in to try it again later (`<tier>.<queue>`). */
  retryExchange: string;
  /** Topic exchange the tier queues dead-letter into; each work queue is bound with `*.<queue>`. */
  retryReturnExchange: string;
  /** Direct exchange of dead letters, routed by the name of the queue they died in. */
  deadLetterExchange: string;
  vendorQueue(vendorId: string): string;
  /** `vendor.<vendorId>.<taskType>` on the requests exchange. */
  requestRoutingKey(vendorId: string, taskType: string): string;
  /** The dead-letter queue of a work queue. */
  dlq(queue: string): string;
  retryQueue(tier: string): string;
  /** `<tier>.<queue>` on the retry exchange: wait in the tier, then return to `queue`. */
  retryRoutingKey(tier: string, queue: string): string;
}

const routingWord = /^[a-z0-9][a-z0-9-]{0,62}$/;
const prefixPattern = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

/** asyncapi.yaml's VendorId: one routing-key word, so it can never widen a binding (`#`, `*`, `.`). */
export function isVendorId(vendorId: string): boolean {
  return routingWord.test(vendorId);
}

function word(value: string, what: string): string {
  if (!routingWord.test(value))
    throw new RangeError(`${what} ${JSON.stringify(value)} is not one routing-key word (${routingWord.source})`);
  return value;
}

export function topologyNames(prefix: string = defaultPrefix): TopologyNames {
  if (!prefixPattern.test(prefix))
    throw new RangeError(`topology prefix ${JSON.stringify(prefix)} must be dot-separated words of letters, digits, _ and -`);
  const retryExchange = `${prefix}.retry`;
  return Object.freeze({
    prefix,
    requestsExchange: `${prefix}.requests`,
    repliesExchange: `${prefix}.vendor-replies`,
    repliesQueue: `${prefix}.replies`,
    retryExchange,
    retryReturnExchange: `${prefix}.retry.return`,
    deadLetterExchange: `${prefix}.dlx`,
    vendorQueue: (vendorId: string) => `${prefix}.vendor.${word(vendorId, 'vendor id')}`,
    requestRoutingKey: (vendorId: string, taskType: string) => `vendor.${word(vendorId, 'vendor id')}.${word(taskType, 'task type')}`,
    dlq: (queue: string) => `${queue}.dlq`,
    retryQueue: (tier: string) => `${retryExchange}.${word(tier, 'retry tier')}`,
    retryRoutingKey: (tier: string, queue: string) => `${word(tier, 'retry tier')}.${queue}`,
  });
}
