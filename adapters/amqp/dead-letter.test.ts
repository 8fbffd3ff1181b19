import type { Message } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { deadLetterFacts, originOf, retryPasses } from './dead-letter.ts';
import type { Delivery } from './delivery.ts';
import { defaultRetryTiers, topologyNames } from './names.ts';
import { decideVerdict, forwardOptions } from './verdict.ts';

// The pure half of consuming: where a dead letter came from and why, and what each verdict sends
// where. The broker-facing half is in consume.test.ts.

const names = topologyNames('ordergate');
const queue = names.vendorQueue('vendor-a');
const death = (q: string, reason: string, exchange: string, routingKey: string, count = 1) => ({
  count,
  reason,
  queue: q,
  time: { '!': 'timestamp', value: 1 },
  exchange,
  'routing-keys': [routingKey],
});

function delivery(over: Partial<Delivery>): Delivery {
  return {
    queue,
    routingKey: 'vendor.vendor-a.ship',
    exchange: names.requestsExchange,
    headers: {},
    body: Buffer.from('{}'),
    redelivered: false,
    deliveryCount: 0,
    properties: {},
    ...over,
  };
}

describe('deadLetterFacts', () => {
  it('reads a message the broker dead-lettered from its newest x-death entry', () => {
    const facts = deadLetterFacts(
      delivery({
        queue: names.dlq(queue),
        exchange: names.deadLetterExchange,
        routingKey: queue,
        headers: {
          'x-death': [death(queue, 'delivery_limit', names.requestsExchange, 'vendor.vendor-a.ship')],
          'x-first-death-reason': 'delivery_limit',
        },
      }),
    );
    expect(facts).toEqual({
      originalExchange: names.requestsExchange,
      originalRoutingKey: 'vendor.vendor-a.ship',
      reason: 'delivery_limit',
      queue,
    });
  });

  it('keeps the first publication of a message that went through retry tiers before the broker gave up on it', () => {
    const facts = deadLetterFacts(
      delivery({
        queue: names.dlq(queue),
        exchange: names.deadLetterExchange,
        routingKey: queue,
        headers: {
          'x-death': [
            death(queue, 'rejected', names.retryReturnExchange, `10s.${queue}`),
            death(names.retryQueue('10s'), 'expired', names.retryExchange, `10s.${queue}`),
          ],
          'x-first-death-reason': 'expired',
          'x-ordergate-original-exchange': names.requestsExchange,
          'x-ordergate-original-routing-key': 'vendor.vendor-a.ship',
        },
      }),
    );
    expect(facts).toEqual({
      originalExchange: names.requestsExchange,
      originalRoutingKey: 'vendor.vendor-a.ship',
      reason: 'rejected',
      queue,
    });
  });

  it('reads ordergate’s own dead letter from its headers and routing key', () => {
    const facts = deadLetterFacts(
      delivery({
        queue: names.dlq(names.repliesQueue),
        exchange: names.deadLetterExchange,
        routingKey: names.repliesQueue,
        headers: {
          'x-ordergate-reason': 'unknown task',
          'x-ordergate-original-exchange': names.repliesExchange,
          'x-ordergate-original-routing-key': 'vendor.vendor-a.ack',
        },
      }),
    );
    expect(facts).toEqual({
      originalExchange: names.repliesExchange,
      originalRoutingKey: 'vendor.vendor-a.ack',
      reason: 'unknown task',
      queue: names.repliesQueue,
    });
  });

  it('says "unknown" for a message that never died', () => {
    expect(deadLetterFacts(delivery({}))).toEqual({
      originalExchange: names.requestsExchange,
      originalRoutingKey: 'vendor.vendor-a.ship',
      reason: 'unknown',
      queue,
    });
  });
});

