import { describe, expect, it } from 'vitest';
import type { GatewayProcess } from './gateway-process.ts';
import {
  deadLetterCount,
  expectBalanced,
  mixedOrders,
  orderCount,
  rigPerTest,
  waitForReplyConsumers,
  worstRequestDeliveries,
  type Rig,
} from './fulfillment-rig.ts';

// The gateway killed with SIGKILL every 5-15 s for a minute, and started again on the same port
// each time, while clients send orders (retrying like real ones: the same Idempotency-Key, the same
// interchange) and the vendors answer. Every kill cuts transactions, publishes and reply handling
// short; the broker delivers the unacknowledged replies again, the outbox re-sends what was never
// confirmed. Afterwards every order completes within 30 s of the last kill, each effect once, and
// nothing is dead-lettered.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const faultMs = 60_000;

async function inFlight(rig: Rig): Promise<string> {
  const [sent] = await rig.db('outbox').where({ type: 'fulfillment.request.v1', state: 'sent' }).count({ n: '*' });
  const [inbox] = await rig.db('inbox').count({ n: '*' });
  return `${rig.accepted.length} accepted, ${Number(sent?.n)} requests sent, ${Number(inbox?.n)} replies applied`;
}

describe('the gateway killed again and again', () => {
  const rigFor = rigPerTest();

  it('SIGKILL every 5-15 s for a minute under orders and replies, restarted each time: every order completes once within 30 s of the last kill, nothing dead-lettered', async () => {
    const rig = await rigFor('kill-loop');
    await rig.startVendors();
    let current: GatewayProcess = await rig.gateway();
    const port = current.port;
    await waitForReplyConsumers(rig.prefix, 1);
    // 60 JSON orders and 8 interchanges of two: 76 orders in 68 submissions, streamed over about a minute.
    const submissions = mixedOrders('KL', 60, 8);
    const r = rig;
    const kills: string[] = [];
    let submitted = false;
    let lastKill = 0;

    const killer = (async () => {
      const started = Date.now();
      let nextKill = started + 5_000 + Math.random() * 10_000;
      for (;;) {
        // 5-15 s from one kill to the next; a restarted gateway runs at least a second before the next.
        await sleep(Math.max(1_000, nextKill - Date.now()));
        const moment = await inFlight(r);
        lastKill = Date.now();
        nextKill = lastKill + 5_000 + Math.random() * 10_000;
        expect(await current.kill()).toBe('SIGKILL');
        current = await r.gateway({ port });
        kills.push(`${Math.round((lastKill - started) / 1000)} s (${moment}; up again in ${Date.now() - lastKill} ms)`);
        if (Date.now() - started >= faultMs && submitted) break;
      }
    })();
    const stats = await rig.submit(submissions, {
      targets: () => [`http://127.0.0.1:${port}`],
      concurrency: 3,
      pauseMs: 2_400,
      deadlineMs: 90_000,
    });
    submitted = true;
    await killer;
    rig.faultEnded(lastKill);
    console.info(
      `${kills.length} kills at: ${kills.join('; ')}\n  clients: ${JSON.stringify(stats.statuses)}, ${stats.noAnswer} without an answer, ${stats.retried} retried`,
    );

    const { readyAt } = await rig.completeOrders(() => [current.url], { timeoutMs: 90_000 });
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
    expect(current.alive()).toBe(true);
  }, 300_000);
});
