import { describe, expect, it } from 'vitest';
import { topologyNames } from '../../adapters/amqp/index.ts';
import { queueArguments } from '../../adapters/amqp/test-support.ts';
import { demoVendors } from '../support/fulfillment.ts';
import { expectBalanced, mixedOrders, orderCount, total, vendorQueueDepths, waitForReplyConsumers, rigPerTest } from './fulfillment-rig.ts';

// RabbitMQ misbehaves under a running gateway (its own process) and the simulated vendors: every
// connection cut, twice, while orders stream in; then the broker away for ten seconds (connections
// cut and new ones refused, as while a node restarts). The gateway reconnects by itself, nothing
// is lost on the way (the outbox re-sends what got no confirm, quorum queues keep what they held),
// nothing happens twice. Last, every connection held half-open (no byte either way, no close) for
// 20 s: only the heartbeat can tell.
//
// The faults are injected in the rig's own TCP proxy between RabbitMQ and the gateway and vendors
// (rig.amqpProxy); the machine's RabbitMQ node is never stopped and nobody else's connection closed.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long the broker is away in the second test: as long as a node takes to restart. */
const outageMs = 10_000;

/** How long the third test holds every connection without a byte: two heartbeats (5 s) and then some. */
const halfOpenMs = 20_000;

const lostConnections = (output: string): number => (output.match(/broker connection ordergate-\d+ lost/g) ?? []).length;

describe('fulfillment while RabbitMQ fails under the gateway', () => {
  const rigFor = rigPerTest();

  it('every broker connection cut twice mid-dispatch: the gateway reconnects and every order completes exactly once', async () => {
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
        const cut = r.amqpProxy.cutAll();
        // The heal time in the scenario line counts from the last cut.
        r.faultEnded();
        moments.push(`${r.accepted.length} orders accepted, ${Number(sent?.n)} requests sent, ${cut} connections cut`);
      }
    })();
    await rig.submit(submissions, { targets: () => [gateway.url], concurrency: 3, pauseMs: 100 });
    await faults;
    console.info(`connections cut at: ${moments.join('; ')}`);

    await rig.completeOrders(() => [gateway.url]);
    await expectBalanced(rig, 'connections cut', orderCount(submissions));
    expect(gateway.alive(), 'the gateway survived').toBe(true);
    expect(lostConnections(gateway.output()), `the gateway noticed both closes:\n${gateway.output()}`).toBeGreaterThanOrEqual(2);
  });

  it('RabbitMQ away for 10 s (every connection cut, new ones refused) while orders are in flight: the quorum queues keep what they held and every order completes exactly once', async () => {
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

    // The broker goes away while the second half of the orders comes in: new connections refused
    // first (so no reconnect slips in), then every open one cut; back after 10 s.
    let downMs = 0;
    let cut = 0;
    const outage = (async () => {
      const stopped = Date.now();
      const back = r.amqpProxy.refuse(outageMs);
      cut = r.amqpProxy.cutAll();
      await back;
      r.faultEnded();
      downMs = Date.now() - stopped;
    })();
    await sleep(200);
    await r.submit(submissions.slice(half), { targets: () => [gateway.url], concurrency: 2, pauseMs: 150 });
    await outage;
    console.info(
      `RabbitMQ away for ${downMs} ms (${cut} connections cut, ${r.amqpProxy.stats().accepted} accepted by the proxy in all); the vendor queues held ${JSON.stringify(before)} when it went`,
    );
    expect(cut, 'the gateway’s and the vendors’ connections cut').toBeGreaterThanOrEqual(2);

    // Still quorum queues, still holding (at least) what they held: nothing was lost with the connections.
    const args = await queueArguments(rig.prefix);
    const names = topologyNames(rig.prefix);
    for (const queue of [...demoVendors.map((v) => names.vendorQueue(v)), names.repliesQueue])
      expect(args.get(queue)?.['x-queue-type'], queue).toBe('quorum');
    const after = await vendorQueueDepths(rig.prefix);
    for (const vendorId of demoVendors)
      expect(after[vendorId], `requests in ${vendorId}'s queue after the restart`).toBeGreaterThanOrEqual(before[vendorId] ?? 0);

    await rig.startVendors();
    await rig.completeOrders(() => [gateway.url]);
    await expectBalanced(rig, 'RabbitMQ away for 10 s', orderCount(submissions));
    expect(gateway.alive(), 'the gateway survived').toBe(true);
    expect(lostConnections(gateway.output())).toBeGreaterThanOrEqual(1);
  });

  it('the broker connection half-open for 20 s (no byte either way, nothing closed): the gateway notices by its heartbeat, reconnects once the path is back, and every order completes exactly once', async () => {
    const rig = await rigFor('half-open');
    await rig.startVendors();
    const gateway = await rig.gateway();
    await waitForReplyConsumers(rig.prefix, 1);
    const submissions = mixedOrders('HO', 24, 3);
    const r = rig;
    let noticed = -1;
    let moment = '';

    const partition = (async () => {
      await sleep(400 + Math.random() * 400);
      const [sent] = await r.db('outbox').where({ type: 'fulfillment.request.v1', state: 'sent' }).count({ n: '*' });
      moment = `${r.accepted.length} orders accepted, ${Number(sent?.n)} requests sent, ${r.amqpProxy.stats().open} connections held`;
      r.amqpProxy.blackhole();
      await sleep(halfOpenMs);
      // Seen before the path comes back: by the heartbeat, not by a close (none gets through).
      noticed = lostConnections(gateway.output());
      r.amqpProxy.unblackhole();
      r.faultEnded();
    })();
    await rig.submit(submissions, { targets: () => [gateway.url], concurrency: 3, pauseMs: 150 });
    await partition;
    console.info(`half-open for ${halfOpenMs} ms from: ${moment}; the gateway had noticed ${noticed} lost connection(s) by then`);
    expect(noticed, `the gateway noticed the half-open connection within ${halfOpenMs} ms:\n${gateway.output()}`).toBeGreaterThanOrEqual(1);

    await rig.completeOrders(() => [gateway.url]);
    await expectBalanced(rig, 'half-open broker connection', orderCount(submissions));
    expect(gateway.alive(), 'the gateway survived').toBe(true);
  });
});
