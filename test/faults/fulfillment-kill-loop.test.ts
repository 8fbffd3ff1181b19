import { describe, expect, it } from 'vitest';
import {
  deadLetterCount,
  expectBalanced,
  killLoop,
  mixedOrders,
  orderCount,
  rigPerTest,
  waitForReplyConsumers,
  worstRequestDeliveries,
} from './fulfillment-rig.ts';

// The gateway killed with SIGKILL every 5-15 s for a minute, and started again on the same port
// each time, while clients send orders (retrying like real ones: the same Idempotency-Key, the same
// interchange) and the vendors answer. Every kill cuts transactions, publishes and reply handling
// short; the broker delivers the unacknowledged replies again, the outbox re-sends what was never
// confirmed. Afterwards every order completes within 30 s of the last kill, each effect once, and
// nothing is dead-lettered.

const faultMs = 60_000;

describe('the gateway killed again and again', () => {
  const rigFor = rigPerTest();

  it('SIGKILL every 5-15 s for a minute under orders and replies, restarted each time: every order completes once within 30 s of the last kill, nothing dead-lettered', async () => {
    const rig = await rigFor('kill-loop');
    await rig.startVendors();
    const first = await rig.gateway();
    const port = first.port;
    await waitForReplyConsumers(rig.prefix, 1);
    // 60 JSON orders and 8 interchanges of two: 76 orders in 68 submissions, streamed over about a minute.
    const submissions = mixedOrders('KL', 60, 8);
    let submitted = false;
    // 5-15 s from one kill to the next.
    const loop = killLoop(rig, first, { gapMs: () => 5_000 + Math.random() * 10_000, forMs: faultMs, done: () => submitted });
    const stats = await rig.submit(submissions, {
      targets: () => [`http://127.0.0.1:${port}`],
      concurrency: 3,
      pauseMs: 2_400,
      deadlineMs: 90_000,
    });
    submitted = true;
    await loop.finished;
    const { kills } = loop;
    const lastKill = loop.lastKill();
    rig.faultEnded(lastKill);
    console.info(
      `${kills.length} kills at: ${kills.join('; ')}\n  clients: ${JSON.stringify(stats.statuses)}, ${stats.noAnswer} without an answer, ${stats.retried} retried`,
    );

    const { readyAt } = await rig.completeOrders(() => [loop.current().url], { timeoutMs: 90_000 });
    const healMs = readyAt === undefined ? undefined : readyAt - lastKill;
    await expectBalanced(rig, 'SIGKILL every 5-15 s for a minute', orderCount(submissions), { name: 'sigkill-every-5-15s' });
    const worst = worstRequestDeliveries(rig);
    console.info(
      `requests: the vendors took ${rig.vendorDeliveries.length} for ${new Set(rig.vendorDeliveries).size} tasks, the worst one ${worst} time(s); ` +
        `every order ready for billing ${healMs ?? 'never'} ms after the last kill`,
    );
    expect(kills.length, 'kills in the minute').toBeGreaterThanOrEqual(4);
    expect(await deadLetterCount(rig), 'dead letters').toBe(0);
    expect(rig.http.statuses['500'] ?? 0, 'HTTP 500 answers').toBe(0);
    expect(healMs, 'time to heal after the last kill').toBeLessThan(30_000);
    expect(loop.current().alive()).toBe(true);
  }, 300_000);
});
