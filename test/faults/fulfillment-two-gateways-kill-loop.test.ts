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

// Two gateways on one database and one broker; one of them is killed with SIGKILL about every 10 s
// for a minute and started again on its port, while the other runs on. Clients spread their orders
// over both and move to the other after a failure; the vendors answer throughout, and both
// gateways' consumers take replies from the one reply queue. No order may be lost, no effect may
// happen twice, nothing may be dead-lettered, and all is done within 30 s of the last kill.

const faultMs = 60_000;

describe('two gateways, one killed again and again', () => {
  const rigFor = rigPerTest();

  it('one of two gateways SIGKILLed about every 10 s for a minute while clients use both: every order completes once, nothing dead-lettered', async () => {
    const rig = await rigFor('two-kill-loop');
    await rig.startVendors();
    const steady = await rig.gateway();
    const first = await rig.gateway();
    const victimPort = first.port;
    await waitForReplyConsumers(rig.prefix, 2);
    const submissions = mixedOrders('TK', 60, 8);
    let submitted = false;
    // About 10 s from one kill to the next.
    const loop = killLoop(rig, first, { gapMs: () => 8_000 + Math.random() * 4_000, forMs: faultMs, done: () => submitted });
    // Each client alternates between the two; a failed attempt goes to the other one.
    let turn = 0;
    const urls = [steady.url, `http://127.0.0.1:${victimPort}`];
    const targets = () => {
      turn += 1;
      return turn % 2 === 0 ? urls : [...urls].reverse();
    };
    const stats = await rig.submit(submissions, { targets, concurrency: 4, pauseMs: 3_200, deadlineMs: 90_000 });
    submitted = true;
    await loop.finished;
    const { kills } = loop;
    const lastKill = loop.lastKill();
    rig.faultEnded(lastKill);
    console.info(
      `${kills.length} kills at: ${kills.join('; ')}\n  clients: ${JSON.stringify(stats.statuses)}, ${stats.noAnswer} without an answer, ${stats.retried} retried`,
    );

    const { readyAt } = await rig.completeOrders(() => urls, { timeoutMs: 90_000 });
    const healMs = readyAt === undefined ? undefined : readyAt - lastKill;
    await expectBalanced(rig, 'two gateways, one SIGKILLed every ~10 s for a minute', orderCount(submissions), {
      name: 'two-gateways-one-killed-every-10s',
    });
    console.info(
      `requests: the vendors took ${rig.vendorDeliveries.length} for ${new Set(rig.vendorDeliveries).size} tasks, the worst one ${worstRequestDeliveries(rig)} time(s); ` +
        `every order ready for billing ${healMs ?? 'never'} ms after the last kill`,
    );
    expect(kills.length, 'kills in the minute').toBeGreaterThanOrEqual(5);
    expect(await deadLetterCount(rig), 'dead letters').toBe(0);
    expect(rig.http.statuses['500'] ?? 0, 'HTTP 500 answers').toBe(0);
    expect(healMs, 'time to heal after the last kill').toBeLessThan(30_000);
    expect(steady.alive(), 'the other gateway ran throughout').toBe(true);
    expect(loop.current().alive()).toBe(true);
  }, 300_000);
});