describe('decideVerdict', () => {
  const now = new Date('2025-03-04T10:00:00Z');
  const afterPasses = (passes: number): Delivery =>
    delivery({
      headers:
        passes === 0
          ? {}
          : {
              'x-death': defaultRetryTiers
                .slice(0, passes)
                .map((t) => death(names.retryQueue(t.name), 'expired', names.retryExchange, `${t.name}.${queue}`)),
              // Set by the first retry, kept since.
              'x-ordergate-original-exchange': names.requestsExchange,
              'x-ordergate-original-routing-key': 'vendor.vendor-a.ship',
            },
      exchange: passes === 0 ? names.requestsExchange : names.retryReturnExchange,
      routingKey: passes === 0 ? 'vendor.vendor-a.ship' : `${defaultRetryTiers[passes - 1]?.name}.${queue}`,
    });

  it('acks an ack', () => {
    expect(decideVerdict({ ack: true }, delivery({}), names, defaultRetryTiers, now)).toEqual({ kind: 'ack' });
  });

  it('climbs the tiers by the passes x-death counts, then dead-letters', () => {
    const routes = [0, 1, 2, 3, 4].map((passes) => {
      const action = decideVerdict({ retry: 'vendor down' }, afterPasses(passes), names, defaultRetryTiers, now);
      return action.kind === 'forward' ? `${action.exchange} ${action.routingKey}` : action.kind;
    });
    expect(routes).toEqual([
      `ordergate.retry 10s.${queue}`,
      `ordergate.retry 1m.${queue}`,
      `ordergate.retry 10m.${queue}`,
      `ordergate.retry 1h.${queue}`,
      `ordergate.dlx ${queue}`,
    ]);
    const exhausted = decideVerdict({ retry: 'vendor down' }, afterPasses(4), names, defaultRetryTiers, now);
    expect(exhausted.kind === 'forward' && exhausted.headers).toMatchObject({
      'x-ordergate-reason': 'retries exhausted: vendor down',
      'x-ordergate-original-exchange': names.requestsExchange,
      'x-ordergate-original-routing-key': 'vendor.vendor-a.ship',
    });
    const first = decideVerdict({ retry: 'vendor down' }, afterPasses(0), names, defaultRetryTiers, now);
    expect(first.kind === 'forward' && first.headers).toEqual({
      'x-ordergate-original-exchange': names.requestsExchange,
      'x-ordergate-original-routing-key': 'vendor.vendor-a.ship',
    });
  });

  it('counts a tier passed twice twice, and ignores deaths elsewhere', () => {
    const headers = {
      'x-death': [
        death(names.retryQueue('10s'), 'expired', names.retryExchange, 'x', 2),
        death(queue, 'rejected', names.requestsExchange, 'y', 3),
      ],
    };
    expect(retryPasses(headers, names.retryExchange)).toBe(2);
  });

  it('dead-letters to the dlx by the queue name, with reason and time', () => {
    const action = decideVerdict({ deadLetter: 'bad payload' }, delivery({}), names, defaultRetryTiers, now);
    expect(action).toEqual({
      kind: 'forward',
      exchange: 'ordergate.dlx',
      routingKey: queue,
      headers: {
        'x-ordergate-reason': 'bad payload',
        'x-ordergate-dead-lettered-at': '2025-03-04T10:00:00.000Z',
        'x-ordergate-original-exchange': names.requestsExchange,
        'x-ordergate-original-routing-key': 'vendor.vendor-a.ship',
      },
      describe: 'dead-lettered (bad payload)',
    });
  });
});

describe('forwardOptions', () => {
  it('keeps the message as it was, but for user_id, x-delivery-count and the width of x-death counts', () => {
    const message = {
      content: Buffer.from('{}'),
      fields: {},
      properties: {
        contentType: 'application/json',
        contentEncoding: undefined,
        headers: { 'x-delivery-count': 2, 'x-death': [death('q', 'expired', 'e', 'k')], keep: 'me' },
        deliveryMode: 2,
        priority: undefined,
        correlationId: 'order-1',
        replyTo: undefined,
        expiration: undefined,
        messageId: 'm-1',
        timestamp: 1740992400,
        type: 'fulfillment.ack.v1',
        userId: 'vendor-a',
        appId: 'vendor-a',
        clusterId: undefined,
      },
    } as unknown as Message;
    const options = forwardOptions(message, { extra: 1 });
    expect(options).toMatchObject({
      contentType: 'application/json',
      deliveryMode: 2,
      correlationId: 'order-1',
      messageId: 'm-1',
      timestamp: 1740992400,
      type: 'fulfillment.ack.v1',
      appId: 'vendor-a',
    });
    expect(options.userId).toBeUndefined();
    expect(options.headers).toEqual({
      keep: 'me',
      extra: 1,
      'x-ordergate-original-user-id': 'vendor-a',
      'x-death': [{ ...death('q', 'expired', 'e', 'k'), count: { '!': 'long', value: 1 } }],
    });
  });
});

describe('originOf', () => {
  const claimed = { 'x-ordergate-original-exchange': names.repliesExchange, 'x-ordergate-original-routing-key': 'vendor.vendor-b.ack' };

  it('reads the first routing key of a message back from a retry tier from our own headers', () => {
    const back = { exchange: names.retryReturnExchange, routingKey: `10s.${names.repliesQueue}`, headers: claimed };
    expect(originOf(back, names.retryReturnExchange)).toEqual({ exchange: names.repliesExchange, routingKey: 'vendor.vendor-b.ack' });
  });

  it('does not believe those headers on a message a vendor published itself', () => {
    const forged = { exchange: names.repliesExchange, routingKey: 'vendor.vendor-a.ack', headers: claimed };
    expect(originOf(forged, names.retryReturnExchange)).toEqual({ exchange: names.repliesExchange, routingKey: 'vendor.vendor-a.ack' });
    const verdict = decideVerdict(
      { retry: 'later' },
      delivery({ ...forged, queue: names.repliesQueue }),
      names,
      defaultRetryTiers,
      new Date(),
    );
    expect(verdict).toMatchObject({ headers: { 'x-ordergate-original-routing-key': 'vendor.vendor-a.ack' } });
  });
});
