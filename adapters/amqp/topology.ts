import type { Channel } from 'amqplib';
import { deliveryLimit, type RetryTier, type TopologyNames } from './names.ts';

// The exchanges, queues and bindings of asyncapi.yaml as data (a plan), and one function that
// declares a plan. Declaring is idempotent: the same plan again changes nothing, so it runs at every
// (re)connect. A queue that exists with other arguments makes the broker close the channel
// (PRECONDITION_FAILED), which the caller sees as a rejected promise.

export interface ExchangePlan {
  name: string;
  type: 'topic' | 'direct';
}

export interface QueuePlan {
  name: string;
  arguments: Record<string, string | number>;
  bindings: { exchange: string; pattern: string }[];
}

export interface TopologyPlan {
  exchanges: ExchangePlan[];
  queues: QueuePlan[];
}

/** A queue ordergate or a vendor works from: bounded redeliveries, then its dead-letter queue. */
export function workQueueArguments(names: TopologyNames, queue: string): Record<string, string | number> {
  return {
    'x-queue-type': 'quorum',
    'x-delivery-limit': deliveryLimit,
    'x-dead-letter-exchange': names.deadLetterExchange,
    'x-dead-letter-routing-key': queue,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/** A tier queue: nobody consumes it; the TTL expires every message back through retry.return, routing key kept. */
export function retryQueueArguments(names: TopologyNames, tier: RetryTier): Record<string, string | number> {
  return {
    'x-queue-type': 'quorum',
    'x-message-ttl': tier.ttlMs,
    'x-dead-letter-exchange': names.retryReturnExchange,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

export const deadLetterQueueArguments: Readonly<Record<string, string>> = Object.freeze({ 'x-queue-type': 'quorum' });

/** A work queue with its two bindings and its dead-letter queue. */
function workQueue(names: TopologyNames, queue: string, exchange: string, pattern: string): QueuePlan[] {
  return [
    {
      name: queue,
      arguments: workQueueArguments(names, queue),
      bindings: [
        { exchange, pattern },
        { exchange: names.retryReturnExchange, pattern: `*.${queue}` },
      ],
    },
    {
      name: names.dlq(queue),
      arguments: { ...deadLetterQueueArguments },
      bindings: [{ exchange: names.deadLetterExchange, pattern: queue }],
    },
  ];
}

/** What every ordergate broker has, whatever vendors exist: exchanges, the reply queue, the tiers. */
export function basePlan(names: TopologyNames, tiers: readonly RetryTier[]): TopologyPlan {
  return {
    exchanges: [
      { name: names.requestsExchange, type: 'topic' },
      { name: names.repliesExchange, type: 'topic' },
      { name: names.retryExchange, type: 'topic' },
      { name: names.retryReturnExchange, type: 'topic' },
      { name: names.deadLetterExchange, type: 'direct' },
    ],
    queues: [
      ...workQueue(names, names.repliesQueue, names.repliesExchange, 'vendor.#'),
      ...tiers.map((tier) => ({
        name: names.retryQueue(tier.name),
        arguments: retryQueueArguments(names, tier),
        bindings: [{ exchange: names.retryExchange, pattern: `${tier.name}.#` }],
      })),
    ],
  };
}

/** One vendor's request queue and its dead-letter queue (the exchanges come from the base plan). */
export function vendorPlan(names: TopologyNames, vendorId: string): TopologyPlan {
  return { exchanges: [], queues: workQueue(names, names.vendorQueue(vendorId), names.requestsExchange, `vendor.${vendorId}.#`) };
}

export function mergePlans(...plans: TopologyPlan[]): TopologyPlan {
  return { exchanges: plans.flatMap((p) => p.exchanges), queues: plans.flatMap((p) => p.queues) };
}

/** Exchanges first, so every binding finds its source. */
export async function declarePlan(channel: Channel, plan: TopologyPlan): Promise<void> {
  for (const exchange of plan.exchanges) await channel.assertExchange(exchange.name, exchange.type, { durable: true, autoDelete: false });
  for (const queue of plan.queues) {
    await channel.assertQueue(queue.name, { durable: true, exclusive: false, autoDelete: false, arguments: queue.arguments });
    for (const binding of queue.bindings) await channel.bindQueue(queue.name, binding.exchange, binding.pattern);
  }
}
