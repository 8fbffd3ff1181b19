import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../adapters/db/index.ts';
import { processSecretKey } from '../adapters/webhook/index.ts';
import { composeServer, startCatalog } from '../app/compose.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from '../test/support/app.ts';
import { databaseKinds } from '../test/support/databases.ts';
import { openSse, type SseEvent } from '../test/support/sse.ts';
import { buildServer } from './server.ts';

// Issue 15, build item 4: GET /v1/stream, checked as a client sees it over a real port.

const stream = { pollMs: 40, heartbeatMs: 150 };

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

const postOrder = (base: string, key: string, externalRef: string) =>
  fetch(`${base}/v1/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ ...sampleOrder, externalRef }),
  }).then(async (res) => {
    if (res.status !== 201) throw new Error(`POST /v1/orders: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  });

/** The table's own order of everything after an event: what a stream from there must deliver. */
async function eventsAfter(db: Database, id: number, where: { partnerId?: string } = {}) {
  const from = await db('order_events').where({ id }).first(db.raw('xid::text AS xid'));
  const query = db('order_events as e')
    .join('orders as o', 'o.id', 'e.order_id')
    .whereRaw('(e.xid, e.id) > (?::xid8, ?)', [from.xid, id])
    .orderBy([{ column: 'e.xid' }, { column: 'e.id' }])
    .select('e.id', 'e.cause', 'e.order_id');
  if (where.partnerId !== undefined) query.where('o.partner_id', where.partnerId);
  return (await query).map((r) => ({ id: String(r.id), cause: r.cause as string, orderId: r.order_id as string }));
}

const seen = (events: SseEvent[]) =>
  events.map((e) => ({ id: e.id, cause: e.event, orderId: (JSON.parse(e.data) as { orderId: string }).orderId }));

const lastEventId = async (db: Database) => Number((await db('order_events').max('id as id').first())?.id);

