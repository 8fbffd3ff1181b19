import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder, startTestApp, type TestApp } from '../test/support/app.ts';
import { databaseKinds } from '../test/support/databases.ts';

describe.each(databaseKinds)('orders API on %s', (kind) => {
  let t: TestApp;
  let acme: { id: string; key: string };
  let keySeq = 0;
  const nextKey = () => `key-${kind}-${++keySeq}`;

  beforeAll(async () => {
    t = await startTestApp(kind);
    acme = await t.partner('Acme');
  });
  afterAll(async () => t?.close());

  const post = (body: unknown, key: string = nextKey(), apiKey = acme.key) =>
    t.request({ method: 'POST', url: '/v1/orders', key: apiKey, headers: { 'idempotency-key': key }, payload: body as object });

  it('stores a bundle and gives it back nested, components under their parent', async () => {
    const res = await post(sampleOrder);
    expect(res.statusCode).toBe(201);
    const order = res.json();
    expect(res.headers.location).toBe(`/v1/orders/${order.id}`);
    expect(order).toMatchObject({
      status: 'decomposed',
      partnerId: acme.id,
      channel: 'api',
      externalRef: 'PO-1001',
      totals: { lineCount: 4, amount: 158.99 },
    });
    expect(order.lines.map((l: { lineNumber: string }) => l.lineNumber)).toEqual(['1', '2']);
    const bundle = order.lines[1];
    expect(bundle).toMatchObject({ sku: 'INTERNET-100', bundleLineNumber: '2' });
    expect(bundle.components).toHaveLength(2);
    expect(bundle.components[0]).toMatchObject({ lineNumber: '2.1', sku: 'MODEM-X1', parentLineNumber: '2', bundleLineNumber: '2' });
    const ids = [order.lines[0].id, bundle.id, ...bundle.components.map((c: { id: string }) => c.id)];
    expect(new Set(ids).size).toBe(4);

    const read = await t.request({ method: 'GET', url: `/v1/orders/${order.id}`, key: acme.key });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(order);
  });

  it('stores the original document, the first event and an outbox message in the same transaction', async () => {
    const order = (await post({ ...sampleOrder, externalRef: 'PO-DOC' })).json();
    const { db } = t.database;
    const document = await db('documents').where({ order_id: order.id }).first();
    expect(document).toMatchObject({ direction: 'inbound', channel: 'api', content_type: 'application/json' });
    expect(JSON.parse(Buffer.from(document.body).toString('utf8'))).toEqual({ ...sampleOrder, externalRef: 'PO-DOC' });
    const outbox = await db('outbox').where({ correlation_id: order.id }).orderBy('id');
    // The order is decomposed in the same transaction: one fulfillment request per ready vendor task.
    expect(outbox.map((m: { type: string; state: string }) => [m.type, m.state])).toEqual([
      ['order.received.v1', 'pending'],
      ['fulfillment.request.v1', 'pending'],
      ['fulfillment.request.v1', 'pending'],
      ['fulfillment.request.v1', 'pending'],
      ['document.stored.v1', 'pending'],
    ]);
    expect(outbox[4].payload).toEqual({
      documentId: document.id,
      partnerId: acme.id,
      orderId: order.id,
      direction: 'inbound',
      channel: 'api',
      type: 'order.json',
    });
    const events = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/events`, key: acme.key })).json().events;
    expect(events).toEqual([
      expect.objectContaining({ from: null, to: 'received', cause: 'api.received', actor: `partner:${acme.id}` }),
      expect.objectContaining({ from: 'received', to: 'decomposed', cause: 'order.decomposed', actor: 'gateway', detail: { tasks: 4 } }),
    ]);
  });

  it('accepts a flat order whose components name their parent', async () => {
    const flat = {
      ...sampleOrder,
      externalRef: 'PO-FLAT',
      lines: [
        { lineNumber: '10', sku: 'INTERNET-100', quantity: 1, uom: 'EA', unitPrice: 10 },
        { lineNumber: '10.1', parentLineNumber: '10', sku: 'PORT-ACT', quantity: 1, uom: 'EA' },
      ],
    };
    const res = await post(flat);
    expect(res.statusCode).toBe(201);
    expect(res.json().lines[0].components[0]).toMatchObject({ lineNumber: '10.1', parentLineNumber: '10' });
  });

  it('replays the first response for the same key and body, and stores nothing new', async () => {
    const key = nextKey();
    const first = await post({ ...sampleOrder, externalRef: 'PO-REPLAY' }, key);
    // Same content, other key order and spacing: still the same request.
    const { lines, currency, ...rest } = sampleOrder;
    const reordered = JSON.parse(JSON.stringify({ lines, currency, ...rest, externalRef: 'PO-REPLAY' }));
    const second = await post(reordered, key);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    const count = await t.database.db('orders').where({ external_ref: 'PO-REPLAY' }).count({ n: '*' });
    expect(Number(count[0]?.n)).toBe(1);
  });

  it('refuses the same key with another body with 409', async () => {
    const key = nextKey();
    expect((await post({ ...sampleOrder, externalRef: 'PO-A' }, key)).statusCode).toBe(201);
    const res = await post({ ...sampleOrder, externalRef: 'PO-B' }, key);
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'idempotency-key-reused', status: 409 });
  });

  it('turns fifty concurrent identical requests into exactly one order', async () => {
    const key = nextKey();
    const body = { ...sampleOrder, externalRef: 'PO-CONCURRENT' };
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(body, key)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(50).fill(201));
    expect(new Set(responses.map((r) => r.json().id)).size).toBe(1);
    const count = await t.database.db('orders').where({ external_ref: 'PO-CONCURRENT' }).count({ n: '*' });
    expect(Number(count[0]?.n)).toBe(1);
  });

  it('shows a partner only its own orders', async () => {
    const other = await t.partner('Other');
    const mine = (await post({ ...sampleOrder, externalRef: 'PO-MINE' })).json();
    const res = await t.request({ method: 'GET', url: `/v1/orders/${mine.id}`, key: other.key });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not-found');
    expect((await t.request({ method: 'GET', url: `/v1/orders/${mine.id}/events`, key: other.key })).statusCode).toBe(404);
    expect((await t.request({ method: 'POST', url: `/v1/orders/${mine.id}/cancel`, key: other.key })).statusCode).toBe(404);
    const list = (await t.request({ method: 'GET', url: '/v1/orders?limit=500', key: other.key })).json();
    expect(list.orders).toEqual([]);
    // The same Idempotency-Key belongs to each partner separately.
    const key = nextKey();
    expect((await post(sampleOrder, key)).statusCode).toBe(201);
    const theirs = await post(sampleOrder, key, other.key);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().partnerId).toBe(other.id);
  });

  it('pages through orders with a cursor and filters them', async () => {
    const pager = await t.partner('Pager');
    const refs = ['P-1', 'P-2', 'P-3', 'P-4', 'P-5'];
    for (const ref of refs) expect((await post({ ...sampleOrder, externalRef: ref }, nextKey(), pager.key)).statusCode).toBe(201);
    const seen: string[] = [];
    let url = '/v1/orders?limit=2';
    for (let page = 0; page < 5; page++) {
      const body = (await t.request({ method: 'GET', url, key: pager.key })).json();
      seen.push(...body.orders.map((o: { externalRef: string }) => o.externalRef));
      if (body.nextCursor === undefined) break;
      url = `/v1/orders?limit=2&cursor=${encodeURIComponent(body.nextCursor)}`;
    }
    expect(seen).toEqual(refs);

    const byRef = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=P-3', key: pager.key })).json();
    expect(byRef.orders.map((o: { externalRef: string }) => o.externalRef)).toEqual(['P-3']);
    const cancelled = (await t.request({ method: 'GET', url: '/v1/orders?status=cancelled', key: pager.key })).json();
    expect(cancelled.orders).toEqual([]);
    const future = (
      await t.request({ method: 'GET', url: `/v1/orders?updatedSince=${encodeURIComponent('2099-01-01T00:00:00Z')}`, key: pager.key })
    ).json();
    expect(future.orders).toEqual([]);
    const bad = await t.request({ method: 'GET', url: '/v1/orders?cursor=garbage', key: pager.key });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'invalid-cursor', errors: [{ in: 'query', pointer: 'cursor' }] });
  });

  it('cancels an order once, records why, and names the state when it cannot', async () => {
    const order = (await post({ ...sampleOrder, externalRef: 'PO-CANCEL' })).json();
    const res = await t.request({
      method: 'POST',
      url: `/v1/orders/${order.id}/cancel`,
      key: acme.key,
      payload: { reason: 'customer changed mind' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: order.id, status: 'cancelled' });
    expect(res.json().lines).toHaveLength(2);
    const again = await t.request({ method: 'POST', url: `/v1/orders/${order.id}/cancel`, key: acme.key });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'invalid-state' });
    expect(again.json().detail).toContain('"cancelled"');
    const events = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/events`, key: acme.key })).json().events;
    expect(events.map((e: { to: string }) => e.to)).toEqual(['received', 'decomposed', 'cancelled']);
    expect(events[2]).toMatchObject({ from: 'decomposed', cause: 'cancel.requested', detail: { reason: 'customer changed mind' } });
    const outbox = await t.database.db('outbox').where({ correlation_id: order.id }).orderBy('id');
    expect(outbox.map((m: { type: string }) => m.type)).toEqual([
      'order.received.v1',
      ...Array(3).fill('fulfillment.request.v1'),
      'document.stored.v1',
      'order.cancelled.v1',
    ]);
  });

  it("lets the admin read every partner's orders but not submit them", async () => {
    const order = (await post({ ...sampleOrder, externalRef: 'PO-ADMIN' })).json();
    const read = await t.request({ method: 'GET', url: `/v1/orders/${order.id}`, key: 'test-admin-key-0123456789abcdef' });
    expect(read.statusCode).toBe(200);
    const submit = await post(sampleOrder, nextKey(), 'test-admin-key-0123456789abcdef');
    expect(submit.statusCode).toBe(403);
    expect(submit.json().code).toBe('forbidden');
  });

  it('answers 401 without a key or with a wrong one, and 403 to a partner on admin routes', async () => {
    const none = await t.request({ method: 'GET', url: '/v1/orders' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json().code).toBe('unauthorized');
    expect((await t.request({ method: 'GET', url: '/v1/orders', key: 'ogp_wrong' })).statusCode).toBe(401);
    expect((await t.request({ method: 'GET', url: '/v1/orders', headers: { authorization: 'Basic abc' } })).statusCode).toBe(401);
    const partner = await t.request({ method: 'POST', url: '/v1/partners', key: acme.key, payload: { name: 'Evil' } });
    expect(partner.statusCode).toBe(403);
    expect(partner.json().code).toBe('forbidden');
  });

  describe('bad input gets a precise 4xx', () => {
    const send = (payload: string, headers: Record<string, string> = {}) =>
      t.request({
        method: 'POST',
        url: '/v1/orders',
        key: acme.key,
        headers: { 'content-type': 'application/json', 'idempotency-key': nextKey(), ...headers },
        payload,
      });

    it.each([
      ['truncated JSON', '{"externalRef":"x",'],
      ['garbage', '\u0000\u0001not json at all'],
      ['an empty body', ''],
    ])('%s → 400 malformed-json', async (_name, payload) => {
      const res = await send(payload);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('malformed-json');
    });

    it.each([
      ['a string quantity', { ...sampleOrder, lines: [{ lineNumber: '1', quantity: '2', uom: 'EA' }] }, '/lines/0/quantity', 'type'],
      [
        'a zero quantity',
        { ...sampleOrder, lines: [{ lineNumber: '1', quantity: 0, uom: 'EA' }] },
        '/lines/0/quantity',
        'exclusiveMinimum',
      ],
      [
        'a negative component quantity',
        {
          ...sampleOrder,
          lines: [{ lineNumber: '1', quantity: 1, uom: 'EA', components: [{ lineNumber: '1.1', quantity: -1, uom: 'EA' }] }],
        },
        '/lines/0/components/0/quantity',
        'exclusiveMinimum',
      ],
      ['no lines', { ...sampleOrder, lines: [] }, '/lines', 'minItems'],
      ['a missing externalRef', { ...sampleOrder, externalRef: undefined }, '/externalRef', 'required'],
      ['an unknown field', { ...sampleOrder, colour: 'red' }, '/colour', 'additionalProperties'],
      ['a bad date', { ...sampleOrder, orderDate: '27/11/2026' }, '/orderDate', 'format'],
      ['an array body', [sampleOrder], '', 'type'],
    ])('%s → 400 naming the field', async (_name, body, pointer, keyword) => {
      const res = await send(JSON.stringify(body));
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('invalid-request');
      expect(res.json().errors).toContainEqual(expect.objectContaining({ in: 'body', pointer, code: keyword }));
    });

    it.each([
      [
        'a component whose parent is missing',
        {
          ...sampleOrder,
          lines: [
            { lineNumber: '1', quantity: 1, uom: 'EA' },
            { lineNumber: '2.1', parentLineNumber: '2', quantity: 1, uom: 'EA' },
          ],
        },
        '/lines/1/parentLineNumber',
        'unknown-parent-line',
      ],
      [
        'a line number used twice',
        {
          ...sampleOrder,
          lines: [
            { lineNumber: '1', quantity: 1, uom: 'EA' },
            { lineNumber: '1', quantity: 1, uom: 'EA' },
          ],
        },
        '/lines/1/lineNumber',
        'duplicate-line-number',
      ],
      [
        'a bundle inside a bundle',
        {
          ...sampleOrder,
          lines: [
            {
              lineNumber: '1',
              quantity: 1,
              uom: 'EA',
              components: [{ lineNumber: '1.1', quantity: 1, uom: 'EA', components: [{ lineNumber: '1.1.1', quantity: 1, uom: 'EA' }] }],
            },
          ],
        },
        '/lines/0/components/0/components/0/parentLineNumber',
        'nested-bundle',
      ],
      ['a total that does not add up', { ...sampleOrder, total: 100 }, '/total', 'total-mismatch'],
    ])('%s → 422 naming the field', async (_name, body, pointer, code) => {
      const res = await send(JSON.stringify(body));
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'invalid-order', errors: [expect.objectContaining({ in: 'body', pointer, code })] });
    });

    it('a missing Idempotency-Key → 400 naming the header', async () => {
      const res = await t.request({ method: 'POST', url: '/v1/orders', key: acme.key, payload: sampleOrder });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toContainEqual(expect.objectContaining({ in: 'header', pointer: 'idempotency-key', code: 'required' }));
    });

    it('a body over the limit → 413', async () => {
      const huge = JSON.stringify({
        ...sampleOrder,
        notes: Array(50).fill('x'.repeat(2000)),
        extras: { blob: 'y'.repeat(2 * 1024 * 1024) },
      });
      const res = await send(huge);
      expect(res.statusCode).toBe(413);
      expect(res.json().code).toBe('payload-too-large');
    });

    it('another content type → 415', async () => {
      const res = await send('<order/>', { 'content-type': 'application/xml' });
      expect(res.statusCode).toBe(415);
      expect(res.json().code).toBe('unsupported-media-type');
    });

    it('a malformed order id → 400, an unknown one → 404, an unknown route → 404', async () => {
      const malformed = await t.request({ method: 'GET', url: '/v1/orders/not-a-uuid', key: acme.key });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().errors).toContainEqual(expect.objectContaining({ in: 'path', pointer: 'id' }));
      expect((await t.request({ method: 'GET', url: '/v1/orders/00000000-0000-4000-8000-000000000000', key: acme.key })).statusCode).toBe(
        404,
      );
      const route = await t.request({ method: 'GET', url: '/v1/nothing', key: acme.key });
      expect(route.statusCode).toBe(404);
      expect(route.json().code).toBe('route-not-found');
    });

    it('a limit out of range → 400 naming the parameter', async () => {
      const res = await t.request({ method: 'GET', url: '/v1/orders?limit=100000', key: acme.key });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toContainEqual(expect.objectContaining({ in: 'query', pointer: 'limit' }));
    });

    it('nothing is stored for a rejected order', async () => {
      const before = await t.database.db('orders').count({ n: '*' });
      await send(JSON.stringify({ ...sampleOrder, total: 1 }));
      const after = await t.database.db('orders').count({ n: '*' });
      expect(after).toEqual(before);
    });
  });
});
