import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBroker, type Broker, type OutgoingMessage } from './index.ts';
import { topologyNames } from './names.ts';
import { brokerUrl, deleteTopology, memoryLog, rawBroker, startBlackhole, testPrefix, waitUntil } from './test-support.ts';

// Publishing counts a message as sent only on the broker's ack: everything else (a return, a nack,
// no connection, no confirm in time) is an outcome ok:false, in the order of the messages.

const prefix = testPrefix();
const names = topologyNames(prefix);
const fullQueue = `${prefix}.full`;
const log = memoryLog();
let broker: Broker;

const request = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  exchange: names.requestsExchange,
  routingKey: 'vendor.v1.ship',
  body: '{"taskId":"t-1"}',
  messageId: 'm-1',
  correlationId: '7f3e9a52-1c4b-4e8d-b6a0-5d2f8c9e1a34',
  type: 'fulfillment.request.v1',
  appId: 'ordergate',
  ...over,
});

beforeAll(async () => {
  broker = connectBroker({ url: brokerUrl, prefix, connectionName: `amqp-test-publish-${prefix}`, log });
  await broker.ready();
  await broker.declareVendor('v1');
  // A queue that refuses every message: the broker nacks what is routed to it.
  const { model, channel } = await rawBroker();
  try {
    await channel.assertQueue(fullQueue, { durable: true, arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } });
    await channel.bindQueue(fullQueue, names.requestsExchange, 'vendor.full.#');
  } finally {
    await model.close();
  }
});

afterAll(async () => {
  await broker.close();
  await deleteTopology(prefix, ['v1'], undefined, [fullQueue]);
});

describe('publish', () => {
  it('delivers a confirmed message persistent, as JSON, with every property and header', async () => {
    const outcomes = await broker.publish([request({ messageId: 'props-1', timestamp: 1740992400, headers: { 'x-trace': 'abc' } })], 5_000);
    expect(outcomes).toEqual([{ ok: true }]);
    const { model, channel } = await rawBroker();
    try {
      const message = await channel.get(names.vendorQueue('v1'), { noAck: true });
      expect(message).not.toBe(false);
      if (message === false) return;
      expect(message.content.toString()).toBe('{"taskId":"t-1"}');
      expect(message.fields).toMatchObject({ exchange: names.requestsExchange, routingKey: 'vendor.v1.ship' });
      expect(message.properties).toMatchObject({
        deliveryMode: 2,
        contentType: 'application/json',
        messageId: 'props-1',
        correlationId: '7f3e9a52-1c4b-4e8d-b6a0-5d2f8c9e1a34',
        type: 'fulfillment.request.v1',
        appId: 'ordergate',
        timestamp: 1740992400,
        headers: { 'x-trace': 'abc' },
      });
    } finally {
      await model.close();
    }
  });

  it('gives one outcome per message, in order: a return (mandatory, unroutable) and a nack fail only their own message', async () => {
    const outcomes = await broker.publish(
      [
        request({ messageId: 'same-id' }),
        request({ messageId: 'same-id', routingKey: 'vendor.nobody.ship' }),
        request({ messageId: 'refused', routingKey: 'vendor.full.ship' }),
        request({ messageId: 'last' }),
      ],
      5_000,
    );
    expect(outcomes).toEqual([
      { ok: true },
      { ok: false, error: expect.stringMatching(/^unroutable: returned by the broker \(NO_ROUTE 312\)/) },
      { ok: false, error: 'nacked by the broker' },
      { ok: true },
    ]);
    const { model, channel } = await rawBroker();
    try {
      expect((await channel.checkQueue(names.vendorQueue('v1'))).messageCount).toBe(2);
      await channel.purgeQueue(names.vendorQueue('v1'));
    } finally {
      await model.close();
    }
  });

  it('fails with an outcome, not an exception, when no broker answers within the time given', async () => {
    const nowhere = memoryLog();
    const lonely = connectBroker({
      url: 'amqp://guest:guest@127.0.0.1:1',
      prefix,
      connectionName: `amqp-test-nowhere-${prefix}`,
      log: nowhere,
      reconnect: { baseMs: 20, maxMs: 100 },
    });
    const started = Date.now();
    const outcomes = await lonely.publish([request(), request({ messageId: 'm-2' })], 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(outcomes).toEqual([
      { ok: false, error: 'not connected to the broker within 300 ms' },
      { ok: false, error: 'not connected to the broker within 300 ms' },
    ]);
    expect(nowhere.has(/failed: .*ECONNREFUSED.*; reconnecting in \d+ ms/)).toBe(true);
    await lonely.close();
    await expect(lonely.ready()).rejects.toThrow('broker closed before it was ready');
  });

  it('notices a connection whose peer went silent (half-open) by the missed heartbeats, and connects again', async () => {
    const blackhole = await startBlackhole();
    const silent = memoryLog();
    const held = connectBroker({
      url: blackhole.url,
      prefix,
      connectionName: `amqp-test-heartbeat-${prefix}`,
      log: silent,
      heartbeatSeconds: 1,
      reconnect: { baseMs: 50, maxMs: 200 },
    });
    try {
      await held.ready();
      blackhole.hold();
      const started = Date.now();
      await waitUntil('the loss', () => silent.has(/lost: .*[Hh]eartbeat/), 10_000);
      // Two missed beats of 1 s, not the minutes TCP takes: nothing was closed, only silent.
      expect(Date.now() - started).toBeLessThan(5_000);
      blackhole.release();
      await waitUntil('the reconnect', () => silent.has(/recovered after \d+ ms/), 10_000);
      expect(await held.publish([request({ messageId: 'after-heartbeat' })], 5_000)).toEqual([{ ok: true }]);
    } finally {
      await held.close();
      await blackhole.close();
    }
  });

  it('fails a publish the broker does not confirm in time, and carries on once the network does', async () => {
    const blackhole = await startBlackhole();
    const held = connectBroker({ url: blackhole.url, prefix, connectionName: `amqp-test-blackhole-${prefix}`, log: memoryLog() });
    try {
      await held.ready();
      expect(await held.publish([request({ messageId: 'before' })], 5_000)).toEqual([{ ok: true }]);
      blackhole.hold();
      const started = Date.now();
      expect(await held.publish([request({ messageId: 'held' })], 250)).toEqual([
        { ok: false, error: 'no confirm from the broker within 250 ms' },
      ]);
      expect(Date.now() - started).toBeLessThan(1_000);
      blackhole.release();
      expect(await held.publish([request({ messageId: 'after' })], 5_000)).toEqual([{ ok: true }]);
    } finally {
      await held.close();
      await blackhole.close();
    }
  });
});
