import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from './cursor.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from '../test/support/app.ts';

// Issue 12, finding 8: bad dates and cursors, slow senders, /metrics, another partner's document as
// a position, another vendor's task.

/** Sends raw bytes on a new connection and reads until the server closes it. */
function rawExchange(port: number, chunks: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => (answer += data));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

const problemOf = (raw: string) => ({
  status: Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]),
  type: /content-type: ([^\r]+)/i.exec(raw)?.[1],
  body: JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { code: string; status: number },
});

describe('dates, cursors, positions and tasks', () => {
  let t: TestApp;
  let acme: { id: string; key: string };
  let other: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp('postgres');
    acme = await t.partner('Acme');
    other = await t.partner('Other');
  });
  afterAll(async () => t?.close());

  it.each([
    '0000-01-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:00:00+16:00',
    '2016-12-31T23:59:60.5Z',
    '2026-01-01',
  ])('answers updatedSince=%s 400 naming the parameter', async (value) => {
    const res = await t.request({ method: 'GET', url: `/v1/orders?updatedSince=${encodeURIComponent(value)}`, key: acme.key });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid-request', errors: [{ in: 'query', pointer: 'updatedSince' }] });
  });

  it('takes a good updatedSince, at the edges of the years it accepts too', async () => {
    for (const value of [
      '2026-01-01T00:00:00Z',
      '0001-01-01T00:00:00+14:00',
      '9999-12-31T23:59:59.999999-01:00',
      '2016-12-31T23:59:60Z',
      '2026-01-01t00:00:00.123456789z',
    ]) {
      const res = await t.request({ method: 'GET', url: `/v1/orders?updatedSince=${encodeURIComponent(value)}`, key: acme.key });
      expect(res.statusCode, value).toBe(200);
    }
  });

  it.each([
    ['a year the database does not take', encodeCursor({ at: '0000-01-01T00:00:00Z', id: randomUUID() })],
    ['a date in words', encodeCursor({ at: 'March 7, 2026', id: randomUUID() })],
    ['an id holding a NUL', encodeCursor({ at: '2026-01-01T00:00:00.000000Z', id: 'a\u0000b' })],
    ['garbage', 'bm90IGEgY3Vyc29y'],
  ])('answers a cursor that decodes to %s 400 invalid-cursor', async (_name, cursor) => {
    for (const url of [`/v1/orders?cursor=${cursor}`, `/v1/partners?cursor=${cursor}`]) {
      const res = await t.request({ method: 'GET', url, key: url.includes('partners') ? adminKey : acme.key });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid-cursor', errors: [{ in: 'query', pointer: 'cursor' }] });
    }
  });

  it("takes only the partner's own document as a position in GET /v1/documents?after=", async () => {
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: other.key,
      headers: { 'idempotency-key': 'after-1' },
      payload: { ...sampleOrder, externalRef: 'PO-AFTER' },
    });
    expect(created.statusCode).toBe(201);
    const [theirs] = (await t.request({ method: 'GET', url: '/v1/documents', key: other.key })).json().documents;
    expect(theirs).toBeDefined();
    for (const after of [theirs.id, randomUUID()]) {
      const res = await t.request({ method: 'GET', url: `/v1/documents?after=${after}`, key: acme.key });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid-cursor', errors: [{ in: 'query', pointer: 'after' }] });
    }
    const own = await t.request({ method: 'GET', url: `/v1/documents?after=${theirs.id}`, key: other.key });
    expect(own.statusCode).toBe(200);
    expect(own.json().documents).toEqual([]);
  });

  it("answers a vendor naming another vendor's task exactly as a task that does not exist", async () => {
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: acme.key,
      headers: { 'idempotency-key': 'task-1' },
      payload: { ...sampleOrder, externalRef: 'PO-TASK' },
    });
    const order = created.json();
    const [message] = (await t.request({ method: 'GET', url: '/v1/vendor/tasks?vendorId=vendor-b', key: adminKey })).json().messages;
    const reply = (taskId: string) =>
      t.request({
        method: 'POST',
        url: '/v1/vendor/replies',
        key: adminKey,
        payload: {
          messageId: randomUUID(),
          type: 'fulfillment.complete.v1',
          body: { taskId, orderId: order.id, vendorId: 'vendor-a', completedAt: new Date().toISOString() },
        },
      });
    const stolen = await reply(message.body.taskId);
    const missing = await reply(randomUUID());
    expect(stolen.statusCode).toBe(422);
    expect(stolen.json()).toMatchObject({ code: 'reply-refused', detail: `unknown-task: there is no task ${message.body.taskId}` });
    expect(missing.json().detail.replace(/[0-9a-f-]{36}$/, '')).toBe(stolen.json().detail.replace(/[0-9a-f-]{36}$/, ''));
    expect(stolen.body).not.toContain(message.body.taskKey ?? 'activate-port');
  });

  it('answers a vendor reply with a date the database does not take 400, naming the field', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: acme.key,
      headers: { 'idempotency-key': 'date-1' },
      payload: { ...sampleOrder, externalRef: 'PO-DATE' },
    });
    const messages = (await t.request({ method: 'GET', url: '/v1/vendor/tasks?vendorId=vendor-a', key: adminKey })).json().messages;
    const message = messages.find((m: { correlationId: string }) => m.correlationId === created.json().id);
    const res = await t.request({
      method: 'POST',
      url: '/v1/vendor/replies',
      key: adminKey,
      payload: {
        messageId: randomUUID(),
        type: 'fulfillment.progress.v1',
        body: {
          taskId: message.body.taskId,
          orderId: created.json().id,
          vendorId: 'vendor-a',
          occurredAt: '0000-01-01T00:00:00Z',
          stage: 'picked',
        },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ in: 'body', pointer: '/body/occurredAt' })]);
  });
});

