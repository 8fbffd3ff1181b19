import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBroker, deadLetterFacts, type Broker, type Delivery, type HandlerVerdict, type OutgoingMessage } from './index.ts';
import { topologyNames } from './names.ts';
import { brokerUrl, deleteTopology, memoryLog, quickTiers, rawBroker, testPrefix, waitUntil } from './test-support.ts';

// Consuming with verdicts on a real broker: ack; a handler that throws is requeued until the
// queue's delivery limit dead-letters it; a dead-letter verdict reaches the DLQ with our reason; a
// retry verdict returns the message, unchanged, through the tiers until they run out. The tiers
// are 200 ms here instead of 10 s to 1 h. A hold verdict (the gateway's own database is down) keeps
// the message, tries it again in-process and takes nothing more meanwhile: no delivery is used up.

const prefix = testPrefix();
const names = topologyNames(prefix);
const vendors = ['ack', 'throw', 'dead', 'retry', 'exhaust', 'hold'];
const plainQueue = `${prefix}.plain`;
const log = memoryLog();
let broker: Broker;

const request = (vendorId: string, messageId: string, headers?: Record<string, unknown>): OutgoingMessage => ({
  exchange: names.requestsExchange,
  routingKey: `vendor.${vendorId}.ship`,
  body: JSON.stringify({ messageId }),
  messageId,
  correlationId: 'order-1',
  type: 'fulfillment.request.v1',
  appId: 'ordergate',
  timestamp: 1740992400,
  headers,
});

async function send(...messages: OutgoingMessage[]): Promise<void> {
  expect(await broker.publish(messages, 5_000)).toEqual(messages.map(() => ({ ok: true })));
}

/** Consumes `queue` into a list, answering with `verdict`, until the test is done. */
function collect(
  queue: string,
  verdict: (d: Delivery, seen: Delivery[]) => HandlerVerdict,
  prefetch?: number,
): { seen: Delivery[]; stop(): Promise<void> } {
  const seen: Delivery[] = [];
  const consumer = broker.consume(
    queue,
    async (d) => {
      seen.push(d);
      return verdict(d, seen);
    },
    prefetch === undefined ? undefined : { prefetch },
  );
  return { seen, stop: () => consumer.stop() };
}

/** Reads a dead-letter queue as the gateway would: consume it and ack. */
async function readDeadLetters(queue: string, count: number): Promise<Delivery[]> {
  const dlq = collect(names.dlq(queue), () => ({ ack: true }));
  try {
    await waitUntil(`${count} dead letters in ${names.dlq(queue)}`, () => dlq.seen.length >= count);
    return dlq.seen;
  } finally {
    await dlq.stop();
  }
}

beforeAll(async () => {
  broker = connectBroker({ url: brokerUrl, prefix, connectionName: `amqp-test-consume-${prefix}`, log, retryTiers: quickTiers });
  await broker.ready();
  await Promise.all(vendors.map((v) => broker.declareVendor(v)));
});

afterAll(async () => {
  await broker.close();
  await deleteTopology(prefix, vendors, quickTiers, [plainQueue]);
});

