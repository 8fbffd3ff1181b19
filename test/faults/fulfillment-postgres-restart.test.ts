import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topologyNames } from '../../adapters/amqp/index.ts';
import { rawBroker } from '../../adapters/amqp/test-support.ts';
import { demoVendors } from '../support/fulfillment.ts';
import { expectBalanced, mixedOrders, orderCount, rigPerTest } from './fulfillment-rig.ts';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';

// PostgreSQL goes away for a minute while the vendors' replies pour in. The gateway's reply consumer
// cannot apply them: it holds the few it has (unacknowledged, tried again in-process) and takes no
// more, so the broker keeps the rest in the reply queue; nothing goes through a retry tier, nothing
// uses up a delivery. Once the database is back the consumer resumes by itself within seconds:
// every reply applied once, nothing dead-lettered, nothing lost or missing.
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

  it('replies arriving during a 60 s database outage wait in the reply queue, and are each applied once within seconds of its return', async () => {
    const rig = await rigFor('postgres-restart');
    // info: the consumer's pause and resume are logged at info and warn level.
    const gateway = await rig.gateway({ logLevel: 'info' });
    const names = topologyNames(rig.prefix);
    const vendorQueues = demoVendors.map((v) => names.vendorQueue(v));
    const tiers = ['10s', '1m', '10m', '1h'].map((tier) => names.retryQueue(tier));

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
    let waiting = 0;
    let inTiers = 0;
    let downMs = 0;
    let healMs = 0;
    try {
      await postgres.stop();
      const down = Date.now();
      // The vendors answer everything now; the gateway cannot apply a single reply for a minute.
      await rig.startVendors();
      while (Date.now() - down < 60_000) {
        const [replies, ...tierCounts] = await readyCounts([names.repliesQueue, ...tiers]);
        waiting = Math.max(waiting, replies ?? 0);
        inTiers = Math.max(
          inTiers,
          tierCounts.reduce((a, b) => a + b, 0),
        );
        await sleep(500);
      }
      await postgres.start();
      const up = Date.now();
      rig.faultEnded(up);
      downMs = up - down;
      // Healed: the reply queue is empty again and the consumer says it resumed.
      while (
        (((await readyCounts([names.repliesQueue]))[0] ?? 0) > 0 || !/resumed after \d+ ms/.test(gateway.output())) &&
        Date.now() - up < 60_000
      ) {
        await sleep(100);
      }
      healMs = Date.now() - up;
    } finally {
      await postgres.ensureRunning();
    }
    console.info(
      `PostgreSQL down for ${downMs} ms; up to ${waiting} replies waited in the reply queue; healed ${healMs} ms after it was back`,
    );
    expect(postgres.pid(), 'a new postmaster: the server really restarted').not.toBe(postmaster);
    expect(waiting, 'replies the broker kept in the reply queue while the database was down').toBeGreaterThan(0);
    expect(inTiers, 'replies sent through a retry tier').toBe(0);
    expect(gateway.output()).toMatch(/consumer of \S+\.replies paused: the database is unavailable/);
    expect(healMs, 'time to heal after the database is back').toBeLessThan(30_000);

    await rig.completeOrders(() => [gateway.url], { timeoutMs: 50_000 });
    await expectBalanced(rig, 'PostgreSQL down 60 s during consumption', orderCount(submissions));
    expect(gateway.output(), 'no reply went to a retry tier').not.toMatch(/retry \d in /);
    expect(await rig.db('dead_letters').count({ n: '*' }), 'nothing dead-lettered').toEqual([{ n: 0 }]);
    expect(gateway.alive()).toBe(true);
  }, 240_000);
});
