import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { basePlan, defaultRetryTiers, topologyNames, vendorPlan } from '../adapters/amqp/index.ts';
import { declarePlan, mergePlans } from '../adapters/amqp/topology.ts';
import { runOrders } from './support.ts';
import type { FloorResult } from './e2e-rows.ts';

// bench:e2e's floor B: the fulfillment requests of N orders published with plain amqplib on one
// confirm channel (persistent, mandatory, the gateway's properties and bodies), into the same topology
// under a prefix of its own (quorum queues), `concurrency` orders at a time, each order's messages
// published together and awaited until the broker has confirmed them all.

export interface FloorMessage {
  routingKey: string;
  body: Buffer;
  type: string;
}

export interface FloorBSpec {
  url: string;
  prefix: string;
  vendors: string[];
  /** One order's messages (what the gateway's dispatcher published for one order). */
  messages: FloorMessage[];
  orders: number;
  concurrency: number;
}

const benchPlan = (prefix: string, vendors: readonly string[]) =>
  mergePlans(basePlan(topologyNames(prefix), defaultRetryTiers), ...vendors.map((id) => vendorPlan(topologyNames(prefix), id)));

/** Deletes every queue and exchange of a prefix's topology (with these vendors), as adapters/amqp/test-support.ts does, on the broker at `url`. */
export async function deleteBenchTopology(url: string, prefix: string, vendors: readonly string[]): Promise<void> {
  const plan = benchPlan(prefix, vendors);
  const model = await amqp.connect(url, { clientProperties: { connection_name: `ordergate-bench-e2e-cleanup-${process.pid}` } });
  try {
    const channel = await model.createChannel();
    for (const queue of plan.queues) await channel.deleteQueue(queue.name);
    for (const exchange of plan.exchanges) await channel.deleteExchange(exchange.name);
  } finally {
    await model.close().catch(() => undefined);
  }
}

export async function runFloorB(spec: FloorBSpec): Promise<FloorResult> {
  const names = topologyNames(spec.prefix);
  const model = await amqp.connect(spec.url, { clientProperties: { connection_name: `ordergate-bench-e2e-floor-${process.pid}` } });
  model.on('error', () => undefined); // a lost connection fails the publishes in flight, which say why
  try {
    const setup = await model.createChannel();
    await declarePlan(setup, benchPlan(spec.prefix, spec.vendors));
    await setup.close();
    const channel = await model.createConfirmChannel();
    let returned = 0;
    channel.on('return', () => (returned += 1));
    const latencies: number[] = [];
    const publishOrder = async (): Promise<void> => {
      const started = performance.now();
      const correlationId = randomUUID();
      await Promise.all(
        spec.messages.map(
          (message) =>
            new Promise<void>((resolve, reject) => {
              channel.publish(
                names.requestsExchange,
                message.routingKey,
                message.body,
                {
                  contentType: 'application/json',
                  messageId: randomUUID(),
                  correlationId,
                  type: message.type,
                  appId: 'ordergate',
                  timestamp: Math.floor(Date.now() / 1000),
                  mandatory: true,
                  persistent: true,
                  deliveryMode: 2,
                },
                (error: unknown) => (error === null || error === undefined ? resolve() : reject(new Error(`nacked: ${String(error)}`))),
              );
            }),
        ),
      );
      latencies.push(performance.now() - started);
    };
    // The channel open and the queues touched once, not counted.
    const result = await runOrders(spec.orders, spec.concurrency, latencies, publishOrder);
    if (returned > 0) throw new Error(`floor B: ${returned} messages came back unroutable`);
    await channel.close();
    return result;
  } finally {
    await model.close().catch(() => undefined);
  }
}