describe('consume', () => {
  it('acks what the handler accepts and hands it every property', async () => {
    const consumer = collect(names.vendorQueue('ack'), () => ({ ack: true }));
    await send(request('ack', 'a-1', { 'x-trace': 'abc' }));
    await waitUntil('the delivery', () => consumer.seen.length === 1);
    await consumer.stop();
    expect(consumer.seen[0]).toMatchObject({
      queue: names.vendorQueue('ack'),
      exchange: names.requestsExchange,
      routingKey: 'vendor.ack.ship',
      messageId: 'a-1',
      correlationId: 'order-1',
      type: 'fulfillment.request.v1',
      appId: 'ordergate',
      timestamp: 1740992400,
      headers: { 'x-trace': 'abc' },
      redelivered: false,
      deliveryCount: 0,
      properties: { contentType: 'application/json', deliveryMode: 2 },
    });
    expect(consumer.seen[0]?.body.toString()).toBe('{"messageId":"a-1"}');
    const { model, channel } = await rawBroker();
    try {
      expect((await channel.checkQueue(names.vendorQueue('ack'))).messageCount).toBe(0);
    } finally {
      await model.close();
    }
  });

  it('keeps a held message, runs its handler again until it goes through, and takes nothing more meanwhile', async () => {
    const queue = names.vendorQueue('hold');
    let holds = 3;
    const consumer = collect(queue, (d) =>
      d.messageId === 'held' && holds-- > 0 ? { hold: 'the database is unavailable' } : { ack: true },
    );
    await send(request('hold', 'held'));
    await waitUntil('the consumer paused', () => log.has(new RegExp(`consumer of ${queue} paused: the database is unavailable`)));
    await send(request('hold', 'next'));
    await waitUntil('both acked', () => consumer.seen.filter((d) => d.messageId === 'next').length === 1, 15_000);
    await consumer.stop();
    // Four runs of the one delivery (three holds, then the ack), and only then the next message.
    expect(consumer.seen.map((d) => d.messageId)).toEqual(['held', 'held', 'held', 'held', 'next']);
    // Held in-process: never returned to the queue, so no redelivery counts against its limit.
    expect(consumer.seen.map((d) => [d.deliveryCount, d.redelivered])).toEqual([
      [0, false],
      [0, false],
      [0, false],
      [0, false],
      [0, false],
    ]);
    expect(log.has(new RegExp(`consumer of ${queue} resumed after \\d+ ms`))).toBe(true);
    const { model, channel } = await rawBroker();
    try {
      expect((await channel.checkQueue(queue)).messageCount).toBe(0);
      expect((await channel.checkQueue(names.dlq(queue))).messageCount).toBe(0);
    } finally {
      await model.close();
    }
  });

  it('requeues a message whose handler throws until the delivery limit dead-letters it, and goes on with the next', async () => {
    const queue = names.vendorQueue('throw');
    const consumer = collect(queue, (d) => {
      if (d.messageId === 'poison') throw new Error('cannot parse');
      return { ack: true };
    });
    await send(request('throw', 'poison'), request('throw', 'fine'));
    const [dead] = await readDeadLetters(queue, 1);
    await consumer.stop();
    const poison = consumer.seen.filter((d) => d.messageId === 'poison');
    // x-delivery-limit 5: the first delivery and five redeliveries, then the dlx.
    expect(poison.map((d) => [d.deliveryCount, d.redelivered])).toEqual([
      [0, false],
      [1, true],
      [2, true],
      [3, true],
      [4, true],
      [5, true],
    ]);
    expect(consumer.seen.filter((d) => d.messageId === 'fine')).toHaveLength(1);
    expect(dead?.messageId).toBe('poison');
    expect(deadLetterFacts(dead!)).toEqual({
      originalExchange: names.requestsExchange,
      originalRoutingKey: 'vendor.throw.ship',
      reason: 'delivery_limit',
      queue,
    });
    expect(log.has(/handler threw on message poison from .* \(delivery 6\): cannot parse; requeued/)).toBe(true);
  });

  it('dead-letters on the verdict, with reason and time, and goes on with the next message', async () => {
    const queue = names.vendorQueue('dead');
    const consumer = collect(queue, (d) => (d.messageId === 'bad' ? { deadLetter: 'unknown sku' } : { ack: true }), 1);
    await send(request('dead', 'bad', { 'x-trace': 'abc' }), request('dead', 'good'));
    await waitUntil('both messages', () => consumer.seen.length === 2);
    const [dead] = await readDeadLetters(queue, 1);
    await consumer.stop();
    expect(consumer.seen.map((d) => d.messageId)).toEqual(['bad', 'good']);
    expect(dead).toMatchObject({
      messageId: 'bad',
      exchange: names.deadLetterExchange,
      routingKey: queue,
      correlationId: 'order-1',
      type: 'fulfillment.request.v1',
    });
    expect(dead?.body.toString()).toBe('{"messageId":"bad"}');
    expect(dead?.headers).toMatchObject({ 'x-trace': 'abc', 'x-ordergate-reason': 'unknown sku' });
    expect(Date.now() - Date.parse(String(dead?.headers['x-ordergate-dead-lettered-at']))).toBeLessThan(60_000);
    expect(deadLetterFacts(dead!)).toEqual({
      originalExchange: names.requestsExchange,
      originalRoutingKey: 'vendor.dead.ship',
      reason: 'unknown sku',
      queue,
    });
  });

  it('returns a retried message to its queue after the tier’s wait, unchanged', async () => {
    const queue = names.vendorQueue('retry');
    const consumer = collect(queue, (_d, seen) => (seen.length === 1 ? { retry: 'vendor busy' } : { ack: true }));
    const sentAt = Date.now();
    await send(request('retry', 'again', { 'x-trace': 'abc' }));
    await waitUntil('the return from the tier', () => consumer.seen.length === 2);
    const waited = Date.now() - sentAt;
    await consumer.stop();
    const [first, second] = consumer.seen;
    expect(waited).toBeGreaterThanOrEqual(200);
    expect(second).toMatchObject({
      queue,
      exchange: names.retryReturnExchange,
      routingKey: `10s.${queue}`,
      messageId: 'again',
      correlationId: first?.correlationId,
      type: first?.type,
      appId: first?.appId,
      timestamp: first?.timestamp,
      properties: first?.properties,
      headers: {
        'x-trace': 'abc',
        'x-ordergate-original-exchange': names.requestsExchange,
        'x-ordergate-original-routing-key': 'vendor.retry.ship',
      },
    });
    expect(second?.body.equals(first!.body)).toBe(true);
    expect(second?.headers['x-death']).toEqual([expect.objectContaining({ queue: names.retryQueue('10s'), reason: 'expired', count: 1 })]);
  });

  it('climbs every tier once, then dead-letters with "retries exhausted"', async () => {
    const queue = names.vendorQueue('exhaust');
    const consumer = collect(queue, () => ({ retry: 'vendor down' }));
    await send(request('exhaust', 'never'));
    const [dead] = await readDeadLetters(queue, 1);
    await consumer.stop();
    expect(consumer.seen.map((d) => d.routingKey)).toEqual(['vendor.exhaust.ship', ...quickTiers.map((t) => `${t.name}.${queue}`)]);
    expect(deadLetterFacts(dead!)).toEqual({
      originalExchange: names.requestsExchange,
      originalRoutingKey: 'vendor.exhaust.ship',
      reason: 'retries exhausted: vendor down',
      queue,
    });
  });

  it('requeues the message when its dead letter cannot be published', async () => {
    // A queue with no DLQ bound for it: the dead-letter publish comes back unroutable.
    const { model, channel } = await rawBroker();
    try {
      await channel.assertQueue(plainQueue, { durable: true });
      channel.sendToQueue(plainQueue, Buffer.from('{}'), { messageId: 'orphan', persistent: true });
      await channel.waitForConfirms();
    } finally {
      await model.close();
    }
    const consumer = collect(plainQueue, (_d, seen) => (seen.length === 1 ? { deadLetter: 'bad' } : { ack: true }));
    await waitUntil('the redelivery', () => consumer.seen.length === 2);
    await consumer.stop();
    expect(consumer.seen.map((d) => [d.messageId, d.redelivered])).toEqual([
      ['orphan', false],
      ['orphan', true],
    ]);
    expect(log.has(/message orphan from .*: could not be dead-lettered \(bad\) \(unroutable: .*\); requeued/)).toBe(true);
  });
});
