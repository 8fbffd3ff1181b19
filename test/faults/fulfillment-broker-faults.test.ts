import { describe, expect, it } from 'vitest';
import { topologyNames } from '../../adapters/amqp/index.ts';
import { queueArguments } from '../../adapters/amqp/test-support.ts';
import { demoVendors } from '../support/fulfillment.ts';
import { expectBalanced, mixedOrders, orderCount, total, vendorQueueDepths, waitForReplyConsumers, rigPerTest } from './fulfillment-rig.ts';
import { closeAllConnections, ensureRabbitMqRunning, startRabbitMq, stopRabbitMq } from './rabbitmq-node.ts';

// RabbitMQ misbehaves under a running gateway (its own process) and the simulated vendors: every
// connection closed from the broker's side, twice, while orders stream in; then the whole node
// stopped and started again. The gateway reconnects by itself, nothing is lost on the way (the
// outbox re-sends what got no confirm, quorum queues keep what they held), nothing happens twice.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const lostConnections = (output: string): number => (output.match(/broker connection ordergate-\d+ lost/g) ?? []).length;

describe('fulfillment while RabbitMQ fails under the gateway', () => {
  const rigFor = rigPerTest();

  it('every broker connection force-closed twice mid-dispatch: the gateway reconnects and every order completes exactly once', async () => {
    const rig = await rigFor('connections-closed');
    await rig.startVendors();
    const gateway = await rig.gateway();
    const submissions = mixedOrders('CC', 32, 4);
    const r = rig;
    const moments: string[] = [];

    const faults = (async () => {
      for (const pause of [300 + Math.random() * 300, 300 + Math.random() * 300]) {
        await sleep(pause);
        // Each close finds the gateway connected (and consuming) again, so each is a loss of its own.
        await waitForReplyConsumers(r.prefix, 1);
        const [sent] = await r.db('outbox').where({ type: 'fulfillment.request.v1', state: 'sent' }).count({ n: '*' });
        moments.push(`${r.accepted.length} orders accepted, ${Number(sent?.n)} requests sent`);
        await closeAllConnections('test: fault injection (fulfillment-broker-faults)');
      }
    })();
    await rig.submit(submissions, { targets: () => [gateway.url], concurrency: 3, pauseMs: 100 });
    await faults;
    console.info(`connections closed at: ${moments.join('; ')}`);

    await rig.completeOrders(() => [gateway.url]);
    await expectBalanced(rig, 'connections force-closed', orderCount(submissions));
    expect(gateway.alive(), 'the gateway survived').toBe(true);
    expect(lostConnections(gateway.output()), `the gateway noticed both closes:\n${gateway.output()}`).toBeGreaterThanOrEqual(2);
  });

  it('RabbitMQ stopped and started while orders are in flight: the quorum queues keep what they held and every order completes exactly once', async () => {
    const rig = await rigFor('broker-restart');
    const gateway = await rig.gateway();
    const submissions = mixedOrders('BR', 24, 3);
    const half = Math.floor(submissions.length / 2);
    const r = rig;

    // The vendors are away: the first half's requests wait in their quorum queues.
    await rig.submit(submissions.slice(0, half), { targets: () => [gateway.url] });
    const [requestRows] = await rig.db('outbox').where({ type: 'fulfillment.request.v1' }).count({ n: '*' });
    const requests = Number(requestRows?.n);
    const deadline = Date.now() + 20_000;
    let before = await vendorQueueDepths(rig.prefix);
    while (total(before) < requests) {
      if (Date.now() > deadline) throw new Error(`the vendor queues hold ${JSON.stringify(before)}, expected ${requests} requests`);
      await sleep(100);
      before = await vendorQueueDepths(rig.prefix);
    }

    // The node stops and starts again while the second half of the orders comes in.
    let downMs = 0;
    try {
      const restart = (async () => {
        const stopped = Date.now();
        await stopRabbitMq();
        await sleep(1_000);
        await startRabbitMq();
        downMs = Date.now() - stopped;
      })();
      await sleep(200);
      await r.submit(submissions.slice(half), { targets: () => [gateway.url], concurrency: 2, pauseMs: 150 });
      await restart;
    } finally {
      await ensureRabbitMqRunning();
    }
    console.info(`RabbitMQ down for ${downMs} ms; the vendor queues held ${JSON.stringify(before)} when it stopped`);

    // Still quorum queues, still holding (at least) what they held: nothing was lost with the node.
    const args = await queueArguments(rig.prefix);
    const names = topologyNames(rig.prefix);
    for (const queue of [...demoVendors.map((v) => names.vendorQueue(v)), names.repliesQueue])
      expect(args.get(queue)?.['x-queue-type'], queue).toBe('quorum');
    const after = await vendorQueueDepths(rig.prefix);
    for (const vendorId of demoVendors)
      expect(after[vendorId], `requests in ${vendorId}'s queue after the restart`).toBeGreaterThanOrEqual(before[vendorId] ?? 0);

    await rig.startVendors();
    await rig.completeOrders(() => [gateway.url]);
    await expectBalanced(rig, 'RabbitMQ restarted', orderCount(submissions));
    expect(gateway.alive(), 'the gateway survived').toBe(true);
    expect(lostConnections(gateway.output())).toBeGreaterThanOrEqual(1);
  });
});
