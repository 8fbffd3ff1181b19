import { describe, expect, it } from 'vitest';
import { deadLetterCount, expectBalanced, mixedOrders, orderCount, rigPerTest, waitForReplyConsumers } from './fulfillment-rig.ts';

// The gateway's PostgreSQL connections held half-open for 20 s while the vendors' replies pour in:
// every connection stays open, no byte goes either way, nothing is closed, and new connections are
// accepted and get nothing either (a partition, a dead NAT entry). Only the gateway's own limits can
// tell: the query read timeout (20 s), the connect timeout and the pool's acquire timeout. Meanwhile
// it keeps answering /healthz, answers 503 (never 500, never after more than 30 s) to requests that
// need the database, and holds the replies it cannot apply; once the path is back every order
// completes within 30 s, each effect once.
//
// The fault is injected in the rig's own TCP proxy between the gateway and PostgreSQL
// (`pgProxy`); the machine's PostgreSQL is never touched, and the rig's own connections (the
// ledger, the person tasks) go to it directly.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const halfOpenMs = 20_000;

interface Probe {
  what: string;
  /** The HTTP status, or 0 for no answer within the probe's own limit. */
  status: number;
  ms: number;
  error?: string;
}

async function probe(what: string, url: string, init: RequestInit, limitMs: number): Promise<Probe> {
  const started = Date.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(limitMs) });
    await res.text();
    return { what, status: res.status, ms: Date.now() - started };
  } catch (error) {
    return { what, status: 0, ms: Date.now() - started, error: error instanceof Error ? error.message : String(error) };
  }
}

describe('fulfillment while the database path is half-open', () => {
  const rigFor = rigPerTest({ rig: () => ({ pgProxy: true }) });

  it('PostgreSQL half-open for 20 s during consumption: /healthz answers, the API answers 503 within 30 s, and every order completes once within 30 s of the path coming back', async () => {
    const rig = await rigFor('pg-half-open');
    await rig.startVendors();
    const gateway = await rig.gateway({ logLevel: 'info' });
    await waitForReplyConsumers(rig.prefix, 1);
    const pgProxy = rig.pgProxy;
    if (pgProxy === undefined) throw new Error('the rig has no PostgreSQL proxy');
    const submissions = mixedOrders('PH', 24, 3);
    const half = Math.floor(submissions.length / 2);
    const r = rig;
    const probes: Probe[] = [];
    const clientFailures: string[] = [];
    let moment = '';

    // The first half goes in before the partition; the vendors are answering when it begins.
    await rig.submit(submissions.slice(0, half), { targets: () => [gateway.url], concurrency: 3 });
    const partition = (async () => {
      await sleep(300 + Math.random() * 300);
      const [inbox] = await r.db('inbox').count({ n: '*' });
      const [sent] = await r.db('outbox').where({ type: 'fulfillment.request.v1', state: 'sent' }).count({ n: '*' });
      moment = `${r.accepted.length} orders accepted, ${Number(sent?.n)} requests sent, ${Number(inbox?.n)} replies applied, ${pgProxy.stats().open} database connections held`;
      const known = r.accepted.find((a) => a.orderId !== undefined);
      pgProxy.blackhole();
      const heldAt = Date.now();
      // Every second a liveness probe (5 s limit) and, every other second, a request that needs the
      // database (a 35 s limit, so a hanging answer shows as a duration, not a hang of the test).
      const pending: Promise<Probe>[] = [];
      for (let second = 0; Date.now() - heldAt < halfOpenMs - 1_000; second += 1) {
        pending.push(probe('healthz', `${gateway.url}/healthz`, {}, 5_000));
        if (second % 2 === 0 && known?.orderId !== undefined) {
          pending.push(
            probe(
              'GET order',
              `${gateway.url}/v1/orders/${known.orderId}`,
              { headers: { authorization: `Bearer ${r.partners.json.key}` } },
              35_000,
            ),
          );
        }
        await sleep(1_000);
      }
      await sleep(Math.max(0, halfOpenMs - (Date.now() - heldAt)));
      pgProxy.unblackhole();
      r.faultEnded();
      probes.push(...(await Promise.all(pending)));
    })();
    // The second half is sent through the partition by clients that retry 5xx with the same key
    // (or the same interchange); an answer a client cannot retry (4xx) is kept and asserted last.
    await sleep(1_000);
    const rest = submissions.slice(half);
    let next = 0;
    const client = async () => {
      while (next < rest.length) {
        const submission = rest[next++];
        if (submission === undefined) return;
        await r
          .submit([submission], { targets: () => [gateway.url], concurrency: 1, deadlineMs: 120_000 })
          .catch((error: unknown) => clientFailures.push(error instanceof Error ? error.message : String(error)));
        await sleep(500);
      }
    };
    await Promise.all([client(), client(), client()]);
    await partition;

    const healthz = probes.filter((p) => p.what === 'healthz');
    const needsDatabase = probes.filter((p) => p.what !== 'healthz');
    const summary = (list: Probe[]) => list.map((p) => `${p.status === 0 ? `no answer (${p.error})` : p.status} in ${p.ms} ms`).join(', ');
    console.info(
      `half-open for ${halfOpenMs} ms from: ${moment}\n  healthz: ${summary(healthz)}\n  GET order: ${summary(needsDatabase)}\n` +
        `  clients: ${JSON.stringify(rig.http.statuses)}, ${rig.http.noAnswer} without an answer; refused for good: ${clientFailures.length}`,
    );

    const { readyAt } = await rig.completeOrders(() => [gateway.url], { timeoutMs: 60_000 });
    const healMs = readyAt === undefined ? undefined : readyAt - (rig.faultEndedAt ?? 0);
    console.info(
      `every order ready for billing ${healMs ?? 'never'} ms after the path was back; the gateway said:\n${gateway
        .output()
        .split('\n')
        .filter((l) => /"level":(40|50)|paused|resumed|available again/.test(l))
        .slice(0, 30)
        .map((l) => l.slice(0, 400))
        .join('\n')}`,
    );
    await expectBalanced(rig, 'half-open PostgreSQL', rig.accepted.length, { name: 'postgres-half-open-20s' });
    expect(healMs, 'time to heal after the path is back').toBeLessThan(30_000);
    expect(rig.http.statuses['500'] ?? 0, 'HTTP 500 answers').toBe(0);
    expect(await deadLetterCount(rig), 'dead letters').toBe(0);
    expect(gateway.alive(), 'the gateway survived').toBe(true);
    expect(
      healthz.filter((p) => p.status !== 200),
      'liveness answered 200 throughout',
    ).toEqual([]);
    expect(healthz.length).toBeGreaterThan(10);
    expect(
      needsDatabase.filter((p) => p.ms > 30_000),
      'no request needing the database waited more than 30 s',
    ).toEqual([]);
    expect(
      needsDatabase.filter((p) => p.status !== 503 && p.status !== 200),
      'requests needing the database: 503 (or 200 once the path is back), never 500 or 401, never unanswered',
    ).toEqual([]);
    expect(needsDatabase.filter((p) => p.status === 503).length, 'the database requests during the partition were 503').toBeGreaterThan(0);
    expect(clientFailures, 'submissions refused with a status a client cannot retry').toEqual([]);
    expect(rig.accepted.length, 'every order accepted').toBe(orderCount(submissions));
  }, 240_000);
});