describe('/metrics', () => {
  let t: TestApp;
  let clock = 1_000_000;
  const token = 'metrics-token-0123456789';

  beforeAll(async () => {
    t = await startTestApp('postgres', { server: { metricsToken: token, metricsClock: () => clock } });
  });
  afterAll(async () => t?.close());

  const scrape = () => t.request({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
  const orders = (text: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith('ordergate_orders{'))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);

  it('asks for METRICS_TOKEN when one is set', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', token]) {
      const res = await t.request({ method: 'GET', url: '/metrics', headers: authorization === undefined ? {} : { authorization } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'unauthorized' });
    }
    expect((await scrape()).statusCode).toBe(200);
  });

  it('reads the counts from the database at most once per 5 s, however often it is scraped', async () => {
    const acme = await t.partner('Metered');
    const before = orders((await scrape()).body);
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: acme.key,
      headers: { 'idempotency-key': 'metrics-1' },
      payload: sampleOrder,
    });
    expect(created.statusCode).toBe(201);
    clock += 4_999;
    const scrapes = await Promise.all([scrape(), scrape(), scrape()]);
    expect(scrapes.map((s) => orders(s.body))).toEqual([before, before, before]);
    clock += 1;
    expect(orders((await scrape()).body)).toBe(before + 1);
  });
});

describe('slow senders and large headers', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await startTestApp('postgres', { server: { timeouts: { headersMs: 300, requestMs: 600 } } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => t?.close());

  it('answers headers that never end 408 request-timeout as problem+json, and closes the connection', async () => {
    const answer = problemOf(await rawExchange(port, ['GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ']));
    expect(answer).toMatchObject({ status: 408, type: 'application/problem+json', body: { code: 'request-timeout', status: 408 } });
  });

  it('answers a body that never ends 408 request-timeout', async () => {
    const answer = problemOf(
      await rawExchange(port, [
        'POST /v1/orders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nIdempotency-Key: slow\r\n\r\n{"externalRef":',
      ]),
    );
    expect(answer).toMatchObject({ status: 408, body: { code: 'request-timeout' } });
  });

  it('answers headers past 16 KiB 431 headers-too-large', async () => {
    const answer = problemOf(await rawExchange(port, [`GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`]));
    expect(answer).toMatchObject({ status: 431, type: 'application/problem+json', body: { code: 'headers-too-large' } });
  });

  it('still answers a request that comes in time', async () => {
    const raw = await rawExchange(port, ['GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n']);
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
  });
});
