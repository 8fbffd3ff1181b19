import { describe, expect, it } from 'vitest';
import type { GatewayProcess } from './gateway-process.ts';
import { expectBalanced, mixedOrders, orderCount, replyConsumerCount, waitForReplyConsumers, rigPerTest } from './fulfillment-rig.ts';

// Two gateway processes on one database and one broker: two dispatchers claiming the same outbox
// (FOR UPDATE SKIP LOCKED) and two consumers on the same reply queue. One dies with SIGKILL at a
// random moment while orders stream in to both; clients move to the other. Vendors may get a
// request twice (at-least-once); no effect may happen twice, and no order may be lost.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('two gateways on one database and broker', () => {
  const rigFor = rigPerTest();

  it('one killed mid-stream: the other finishes every order, nothing lost and no effect twice', async () => {
    const rig = await rigFor('two-gateways');
    await rig.startVendors();
    const [a, b] = await Promise.all([rig.gateway(), rig.gateway()]);
    const gateways = [a, b] as GatewayProcess[];
    const r = rig;
    await waitForReplyConsumers(rig.prefix, 2);

    const submissions = mixedOrders('TG', 32, 4);
    const killAfterMs = 300 + Math.floor(Math.random() * 1_200);
    const victim = Math.random() < 0.5 ? a : b;
    let moment = '';
    const crash = (async () => {
      await sleep(killAfterMs);
      const [sent] = await r.db('outbox').where({ type: 'fulfillment.request.v1', state: 'sent' }).count({ n: '*' });
      const [inbox] = await r.db('inbox').count({ n: '*' });
      moment = `${r.accepted.length} orders accepted, ${Number(sent?.n)} requests sent, ${Number(inbox?.n)} replies applied`;
      expect(await victim.kill()).toBe('SIGKILL');
      r.faultEnded();
    })();
    // Each client alternates between the two; a failed attempt goes to the other one.
    let turn = 0;
    const targets = () => {
      turn += 1;
      const alive = gateways.filter((g) => g.alive());
      return turn % 2 === 0 ? alive.map((g) => g.url) : alive.map((g) => g.url).reverse();
    };
    const stats = await rig.submit(submissions, { targets, concurrency: 4, pauseMs: 80 });
    await crash;
    const survivor = victim === a ? b : a;
    console.info(`gateway ${victim.pid} killed after ${killAfterMs} ms: ${moment}; ${stats.retried} client retries`);

    await rig.completeOrders(() => [survivor.url]);
    await expectBalanced(rig, 'two gateways, one killed', orderCount(submissions));
    expect(survivor.alive()).toBe(true);
    expect(await replyConsumerCount(rig.prefix)).toBe(1);
  });
});