describe('GET /v1/stream with two gateway instances on one PostgreSQL database', () => {
  let a: TestApp;
  let b: FastifyInstance;
  let bDb: Database;
  let baseA: string;
  let baseB: string;
  let acme: { id: string; key: string };
  let globex: { id: string; key: string };

  beforeAll(async () => {
    a = await startTestApp('postgres', { server: { stream } });
    // The second instance has its own pool and its own poller: only the database is shared.
    bDb = connectDatabase({ url: a.database.url ?? '', dataDir: '', poolMax: 10 });
    b = await buildServer(
      composeServer({ db: bDb, catalog: startCatalog(), secretKey: processSecretKey(), bodyLimitBytes: 1024 * 1024, amqp: false, stream }),
    );
    baseA = await listen(a.app);
    baseB = await listen(b);
    acme = await a.partner('Acme');
    globex = await a.partner('Globex');
  });

  afterAll(async () => {
    await b.close();
    await bDb.destroy();
    await a.close();
  });

  it('gives a client that drops mid-stream and resumes on the other instance every event exactly once, in order', async () => {
    await postOrder(baseA, acme.key, 'PO-START');
    const start = await lastEventId(a.database.db);
    const admin = { authorization: `Bearer ${adminKey}` };

    const first = openSse(`${baseA}/v1/stream`, { ...admin, 'last-event-id': String(start) });
    const partner = openSse(`${baseB}/v1/stream`, { authorization: `Bearer ${acme.key}`, 'last-event-id': String(start) });
    // Both instances write at once, both partners' orders.
    const writes = Promise.all(
      Array.from({ length: 24 }, (_, i) => postOrder(i % 2 === 0 ? baseA : baseB, i % 3 === 0 ? globex.key : acme.key, `PO-${i}`)),
    );
    await first.until(() => first.events.length >= 6);
    await first.close();
    const before = [...first.events];
    const resumedFrom = before.at(-1)?.id ?? '';
    await writes;

    const second = openSse(`${baseB}/v1/stream`, { ...admin, 'last-event-id': resumedFrom });
    const expected = await eventsAfter(a.database.db, start);
    await second.until(() => before.length + second.events.length >= expected.length);
    // Anything more would be a duplicate: give it the time of several polls to show up.
    await new Promise((resolve) => setTimeout(resolve, stream.pollMs * 8));
    expect(seen([...before, ...second.events])).toEqual(expected);
    expect(expected.length).toBeGreaterThan(24);
    expect(before.length).toBeLessThan(expected.length);

    const acmeExpected = await eventsAfter(a.database.db, start, { partnerId: acme.id });
    await partner.until(() => partner.events.length >= acmeExpected.length);
    expect(seen(partner.events)).toEqual(acmeExpected);
    expect(partner.comments).toContain('heartbeat');
    await Promise.all([second.close(), partner.close()]);
  });

  it('holds back what committed after an event that was inserted earlier and is still uncommitted, then sends both in order', async () => {
    const held = await postOrder(baseA, acme.key, 'PO-HELD');
    const start = await lastEventId(a.database.db);
    const client = openSse(`${baseA}/v1/stream`, { authorization: `Bearer ${adminKey}`, 'last-event-id': String(start) });
    // An event takes its id now and commits later, as a slow transaction on another instance would.
    const slow = await bDb.transaction();
    await slow.raw(
      `INSERT INTO order_events (order_id, from_status, to_status, cause, actor, detail) SELECT id, status, status, 'order.noted', 'test', '{}'::jsonb FROM orders WHERE id = ?`,
      [held.id],
    );
    const later = await postOrder(baseB, globex.key, 'PO-LATER');
    await new Promise((resolve) => setTimeout(resolve, stream.pollMs * 8));
    // Sending the later order's events now would put the client past the slow one for good.
    expect(client.events).toEqual([]);
    await slow.commit();
    const expected = await eventsAfter(a.database.db, start);
    await client.until(() => client.events.length >= expected.length);
    await new Promise((resolve) => setTimeout(resolve, stream.pollMs * 5));
    expect(seen(client.events)).toEqual(expected);
    expect(expected[0]).toMatchObject({ orderId: held.id, cause: 'order.noted' });
    expect(Number(expected[0]?.id)).toBeLessThan(Number(expected.find((e) => e.orderId === later.id)?.id));
    await client.close();
  });

  it('filters by order and by type, and refuses a partner asking for another partner', async () => {
    await postOrder(baseA, globex.key, 'PO-F0');
    const start = await lastEventId(a.database.db);
    const first = await postOrder(baseA, acme.key, 'PO-F1');
    await postOrder(baseB, acme.key, 'PO-F2');
    const cancelled = await fetch(`${baseB}/v1/orders/${first.id}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acme.key}`, 'idempotency-key': randomUUID(), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(cancelled.status).toBeLessThan(300);
    const expected = (await eventsAfter(a.database.db, start)).filter((e) => e.orderId === first.id);
    const byOrder = openSse(`${baseA}/v1/stream?orderId=${first.id}`, {
      authorization: `Bearer ${adminKey}`,
      'last-event-id': String(start),
    });
    await byOrder.until(() => byOrder.events.length >= expected.length);
    await new Promise((resolve) => setTimeout(resolve, stream.pollMs * 5));
    expect(seen(byOrder.events)).toEqual(expected);
    expect(expected.some((e) => e.cause.startsWith('order.'))).toBe(true);

    const type = expected.find((e) => !e.cause.startsWith('order.received'))?.cause.split('.')[0] ?? 'order';
    const byType = openSse(`${baseB}/v1/stream?type=${type}.&orderId=${first.id}`, {
      authorization: `Bearer ${acme.key}`,
      'last-event-id': String(start),
    });
    const typed = expected.filter((e) => e.cause.startsWith(`${type}.`));
    await byType.until(() => byType.events.length >= typed.length);
    await new Promise((resolve) => setTimeout(resolve, stream.pollMs * 5));
    expect(seen(byType.events)).toEqual(typed);

    const refused = await fetch(`${baseA}/v1/stream?partnerId=${globex.id}`, { headers: { authorization: `Bearer ${acme.key}` } });
    expect(refused.status).toBe(403);
    const unknown = await fetch(`${baseA}/v1/stream`, { headers: { authorization: `Bearer ${adminKey}`, 'last-event-id': '999999999' } });
    expect(unknown.status).toBe(400);
    const malformed = await fetch(`${baseA}/v1/stream`, { headers: { authorization: `Bearer ${adminKey}`, 'last-event-id': 'abc' } });
    expect(malformed.status).toBe(400);
    await Promise.all([byOrder.close(), byType.close()]);
  });

  it('closes without waiting for a stream that is still open', async () => {
    const extra = await buildServer(
      composeServer({ db: bDb, catalog: startCatalog(), secretKey: processSecretKey(), bodyLimitBytes: 1024 * 1024, amqp: false, stream }),
    );
    const open = openSse(`${await listen(extra)}/v1/stream`, { authorization: `Bearer ${adminKey}` });
    await open.until(() => open.comments.includes('stream open'));
    const started = Date.now();
    await extra.close();
    await open.ended;
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe.each(databaseKinds)('GET /v1/stream on %s', (kind) => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp(kind, { server: { stream } });
    base = await listen(t.app);
  });
  afterAll(() => t.close());

  it('sends the events that commit after the client joined', async () => {
    const acme = await t.partner('Acme');
    const client = openSse(`${base}/v1/stream`, { authorization: `Bearer ${acme.key}` });
    await client.until(() => client.comments.includes('stream open'));
    // The listener joins on the poller's next turn.
    await new Promise((resolve) => setTimeout(resolve, stream.pollMs * 5));
    const order = await postOrder(base, acme.key, 'PO-LIVE');
    const expected = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/events`, key: acme.key })).json().events as {
      id: number;
      cause: string;
    }[];
    await client.until(() => client.events.length >= expected.length);
    expect(client.events.map((e) => [Number(e.id), e.event])).toEqual(expected.map((e) => [e.id, e.cause]));
    expect(JSON.parse(client.events[0]?.data ?? '{}')).toMatchObject({ orderId: order.id, partnerId: acme.id });
    await client.close();
  });

  it('leaves the event line out with named=false (a browser hears it in onmessage), the cause still in the data', async () => {
    const acme = await t.partner('Acme unnamed');
    await postOrder(base, acme.key, 'PO-BEFORE');
    const start = await lastEventId(t.database.db);
    const order = await postOrder(base, acme.key, 'PO-UNNAMED');
    const client = openSse(`${base}/v1/stream?named=false`, { authorization: `Bearer ${acme.key}`, 'last-event-id': String(start) });
    const expected = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/events`, key: acme.key })).json().events as {
      id: number;
      cause: string;
    }[];
    await client.until(() => client.events.length >= expected.length);
    expect(client.events.map((e) => [Number(e.id), e.event, JSON.parse(e.data).cause])).toEqual(
      expected.map((e) => [e.id, undefined, e.cause]),
    );
    await client.close();
  });
});
