import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBroker, type Broker, type Delivery, type HandlerVerdict, type OutgoingMessage } from './index.ts';
import { topologyNames } from './names.ts';
import { brokerUrl, closeConnectionNamed, deleteTopology, memoryLog, rawBroker, testPrefix, waitUntil } from './test-support.ts';

// Losing the connection (closed from the broker's side with rabbitmqctl, only ours): the adapter
// reconnects, declares the topology again with every vendor, resumes its consumers and confirms
// later publishes; and a verdict for a delivery whose channel died with the connection is dropped,
// never applied to the new channel, where the same delivery tag names another delivery.

const prefix = testPrefix();
const names = topologyNames(prefix);
const connectionName = `amqp-test-reconnect-${prefix}`;
const log = memoryLog();
let broker: Broker;

const request = (vendorId: string, messageId: string): OutgoingMessage => ({
  exchange: names.requestsExchange,
  routingKey: `vendor.${vendorId}.ship`,
  body: '{}',
  messageId,
  correlationId: 'order-1',
  type: 'fulfillment.request.v1',
  appId: 'ordergate',
});

const recoveries = (): number => log.lines.filter((line) => /recovered after \d+ ms/.test(line)).length;

async function loseConnection(): Promise<void> {
  const before = recoveries();
  await closeConnectionNamed(connectionName);
  await waitUntil('the adapter to notice', () => log.has(/lost: .*CONNECTION_FORCED - test: simulated connection loss/));
  await waitUntil('the reconnect', () => recoveries() > before);
}

beforeAll(async () => {
  broker = connectBroker({ url: brokerUrl, prefix, connectionName, log, reconnect: { baseMs: 100, maxMs: 500 } });
  await broker.ready();
  await Promise.all(['v1', 'v2', 'v3'].map((v) => broker.declareVendor(v)));
});

afterAll(async () => {
  await broker.close();
  await deleteTopology(prefix, ['v1', 'v2', 'v3']);
});

describe('reconnect', () => {
  it('recovers: topology with every vendor declared again, consumer resumed, publishes confirmed', async () => {
    const seen: string[] = [];
    const consumer = broker.consume(names.vendorQueue('v1'), async (d) => {
      seen.push(d.messageId ?? '');
      return { ack: true };
    });
    expect(await broker.publish([request('v1', 'before')], 5_000)).toEqual([{ ok: true }]);
    await waitUntil('the first message', () => seen.includes('before'));
    // Behind the adapter's back, v2's queue goes: only the redeclaration after the reconnect brings it back.
    const raw = await rawBroker();
    await raw.channel.deleteQueue(names.vendorQueue('v2'));
    await raw.model.close();

    await loseConnection();
    expect(await broker.publish([request('v1', 'after')], 5_000)).toEqual([{ ok: true }]);
    await waitUntil('the message after the reconnect', () => seen.includes('after'));
    await consumer.stop();

    const check = await rawBroker();
    try {
      await expect(check.channel.checkQueue(names.vendorQueue('v2'))).resolves.toMatchObject({ queue: names.vendorQueue('v2') });
    } finally {
      await check.model.close();
    }
    expect(seen).toEqual(['before', 'after']);
    expect(log.has(/^warn broker connection .* lost: .*; reconnecting in \d+ ms$/)).toBe(true);
  });

  it('drops the verdict of a delivery whose channel is gone; the broker delivers it again on the new one', async () => {
    const queue = names.vendorQueue('v3');
    let release!: (verdict: HandlerVerdict) => void;
    const gate = new Promise<HandlerVerdict>((resolve) => (release = resolve));
    const seen: Delivery[] = [];
    const consumer = broker.consume(queue, async (d) => {
      seen.push(d);
      return seen.length === 1 ? gate : { ack: true };
    });
    expect(await broker.publish([request('v3', 'slow')], 5_000)).toEqual([{ ok: true }]);
    await waitUntil('the slow delivery', () => seen.length === 1);

    try {
      await loseConnection();
      await waitUntil('the redelivery on the new channel', () => seen.length === 2);
    } finally {
      // Acked at once on the new channel under delivery tag 1, the tag the stale delivery had too.
      release({ ack: true });
    }
    await waitUntil('the stale verdict to be dropped', () =>
      log.has(/message slow from .*: its channel closed while the handler ran; verdict dropped/),
    );

    expect(await broker.publish([request('v3', 'next')], 5_000)).toEqual([{ ok: true }]);
    await waitUntil('the next message', () => seen.length === 3);
    await consumer.stop();
    expect(seen.map((d) => [d.messageId, d.redelivered])).toEqual([
      ['slow', false],
      ['slow', true],
      ['next', false],
    ]);
    // An ack on the wrong channel would have been "unknown delivery tag", and the broker closes the channel for it.
    expect(log.lines.filter((line) => /channel closed|unknown delivery tag|PRECONDITION/.test(line) && !/dropped/.test(line))).toEqual([]);
    const check = await rawBroker();
    try {
      expect((await check.channel.checkQueue(queue)).messageCount).toBe(0);
    } finally {
      await check.model.close();
    }
  });
});
