import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topologyNames } from '../../adapters/amqp/index.ts';
import { rawBroker } from '../../adapters/amqp/test-support.ts';
import { demoVendors } from '../support/fulfillment.ts';
import { expectBalanced, mixedOrders, orderCount, rigPerTest } from './fulfillment-rig.ts';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';

// PostgreSQL goes away while the vendors' replies pour in. The gateway's reply consumer cannot
// apply them and answers "retry": each reply waits in the first retry tier (10 s) and comes back.
// By then the database is back: every reply is applied once, nothing is dead-lettered, nothing lost.
//
// The server that stops (pg_ctl stop -m fast: every session terminated) and starts again is a
// private PostgreSQL this file starts in a temporary folder, never the machine's.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readyCounts(queues: string[]): Promise<number[]> {
  const { model, channel } = await rawBroker();
  model.on('error', () => undefined);
  try {
    const counts: number[] = [];
    for (const queue of queues) counts.push((await channel.checkQueue(queue)).messageCount);
    return counts;
  } finally {
    await model.close().catch(() => undefined);
  }
}

describe('fulfillment while PostgreSQL restarts', () => {
  let server: PrivatePostgres | undefined;
  beforeAll(async () => {
    server = await startPrivatePostgres({ name: 'fulfillment-restart' });
  });
  afterAll(async () => {
    await server?.destroy();
  });
  const rigFor = rigPerTest({
    beforeClose: async () => server?.ensureRunning(),
    rig: () => ({ postgres: server as PrivatePostgres }),
  });

  it('replies arriving while the database is down wait in the retry tier and are each applied once after it returns', async () => {
    const rig = await rigFor('postgres-restart');
    // info: the consumer's retry verdicts are logged at info level.
    const gateway = await rig.gateway({ logLevel: 'info' });
    const names = topologyNames(rig.prefix);
    const vendorQueues = demoVendors.map((v) => names.vendorQueue(v));
    const tier = names.retryQueue('10s');

    // Every order's requests are out and waiting in the vendors' queues; the vendors are not there yet.
    const submissions = mixedOrders('PG', 24, 2);
    await rig.submit(submissions, { targets: () => [gateway.url] });
    const [rows] = await rig.db('outbox').where({ type: 'fulfillment.request.v1' }).count({ n: '*' });
    const requests = Number(rows?.n);
    const deadline = Date.now() + 20_000;
    while ((await readyCounts(vendorQueues)).reduce((a, b) => a + b, 0) < requests) {
      if (Date.now() > deadline) throw new Error(`the vendor queues never held all ${requests} requests`);
      await sleep(100);
    }

    const postgres = server as PrivatePostgres;
    const postmaster = postgres.pid();
    let parked = 0;
    let downMs = 0;
    try {
      await postgres.stop();
      const down = Date.now();
      // The vendors answer everything now; the gateway takes each reply and cannot apply it.
      await rig.startVendors();
      const until = Date.now() + 4_000;
      while (Date.now() < until) {
        const [vendorsLeft, inTier] = await Promise.all([
          readyCounts(vendorQueues).then((c) => c.reduce((a, b) => a + b, 0)),
          readyCounts([tier]).then((c) => c[0] ?? 0),
        ]);
        parked = Math.max(parked, inTier);
        if (vendorsLeft === 0 && inTier > 0 && Date.now() - down > 2_000) break;
        await sleep(100);
      }
      // Back within a few seconds: well before the first replies return from the 10 s tier.
      await postgres.start();
      downMs = Date.now() - down;
    } finally {
      await postgres.ensureRunning();
    }
    console.info(`PostgreSQL down for ${downMs} ms; up to ${parked} replies waited in ${tier} at once`);
    expect(postgres.pid(), 'a new postmaster: the server really restarted').not.toBe(postmaster);
    expect(parked, 'replies waiting in the 10 s retry tier while the database was down').toBeGreaterThan(0);

    const retried = (gateway.output().match(/retry 1 in 10s \(the database is unavailable\)/g) ?? []).length;
    expect(retried, 'replies sent to the retry tier').toBeGreaterThan(0);

    await rig.completeOrders(() => [gateway.url], { timeoutMs: 50_000 });
    await expectBalanced(rig, 'PostgreSQL restarted during consumption', orderCount(submissions));
    expect(gateway.output(), 'no reply needed the 1 min tier').not.toMatch(/retry 2 in 1m/);
    // A reply back from the tier arrives as `10s.<prefix>.replies`: it must still be read as its vendor's.
    expect(await rig.db('dead_letters').count({ n: '*' }), 'nothing dead-lettered').toEqual([{ n: 0 }]);
    expect(gateway.alive()).toBe(true);
  });
});
