import { describe, expect, it } from 'vitest';
import { deadLetterCount, expectBalanced, mixedLoad, orderCount, rigPerTest, waitForReplyConsumers } from './fulfillment-rig.ts';

// No fault at all, under load: 150 orders, JSON and X12 (interchanges of four 850s each) mixed,
// sent by twelve clients at once while the vendors answer from the first request on. Intake,
// replies and the outbound 855 / 856 / 810 all take control numbers at the same moments: this is
// what used to deadlock. Every client answer is counted by status: not one 500, nothing
// dead-lettered, the books balance and every order ends ready for billing.

describe('fulfillment under load, no fault', () => {
  const rigFor = rigPerTest();

  it('150 mixed JSON and X12 orders from 12 clients at once, the vendors answering concurrently: no 500, no dead letter, every order ready for billing once', async () => {
    const rig = await rigFor('load');
    await rig.startVendors();
    const gateway = await rig.gateway();
    await waitForReplyConsumers(rig.prefix, 1);
    // 110 JSON orders and 10 interchanges of 4 sets: 150 orders.
    const submissions = mixedLoad('LD', 110, 10, 4);
    const orders = orderCount(submissions);
    expect(orders).toBe(150);

    const started = Date.now();
    const stats = await rig.submit(submissions, { targets: () => [gateway.url], concurrency: 12 });
    const intakeMs = Date.now() - started;
    const { readyAt } = await rig.completeOrders(() => [gateway.url], { timeoutMs: 120_000 });
    console.info(
      `${submissions.length} submissions (${orders} orders) taken in ${intakeMs} ms by 12 clients; statuses ${JSON.stringify(stats.statuses)}, ` +
        `${stats.noAnswer} without an answer, ${stats.retried} retried; every order ready for billing ${readyAt === undefined ? 'never' : `${readyAt - started} ms`} after the first submission; ` +
        `all HTTP answers ${JSON.stringify(rig.http.statuses)}`,
    );

    await expectBalanced(rig, 'no fault under load', orders, { name: 'no-fault-load' });
    expect(rig.http.statuses['500'] ?? 0, 'HTTP 500 answers').toBe(0);
    expect(stats.noAnswer, 'requests without an answer').toBe(0);
    expect(await deadLetterCount(rig), 'dead letters').toBe(0);
    expect(readyAt, 'every order ready for billing').toBeDefined();
    expect(gateway.alive()).toBe(true);
  }, 240_000);
});
