import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { backoffDelay } from './connection.ts';
import { defaultRetryTiers, topologyNames } from './names.ts';
import { basePlan, vendorPlan, type QueuePlan } from './topology.ts';

// With the default prefix the adapter declares exactly asyncapi.yaml's topology: every name,
// queue argument and binding is read from the contract and compared with the plan.

type Json = Record<string, unknown>;
const contract = parseYaml(readFileSync(new URL('../../asyncapi.yaml', import.meta.url), 'utf8')) as {
  channels: Record<string, { bindings: { amqp: Json } }>;
};
const amqpOf = (channel: string): Json => {
  const found = contract.channels[channel];
  if (found === undefined) throw new Error(`asyncapi.yaml has no channel ${channel}`);
  return found.bindings.amqp;
};
const fill = (text: string, params: Record<string, string>): string =>
  text.replace(/\{(\w+)\}/g, (_, key: string) => params[key] ?? `{${key}}`);

/** A queue channel of the contract as a plan entry (parameters filled in). */
function contractQueue(channel: string, params: Record<string, string>, ttl?: number): QueuePlan {
  const binding = amqpOf(channel);
  const queue = binding.queue as { name: string; durable: boolean; exclusive: boolean; autoDelete: boolean };
  expect(queue).toMatchObject({ durable: true, exclusive: false, autoDelete: false });
  const args = Object.fromEntries(
    Object.entries(binding['x-arguments'] as Json).map(([key, value]) => [
      key,
      key === 'x-message-ttl' ? ttl : typeof value === 'string' ? fill(value, params) : value,
    ]),
  ) as Record<string, string | number>;
  const bindings = (binding['x-bindings'] as { exchange: string; routingKey: string }[]).map((b) => ({
    exchange: b.exchange,
    pattern: fill(b.routingKey, params),
  }));
  return { name: fill(queue.name, params), arguments: args, bindings };
}

const names = topologyNames();
const base = basePlan(names, defaultRetryTiers);
const vendor = vendorPlan(names, 'vendor-a');
const planned = (name: string): QueuePlan | undefined => [...base.queues, ...vendor.queues].find((q) => q.name === name);

describe('topology names and plan against asyncapi.yaml', () => {
  it('names the exchanges as the contract does, with its types', () => {
    const exchangeOf = (channel: string): { name: string; type: string } => amqpOf(channel).exchange as { name: string; type: string };
    expect(base.exchanges).toEqual(
      expect.arrayContaining([
        { name: names.requestsExchange, type: exchangeOf('fulfillmentRequests').type },
        { name: names.repliesExchange, type: exchangeOf('vendorReplies').type },
        { name: names.retryExchange, type: exchangeOf('retry').type },
        { name: names.deadLetterExchange, type: exchangeOf('deadLetters').type },
        { name: 'ordergate.retry.return', type: 'topic' },
      ]),
    );
    expect([names.requestsExchange, names.repliesExchange, names.retryExchange, names.deadLetterExchange]).toEqual(
      ['fulfillmentRequests', 'vendorReplies', 'retry', 'deadLetters'].map((c) => exchangeOf(c).name),
    );
    expect(JSON.stringify(contract)).toContain('topic exchange `ordergate.retry.return`');
  });

  it('declares every queue of the contract with its arguments and bindings', () => {
    const expected = [
      contractQueue('vendorQueue', { vendorId: 'vendor-a' }),
      contractQueue('vendorDeadLetterQueue', { vendorId: 'vendor-a' }),
      contractQueue('gatewayReplies', {}),
      contractQueue('repliesDeadLetterQueue', {}),
    ];
    const ttls = (amqpOf('retryQueue')['x-arguments'] as Json)['x-message-ttl'] as Record<string, number>;
    for (const tier of defaultRetryTiers) expected.push(contractQueue('retryQueue', { tier: tier.name }, ttls[tier.name]));
    for (const queue of expected) expect(planned(queue.name), queue.name).toEqual(queue);
    expect([...base.queues, ...vendor.queues].map((q) => q.name).sort()).toEqual(expected.map((q) => q.name).sort());
    expect(defaultRetryTiers.map((t) => t.name)).toEqual(
      (contract as unknown as { components: { parameters: { tier: { enum: string[] } } } }).components.parameters.tier.enum,
    );
  });

  it('builds routing keys the contract describes', () => {
    expect(names.requestRoutingKey('vendor-a', 'ship')).toBe('vendor.vendor-a.ship');
    expect(names.retryRoutingKey('1m', names.vendorQueue('vendor-a'))).toBe('1m.ordergate.vendor.vendor-a');
    expect(names.dlq(names.repliesQueue)).toBe('ordergate.replies.dlq');
  });

  it('refuses a vendor id or prefix that would widen a binding', () => {
    for (const bad of ['a.b', '#', '*', 'A', '', 'x y']) expect(() => names.vendorQueue(bad), bad).toThrow(RangeError);
    expect(() => topologyNames('a#b')).toThrow(RangeError);
    expect(topologyNames('t1a2b3').vendorQueue('v')).toBe('t1a2b3.vendor.v');
  });
});

describe('backoffDelay', () => {
  it('is full jitter under a capped exponential', () => {
    const backoff = { baseMs: 200, maxMs: 10_000 };
    expect(backoffDelay(0, backoff, () => 0.999)).toBe(199);
    expect(backoffDelay(3, backoff, () => 0.5)).toBe(800);
    expect(backoffDelay(10, backoff, () => 0.999)).toBe(9990);
    expect(backoffDelay(1000, backoff, () => 0)).toBe(0);
  });
});
