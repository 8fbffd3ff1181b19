import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort } from './gateway-process.ts';
import { demoVendors } from '../support/fulfillment.ts';
import { expectBalanced, mixedOrders, orderCount, total, vendorQueueDepths, rigPerTest, type Rig } from './fulfillment-rig.ts';

// The gateway process dies with SIGKILL — no shutdown code, transactions cut off — at the two
// moments the outbox exists for, and at a random moment under load. Each time it is started again
// on the same database and broker, and every accepted order still ends ready for billing with
// every effect once: the outbox re-sends what was never confirmed, vendors may see a request twice
// (at-least-once), and the inbox turns their repeated replies into nothing.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function requestStates(rig: Rig): Promise<Record<string, number>> {
  const rows: { state: string; n: unknown }[] = await rig
    .db('outbox')
    .where({ type: 'fulfillment.request.v1' })
    .groupBy('state')
    .select('state', rig.db.raw('count(*) AS n'));
  return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
}

describe('the gateway killed with SIGKILL', () => {
  const rigFor = rigPerTest();

  it('between commit and publish, and between the broker confirm and the outbox commit: every order completes once after a restart', async () => {
    const rig = await rigFor('kill-windows');
    const r = rig;
    // The vendors' queues exist, but nobody takes from them until step 3.
    for (const vendorId of demoVendors) await rig.vendorBroker.declareVendor(vendorId);
    const submissions = mixedOrders('KW', 24, 3);

    // 1. Nothing listens where the broker should be: orders are accepted and committed with their
    //    requests in the outbox, and nothing can be published. Then the process dies.
    const deadBroker = `amqp://guest:guest@127.0.0.1:${await freePort()}`;
    const first = await rig.gateway({ amqpUrl: deadBroker });
    await rig.submit(submissions, { targets: () => [first.url] });
    const committed = await requestStates(rig);
    expect(committed.sent ?? 0, 'requests sent before the first kill').toBe(0);
    expect(committed.pending ?? 0).toBeGreaterThan(0);
    expect(total(await vendorQueueDepths(rig.prefix)), 'requests published before the first kill').toBe(0);
    expect(await first.kill()).toBe('SIGKILL');
    const requests = committed.pending ?? 0;

    // 2. The real broker, but the task rows are locked by us: the dispatcher claims every request,
    //    publishes it, gets the broker's confirm, marks it sent and then waits on its last statement
    //    (tasks ready → dispatched) — the confirm is in, the commit is not. The process dies there.
    const locker = new pg.Client({ connectionString: rig.databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM tasks FOR UPDATE');
      const second = await rig.gateway({ port: first.port, waitFor: 'listening' });
      await until('every request to be confirmed into the vendor queues', async () => total(await vendorQueueDepths(r.prefix)) >= requests);
      await until('the dispatcher to wait for its commit', async () => {
        const [row] = (
          await r.db.raw(
            `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE 'update "tasks"%'`,
          )
        ).rows;
        return Number(row.n) > 0;
      });
      expect((await requestStates(rig)).sent ?? 0, 'requests marked sent (committed) before the second kill').toBe(0);
      expect(await second.kill()).toBe('SIGKILL');
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end().catch(() => undefined);
    }

    // 3. Started again, with the vendors back: it publishes every request again (each vendor gets
    //    each request twice), applies the replies once, and the person tasks are completed over its API.
    await rig.startVendors();
    rig.faultEnded();
    const third = await rig.gateway({ port: first.port });
    await rig.completeOrders(() => [third.url]);
    await expectBalanced(rig, 'kill between commit/publish and confirm/commit', orderCount(submissions));
    const redelivered = rig.vendorDeliveries.length - new Set(rig.vendorDeliveries).size;
    expect(redelivered, 'requests the vendors received twice (published before the crash, again after it)').toBeGreaterThanOrEqual(
      requests,
    );
    expect(third.alive()).toBe(true);
  });

  it('at a random moment while it takes orders, dispatches and consumes replies: the restarted gateway finishes every order once', async () => {
    const rig = await rigFor('kill-random');
    await rig.startVendors();
    const submissions = mixedOrders('KR', 32, 4);
    let current = await rig.gateway();
    const port = current.port;
    const killAfterMs = 300 + Math.floor(Math.random() * 1_500);
    const r = rig;
    let moment = '';

    const crash = (async () => {
      await sleep(killAfterMs);
      const states = await requestStates(r);
      const [inbox] = await r.db('inbox').count({ n: '*' });
      moment = `${r.accepted.length} orders accepted, requests ${JSON.stringify(states)}, ${Number(inbox?.n)} replies in the inbox`;
      expect(await current.kill()).toBe('SIGKILL');
      r.faultEnded();
      current = await r.gateway({ port });
    })();
    // Clients keep sending during the crash and retry with the same Idempotency-Key (or the same interchange).
    const stats = await rig.submit(submissions, { targets: () => [`http://127.0.0.1:${port}`], concurrency: 3, pauseMs: 100 });
    await crash;
    console.info(`SIGKILL after ${killAfterMs} ms: ${moment}; ${stats.retried} client retries`);

    await rig.completeOrders(() => [current.url]);
    await expectBalanced(rig, 'kill at a random moment', orderCount(submissions));
  });
});
