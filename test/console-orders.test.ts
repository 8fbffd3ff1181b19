import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { ApprovalGate } from '../pipeline/approvals.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { consoleSession, cookieValue, type ConsoleSession } from './support/console-inject.ts';

// Orders in flight: the list's search through GET /v1/orders (newest first, by partner, channel,
// reference prefix and time received) and the console's order pages over it, as a browser sees them.

describe('orders in flight', () => {
  let t: TestApp;
  let shop: { id: string; key: string };
  let other: { id: string; key: string };
  const ids: Record<string, string> = {};

  const submit = async (partner: { key: string }, externalRef: string) => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: partner.key,
      headers: { 'idempotency-key': `k-${externalRef}` },
      payload: { ...sampleOrder, externalRef },
    });
    expect(res.statusCode).toBe(201);
    ids[externalRef] = res.json().id;
  };

  const list = async (query: string, key = adminKey) => t.request({ method: 'GET', url: `/v1/orders?${query}`, key });
  const refs = (res: LightMyRequestResponse): string[] => res.json().orders.map((o: { externalRef: string }) => o.externalRef);

  const signIn = (key: string): Promise<ConsoleSession> => consoleSession(t, key);

  beforeAll(async () => {
    t = await startTestApp('postgres');
    shop = await t.partner('Shop');
    other = await t.partner('Other shop');
    for (const ref of ['PO-100', 'PO-101', 'PO-2_0', 'PO-200']) await submit(shop, ref);
    await submit(other, 'PO-102');
    await submit(shop, '<script>alert(1)</script>');
  });
  afterAll(async () => t?.close());

  describe('GET /v1/orders search', () => {
    it('lists the newest received first with sort=newest, pages back with the cursor, and keeps the oldest change first by default', async () => {
      const first = await list('sort=newest&limit=2');
      expect(refs(first)).toEqual(['<script>alert(1)</script>', 'PO-102']);
      const second = await list(`sort=newest&limit=2&cursor=${first.json().nextCursor}`);
      expect(refs(second)).toEqual(['PO-200', 'PO-2_0']);
      expect(refs(await list('limit=3'))).toEqual(['PO-100', 'PO-101', 'PO-2_0']);
    });

    it('finds by the beginning of the reference, taking % and _ literally, or by the whole of it', async () => {
      expect(refs(await list('sort=newest&externalRefPrefix=PO-10'))).toEqual(['PO-102', 'PO-101', 'PO-100']);
      expect(refs(await list(`sort=newest&externalRefPrefix=${encodeURIComponent('PO-2_')}`))).toEqual(['PO-2_0']);
      expect(refs(await list(`externalRefPrefix=${encodeURIComponent('%')}`))).toEqual([]);
      expect(refs(await list('externalRef=PO-10'))).toEqual([]);
    });

    it('filters by partner, channel and the time received', async () => {
      expect(refs(await list(`sort=newest&partnerId=${other.id}`))).toEqual(['PO-102']);
      expect(refs(await list('channel=x12'))).toEqual([]);
      expect(refs(await list('channel=api'))).toHaveLength(6);
      const created = (await list('sort=newest&limit=1')).json().orders[0].createdAt as string;
      expect(refs(await list(`receivedFrom=${encodeURIComponent(created)}`))).toEqual(['<script>alert(1)</script>']);
      expect(refs(await list(`sort=newest&receivedTo=${encodeURIComponent(created)}&externalRefPrefix=PO-2`))).toEqual([
        'PO-200',
        'PO-2_0',
      ]);
    });

    it.each([
      ['partnerId', 'not-a-uuid'],
      ['channel', 'fax'],
      ['receivedFrom', 'yesterday'],
      ['receivedTo', '2026-13-01T00:00:00Z'],
      ['externalRefPrefix', ''],
      ['externalRefPrefix', 'x'.repeat(201)],
      ['sort', 'oldest'],
    ])('refuses %s=%s as a problem naming the field', async (field, value) => {
      const res = await list(`${field}=${encodeURIComponent(value)}`);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toContain(field);
    });

    it("does not let a partner see another partner's orders through partnerId", async () => {
      const res = await list(`partnerId=${other.id}`, shop.key);
      expect(res.statusCode).toBe(403);
      expect(res.json().errors[0].pointer).toBe('partnerId');
      expect(refs(await list(`partnerId=${shop.id}&sort=newest`, shop.key))).not.toContain('PO-102');
      expect(refs(await list('sort=newest', other.key))).toEqual(['PO-102']);
    });
  });

  describe('console pages', () => {
    let admin: { cookie: string; csrf: string };
    const page = (url: string, cookie = admin.cookie) => t.request({ method: 'GET', url, headers: { cookie } });

    beforeAll(async () => {
      admin = await signIn(adminKey);
    });

    it('lists the orders newest first, the reference escaped, with a search form the script is no part of', async () => {
      const res = await page('/console/orders');
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(res.body).not.toContain('<script>alert(1)');
      const shown = [...res.body.matchAll(/<tr data-order-id="([^"]+)">/g)].map((m) => m[1]);
      expect(shown.slice(0, 2)).toEqual([ids['<script>alert(1)</script>'], ids['PO-102']]);
      expect(res.body).toMatch(/<form class="filters" method="get" action="\/console\/orders"/);
      expect(res.body).toContain(`<option value="${other.id}">Other shop</option>`);
      expect(res.body).toContain('<script src="/console/assets/orders-live.js" defer></script>');
      expect(res.body).toContain(
        '<p id="orders-news" class="live" aria-live="polite" data-stream="/v1/stream" data-show="/console/orders">',
      );
    });

    it('searches by reference, partner and status, and says what is wrong with a date', async () => {
      const found = await page(`/console/orders?ref=PO-10&partner=${shop.id}&status=decomposed`);
      expect([...found.body.matchAll(/<a href="\/console\/orders\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1])).toEqual(['PO-101', 'PO-100']);
      expect(found.body).toContain('data-narrowed="true"');
      const bad = await page('/console/orders?from=06.12.2026');
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('Received from: enter a date');
    });

    it('shows a partner only its own orders, and no partner filter', async () => {
      const partner = await signIn(other.key);
      const res = await page('/console/orders', partner.cookie);
      expect([...res.body.matchAll(/<tr data-order-id="([^"]+)">/g)].map((m) => m[1])).toEqual([ids['PO-102']]);
      expect(res.body).not.toContain('id="partner"');
      expect((await page(`/console/orders/${ids['PO-100']}`, partner.cookie)).statusCode).toBe(404);
    });

    it('shows an order: header, lines as a tree, the task graph with its dependencies, and the timeline', async () => {
      const res = await page(`/console/orders/${ids['<script>alert(1)</script>']}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<title>Order &lt;script&gt;alert(1)&lt;/script&gt; · ordergate</title>');
      expect(res.body).not.toContain('<script>alert(1)');
      expect(res.body).toContain('Springfield');
      expect(res.body).toMatch(
        /<tr class="line level-2">\s*<th scope="row" class="line-number"><span aria-hidden="true">↳ <\/span><span class="sr-only">component of line 2: <\/span>2.1<\/th>/,
      );
      expect(res.body.match(/<g class="task /g)).toHaveLength(4);
      expect(res.body.match(/<path class="dependency"/g)).toHaveLength(2);
      expect(res.body).toContain('waits for 2.1 · ship-modem and 2.2 · activate-port');
      expect(res.body).toMatch(/<td>event<\/td><td>received \(api.received\)/);
      expect(res.body).toMatch(/<td>document<\/td><td><a href="\/console\/documents\/[^"]+">/);
    });

    it('cancels an order through the API with the form, then shows no form; a refusal shows the problem', async () => {
      const id = ids['PO-200'] ?? '';
      const cancel = (csrf: string) =>
        t.request({
          method: 'POST',
          url: `/console/orders/${id}/cancel`,
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie },
          payload: new URLSearchParams({ _csrf: csrf, reason: 'test' }).toString(),
        });
      expect((await cancel('forged')).statusCode).toBe(403);
      const done = await cancel(admin.csrf);
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe(`/console/orders/${id}`);
      const notice = `ordergate_notice=${cookieValue(done, 'ordergate_notice')}`;
      const after = await page(`/console/orders/${id}`, `${admin.cookie}; ${notice}`);
      expect(after.body).toContain('The order is cancelled.');
      expect(after.body).not.toContain('Cancel order</button>');
      const again = await cancel(admin.csrf);
      const refused = await page(`/console/orders/${id}`, `${admin.cookie}; ordergate_notice=${cookieValue(again, 'ordergate_notice')}`);
      expect(refused.body).toMatch(/Not cancelled: the order is &quot;cancelled&quot;/);
    });

    it("tells a person that orders are not theirs to list, in the page's own words", async () => {
      const person = await t.request({
        method: 'POST',
        url: '/v1/people',
        key: adminKey,
        payload: { name: 'Olga', email: 'olga@example.com', roles: ['operations'] },
      });
      const issued = await t.request({ method: 'POST', url: `/v1/people/${person.json().id}/api-keys`, key: adminKey });
      const olga = await signIn(issued.json().key);
      const res = await page('/console/orders', olga.cookie);
      expect(res.statusCode).toBe(403);
      expect(res.body).toMatch(/class="notice problem" role="alert">[^<]*partner or admin/);
    });

    it('says there is no such order', async () => {
      expect((await page('/console/orders/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
      expect((await page('/console/orders/not-an-id')).statusCode).toBe(404);
    });
  });
});

describe('an order waiting for its approval, on its page', () => {
  let t: TestApp;
  const gate: ApprovalGate = async () => ({
    required: true,
    reasons: [{ code: 'total-at-least', policy: 'big', detail: 'the total is at least 100.00 USD' }],
    levels: [
      { level: 1, name: 'sales', assignees: [{ role: 'sales-manager' }], mode: 'any', method: 'click', sla: 'PT2H' },
      { level: 2, name: 'finance', assignees: [{ role: 'finance' }], mode: 'all', method: 'click' },
    ],
  });

  beforeAll(async () => {
    t = await startTestApp('postgres', { server: { approvals: { gate } } });
  });
  afterAll(async () => t?.close());

  it('shows why it waits, its levels in turn and the decisions so far, and no task graph yet', async () => {
    const shop = await t.partner('Shop');
    const created = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: shop.key,
      headers: { 'idempotency-key': 'big-1' },
      payload: sampleOrder,
    });
    expect(created.json().status).toBe('pending_approval');
    const { cookie } = await consoleSession(t, shop.key);
    const res = await t.request({ method: 'GET', url: `/console/orders/${created.json().id}`, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<li>the total is at least 100.00 USD</li>');
    expect(res.body).toMatch(
      /<th scope="row">1\. sales<\/th><td>role sales-manager<\/td><td>any one<\/td>.*>PT2H<\/td><td>deciding now<\/td>/,
    );
    expect(res.body).toMatch(/<th scope="row">2\. finance<\/th><td>role finance<\/td><td>all of them<\/td>.*<td>not reached<\/td>/);
    expect(res.body).toContain('No tasks: the order has not been planned into work (it waits for its approval).');
    expect(res.body).not.toContain('<svg');
  });
});
