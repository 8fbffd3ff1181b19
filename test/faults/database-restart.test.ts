import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';

// PostgreSQL really goes away under a running gateway, and comes back.
// While it is away, everything that needs it answers a quick 503 the client can retry, and the
// liveness probe stays up (the process is fine; restarting it would not help). Once it is back,
// the same process serves again without a restart, nothing stored before is lost, and a retried
// request is stored exactly once.
//
// The server that stops (pg_ctl stop -m fast) and starts again is a private PostgreSQL this file
// starts in a temporary folder, never the machine's. The app's test database is made on it:
// test/support/databases.ts reads TEST_POSTGRES_URL when it is first imported, so the app's
// modules are imported only once that names the private server (and the test checks they did).

const first503WithinMs = 10_000;
const recoveryWithinMs = 20_000;

function expectUnavailable(res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({ status: 503, code: 'service-unavailable' });
  expect(String(res.headers['retry-after'])).toMatch(/^[1-9]\d*$/);
}

async function timed<T>(action: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await action();
  return { value, ms: Math.round(performance.now() - started) };
}

describe('the gateway while PostgreSQL is stopped and started again', () => {
  let t: TestApp | undefined;
  let acme: { id: string; key: string };
  let server: PrivatePostgres | undefined;
  let sampleOrder: object;
  const previousUrl = process.env.TEST_POSTGRES_URL;
  const ensurePostgresRunning = () => (server as PrivatePostgres).ensureRunning();
  const stopPostgres = () => (server as PrivatePostgres).stop();
  const startPostgres = () => (server as PrivatePostgres).start();

  beforeAll(async () => {
    server = await startPrivatePostgres({ name: 'database-restart' });
    process.env.TEST_POSTGRES_URL = server.adminUrl;
    const support = await import('../support/app.ts');
    sampleOrder = support.sampleOrder;
    t = await support.startTestApp('postgres');
    expect(t.database.url, 'the app’s database is on the private server').toMatch(
      new RegExp(`^postgres://postgres@127\\.0\\.0\\.1:${server.port}/`),
    );
    acme = await t.partner('Acme');
  });

  afterAll(async () => {
    // Whatever happened above, the private server is running again before the app closes (close()
    // drops its database); then the server and its folder go.
    await server?.ensureRunning();
    await t?.close();
    await server?.destroy();
    if (previousUrl === undefined) delete process.env.TEST_POSTGRES_URL;
    else process.env.TEST_POSTGRES_URL = previousUrl;
  });

  it('answers 503 while the database is down and serves again once it is back, without a restart', async () => {
    const app = t as TestApp;
    const post = (order: object, key: string) =>
      app.request({ method: 'POST', url: '/v1/orders', key: acme.key, headers: { 'idempotency-key': key }, payload: order });
    const get = (id: string) => app.request({ method: 'GET', url: `/v1/orders/${id}`, key: acme.key });
    const probe = (url: '/healthz' | '/readyz') => app.request({ method: 'GET', url });

    // 1. A normal order, which also leaves idle connections in the pool.
    const before = await post({ ...sampleOrder, externalRef: 'PO-BEFORE' }, 'restart-before');
    expect(before.statusCode, before.body).toBe(201);
    const stored = before.json();
    expect((await probe('/readyz')).statusCode).toBe(200);

    const retried = { ...sampleOrder, externalRef: 'PO-RETRIED' };
    const retriedKey = 'restart-retried';
    let first503Ms: number;
    let recoveryMs: number;
    try {
      // 2. PostgreSQL really stops: the pooled connections are terminated, new ones are refused.
      const postmaster = (server as PrivatePostgres).pid();
      await stopPostgres();
      expect((server as PrivatePostgres).pid(), 'the postmaster is gone').toBeUndefined();
      const down = performance.now();

      const refused = await timed(() => post(retried, retriedKey));
      first503Ms = Math.round(performance.now() - down);
      expectUnavailable(refused.value);
      expect(first503Ms).toBeLessThan(first503WithinMs);

      // The client retries while the database is still away: 503 again, still quickly.
      const refusedAgain = await timed(() => post(retried, retriedKey));
      expectUnavailable(refusedAgain.value);
      expect(refusedAgain.ms).toBeLessThan(first503WithinMs);

      const read = await timed(() => get(stored.id));
      expectUnavailable(read.value);
      expect(read.ms).toBeLessThan(first503WithinMs);

      const ready = await timed(() => probe('/readyz'));
      expectUnavailable(ready.value);
      expect(ready.ms).toBeLessThan(first503WithinMs);

      const live = await probe('/healthz');
      expect(live.statusCode).toBe(200);
      expect(live.json()).toEqual({ status: 'up' });

      // 3. PostgreSQL comes back (a new postmaster); the same app must notice by itself.
      await startPostgres();
      expect((server as PrivatePostgres).pid()).not.toBe(postmaster);
      const up = performance.now();
      let readiness = await probe('/readyz');
      while (readiness.statusCode !== 200 && performance.now() - up < recoveryWithinMs) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        readiness = await probe('/readyz');
      }
      recoveryMs = Math.round(performance.now() - up);
      expect(readiness.statusCode, `/readyz still ${readiness.statusCode} ${recoveryMs} ms after the start: ${readiness.body}`).toBe(200);
      expect(readiness.json()).toEqual({ status: 'ready', database: 'up' });
    } finally {
      await ensurePostgresRunning();
    }
    console.info(`PostgreSQL restart: first 503 ${first503Ms} ms after the stop; /readyz 200 again ${recoveryMs} ms after the start`);

    // New orders are taken again.
    const after = await post({ ...sampleOrder, externalRef: 'PO-AFTER' }, 'restart-after');
    expect(after.statusCode, after.body).toBe(201);

    // What was stored before the stop is still there, unchanged.
    const reread = await get(stored.id);
    expect(reread.statusCode, reread.body).toBe(200);
    expect(reread.json()).toEqual(stored);

    // The request refused with 503 is retried with its Idempotency-Key: stored once, then replayed.
    const retry = await post(retried, retriedKey);
    expect(retry.statusCode, retry.body).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    const replay = await post(retried, retriedKey);
    expect(replay.statusCode, replay.body).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().id).toBe(retry.json().id);

    const listed = await app.request({ method: 'GET', url: '/v1/orders?externalRef=PO-RETRIED', key: acme.key });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().orders.map((o: { id: string }) => o.id)).toEqual([retry.json().id]);
    const { db } = app.database;
    expect(await db('orders').where({ partner_id: acme.id, external_ref: 'PO-RETRIED' }).count({ n: '*' })).toEqual([{ n: 1 }]);
    expect(await db('orders').where({ partner_id: acme.id }).count({ n: '*' })).toEqual([{ n: 3 }]);
  });
  it('gives requests in flight when PostgreSQL stops a 201 or a 503, and their retries store each order once', async () => {
    const app = t as TestApp;
    const post = (order: object, key: string) =>
      app.request({ method: 'POST', url: '/v1/orders', key: acme.key, headers: { 'idempotency-key': key }, payload: order });
    const orderFor = (n: number) => ({ ...sampleOrder, externalRef: `PO-INFLIGHT-${n}` });
    const keyFor = (n: number) => `inflight-${n}`;
    const answers = new Map<number, LightMyRequestResponse>();
    const ordersBefore = Number((await app.database.db('orders').where({ partner_id: acme.id }).count({ n: '*' }))[0]?.n);

    // Four clients keep posting new orders; the server stops under them. Bounded: at most 400 requests.
    let stopped = false;
    let next = 0;
    const client = async () => {
      while (next < 400) {
        const n = next++;
        answers.set(n, await post(orderFor(n), keyFor(n)));
        if (stopped) return;
      }
    };
    try {
      const clients = Promise.all([client(), client(), client(), client()]);
      const warmUp = performance.now() + 10_000;
      while (answers.size < 8 && performance.now() < warmUp) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(answers.size, 'orders posted before the stop').toBeGreaterThanOrEqual(8);
      await stopPostgres();
      stopped = true;
      await clients;
    } finally {
      await ensurePostgresRunning();
    }

    const statuses = [...answers.values()].map((res) => res.statusCode);
    expect(
      statuses.every((status) => status === 201 || status === 503),
      `statuses: ${statuses.join(' ')}`,
    ).toBe(true);
    expect(statuses).toContain(201);
    expect(statuses).toContain(503);
    for (const res of answers.values()) if (res.statusCode === 503) expectUnavailable(res);
    console.info(
      `in flight at the stop: ${statuses.filter((s) => s === 201).length} × 201, ${statuses.filter((s) => s === 503).length} × 503`,
    );

    // Every client retries with its own key, whatever it got: one order per key, a 201 kept as it was.
    let readiness = await app.request({ method: 'GET', url: '/readyz' });
    for (const started = performance.now(); readiness.statusCode !== 200 && performance.now() - started < recoveryWithinMs;) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      readiness = await app.request({ method: 'GET', url: '/readyz' });
    }
    expect(readiness.statusCode, readiness.body).toBe(200);
    for (const [n, first] of answers) {
      const retry = await post(orderFor(n), keyFor(n));
      expect(retry.statusCode, retry.body).toBe(201);
      if (first.statusCode === 201) {
        expect(retry.headers['idempotent-replayed']).toBe('true');
        expect(retry.json().id).toBe(first.json().id);
      }
    }
    const rows = await app.database
      .db('orders')
      .where({ partner_id: acme.id })
      .whereLike('external_ref', 'PO-INFLIGHT-%')
      .select('external_ref');
    expect(rows.map((r: { external_ref: string }) => r.external_ref).sort()).toEqual(
      [...answers.keys()].map((n) => orderFor(n).externalRef).sort(),
    );
    const ordersAfter = Number((await app.database.db('orders').where({ partner_id: acme.id }).count({ n: '*' }))[0]?.n);
    expect(ordersAfter - ordersBefore).toBe(answers.size);
  });
});
