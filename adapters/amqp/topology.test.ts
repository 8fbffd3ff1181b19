import type { Channel, GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBroker, type Broker } from './index.ts';
import { defaultRetryTiers, topologyNames } from './names.ts';
import { deleteTopology, memoryLog, queueArguments, rawBroker, testPrefix, waitUntil, brokerUrl } from './test-support.ts';
import { basePlan, mergePlans, vendorPlan } from './topology.ts';

// The topology on a real broker: declared as planned (the plan is checked against asyncapi.yaml
// in names.test.ts), idempotent, and a queue that rejects a message without requeue sends it to
// its dead-letter queue through the dlx.

/** The next message in `queue`, waiting for it to arrive. */
async function getOne(channel: Channel, queue: string): Promise<GetMessage> {
  let message: GetMessage | false = false;
  await waitUntil(`a message in ${queue}`, async () => (message = await channel.get(queue, { noAck: true })) !== false);
  return message as unknown as GetMessage;
}

const prefix = testPrefix();
const names = topologyNames(prefix);
const log = memoryLog();
const clash = 'clash';
let broker: Broker;

beforeAll(async () => {
  broker = connectBroker({ url: brokerUrl, prefix, connectionName: `amqp-test-topology-${prefix}`, log });
  await broker.ready();
});

afterAll(async () => {
  await broker.close();
  await deleteTopology(prefix, ['v1', clash]);
});

describe('topology', () => {
  it('declares every exchange, queue and argument of the plan, and declaring again changes nothing', async () => {
    await broker.declareVendor('v1');
    await broker.declareVendor('v1');
    const again = connectBroker({ url: brokerUrl, prefix, connectionName: `amqp-test-topology-again-${prefix}`, log });
    try {
      await again.ready();
      await again.declareVendor('v1');
    } finally {
      await again.close();
    }
    const plan = mergePlans(basePlan(names, defaultRetryTiers), vendorPlan(names, 'v1'));
    const actual = await queueArguments(prefix);
    expect(new Map(plan.queues.map((q) => [q.name, q.arguments]))).toEqual(actual);
    const { model, channel } = await rawBroker();
    try {
      for (const exchange of plan.exchanges) await channel.checkExchange(exchange.name);
    } finally {
      await model.close();
    }
    expect(log.lines.filter((line) => !line.startsWith('info'))).toEqual([]);
  });

  it('sends a message rejected without requeue to the queue’s DLQ, with the broker’s death record', async () => {
    await broker.declareVendor('v1');
    const [outcome] = await broker.publish(
      [
        {
          exchange: names.requestsExchange,
          routingKey: 'vendor.v1.ship',
          body: '{"n":1}',
          messageId: 'reject-me',
          correlationId: 'order-1',
          type: 'fulfillment.request.v1',
          appId: 'ordergate',
        },
      ],
      5_000,
    );
    expect(outcome).toEqual({ ok: true });
    const { model, channel } = await rawBroker();
    try {
      const message = await channel.get(names.vendorQueue('v1'));
      expect(message && message.properties.messageId).toBe('reject-me');
      if (message === false) return;
      channel.nack(message, false, false);
      const dead = await getOne(channel, names.dlq(names.vendorQueue('v1')));
      expect(dead.fields).toMatchObject({ exchange: names.deadLetterExchange, routingKey: names.vendorQueue('v1') });
      expect(dead.properties.headers?.['x-death']).toEqual([
        expect.objectContaining({
          queue: names.vendorQueue('v1'),
          reason: 'rejected',
          exchange: names.requestsExchange,
          'routing-keys': ['vendor.v1.ship'],
          count: 1,
        }),
      ]);
    } finally {
      await model.close();
    }
  });

  it('refuses a vendor whose queue exists with other arguments, and carries on', async () => {
    const { model, channel } = await rawBroker();
    try {
      await channel.assertQueue(names.vendorQueue(clash), { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    } finally {
      await model.close();
    }
    await expect(broker.declareVendor(clash)).rejects.toThrow(/declaring vendor clash failed: .*PRECONDITION_FAILED/);
    await expect(broker.declareVendor('Not A Word')).rejects.toThrow(RangeError);
    const [outcome] = await broker.publish(
      [
        {
          exchange: names.requestsExchange,
          routingKey: 'vendor.v1.ship',
          body: '{}',
          messageId: 'after-clash',
          correlationId: 'order-1',
          type: 'fulfillment.request.v1',
          appId: 'ordergate',
        },
      ],
      5_000,
    );
    expect(outcome).toEqual({ ok: true });
    expect(log.has(/lost|reconnecting/)).toBe(false);
  });
});
