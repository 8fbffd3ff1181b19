import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertDeadLetter } from '../adapters/db/index.ts';
import { adminKey, startTestApp, type TestApp } from './support/app.ts';
import { consoleSession, type ConsoleSession } from './support/console-inject.ts';
import { failedDelivery } from './support/webhook-failure.ts';

// The console's operations pages from the server's side: closed to a partner's session, what they
// show (escaped), a new key shown once on the answer to its form, revocation reaching the API, and
// the API reads they stand on (a person's keys, dead letters by page).

describe('console operations', () => {
  let t: TestApp;
  let admin: ConsoleSession;

  const signIn = (key: string): Promise<ConsoleSession> => consoleSession(t, key);

  beforeAll(async () => {
    t = await startTestApp('postgres');
    admin = await signIn(adminKey);
  });
  afterAll(async () => t?.close());

  it("answers a partner's session with 403 in the console's look on every operations page", async () => {
    const shop = await t.partner('Shop');
    const partner = await signIn(shop.key);
    for (const url of [
      '/console/operations',
      '/console/operations/dead-letters',
      '/console/operations/webhooks',
      '/console/operations/partners',
      `/console/operations/partners/${shop.id}`,
      '/console/operations/vendors',
      '/console/operations/people',
    ]) {
      const page = await partner.get(url);
      expect(page.statusCode, url).toBe(403);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.body).toContain('<h1>Not for this sign-in</h1>');
      expect(page.body).not.toContain('href="/console/operations"');
    }
    const forged = await partner.post(`/console/operations/partners/${shop.id}/keys`);
    expect(forged.statusCode).toBe(403);
    expect((await t.request({ method: 'GET', url: `/v1/partners/${shop.id}/api-keys`, key: adminKey })).json().keys).toHaveLength(1);
  });

  it('registers a partner with an escaped name, shows a new key once, and revokes it so that the API refuses it', async () => {
    const name = '<script>alert("x")</script> & Co';
    const registered = await admin.follow(await admin.post('/console/operations/partners', { name }));
    expect(registered.statusCode).toBe(200);
    expect(registered.body).not.toContain('<script>alert');
    expect(registered.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(registered.body).toContain('is registered');
    const partnerPage = registered.body.match(/action="(\/console\/operations\/partners\/[0-9a-f-]{36})\/keys"/)?.[1] ?? '';
    expect(partnerPage).not.toBe('');
    const listed = await admin.get('/console/operations/partners');
    expect(listed.body).toContain('&lt;script&gt;');
    expect(listed.body).not.toContain('<script>alert');

    const issued = await admin.post(`${partnerPage}/keys`);
    expect(issued.statusCode).toBe(200);
    expect(issued.headers['cache-control']).toBe('no-store');
    expect(issued.headers.location).toBeUndefined();
    expect(issued.headers['set-cookie']).toBeUndefined();
    const key = /value="(ogp_[\w-]+)"/.exec(issued.body)?.[1] ?? '';
    expect(key).toMatch(/^ogp_/);
    expect(issued.body).toContain('will not be shown again');
    expect((await t.request({ method: 'GET', url: '/v1/orders', key })).statusCode).toBe(200);

    const again = await admin.get(partnerPage);
    expect(again.body).not.toContain(key);
    expect(again.body).toContain(`Revoke key ${key.slice(0, 8)}…`);

    const keyId = again.body.match(/\/keys\/([0-9a-f-]{36})\/revoke/)?.[1] ?? '';
    const revoked = await admin.follow(await admin.post(`${partnerPage}/keys/${keyId}/revoke`, { prefix: key.slice(0, 8) }));
    expect(revoked.body).toContain(`Key ${key.slice(0, 8)}… is revoked`);
    expect(revoked.body).toContain('revoked</span>');
    expect((await t.request({ method: 'GET', url: '/v1/orders', key })).statusCode).toBe(401);
  });

  it("registers a vendor showing its first key on the answer only, and revokes a person's key through the API", async () => {
    const created = await admin.post('/console/operations/vendors', { id: 'ops-vendor', name: 'Ops <Vendor>', channel: 'mailbox' });
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    const vendorKey = /value="(ogv_[\w-]+)"/.exec(created.body)?.[1] ?? '';
    expect((await t.request({ method: 'GET', url: '/v1/vendor/tasks', key: vendorKey })).statusCode).toBe(200);
    const vendorPage = await admin.get('/console/operations/vendors/ops-vendor');
    expect(vendorPage.body).toContain('Ops &lt;Vendor&gt;');
    expect(vendorPage.body).not.toContain(vendorKey);

    const refused = await admin.follow(await admin.post('/console/operations/vendors', { id: 'Not An Id', name: 'x', channel: 'mailbox' }));
    expect(refused.body).toContain('The vendor was not registered');

    const person = await admin.follow(
      await admin.post('/console/operations/people', { name: 'Pat', email: 'pat@example.com', roles: 'finance, operations' }),
    );
    const personPage = person.body.match(/action="(\/console\/operations\/people\/[0-9a-f-]{36})\/keys"/)?.[1] ?? '';
    const personId = personPage.split('/').at(-1) ?? '';
    expect(person.body).toContain('finance, operations');
    const issued = await admin.post(`${personPage}/keys`);
    const key = /value="(ogh_[\w-]+)"/.exec(issued.body)?.[1] ?? '';
    expect((await t.request({ method: 'GET', url: '/v1/approvals?assignee=me', key })).statusCode).toBe(200);

    const keys = (await t.request({ method: 'GET', url: `/v1/people/${personId}/api-keys`, key: adminKey })).json().keys;
    expect(keys).toEqual([
      {
        id: expect.any(String),
        role: 'person',
        prefix: key.slice(0, 8),
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        revokedAt: null,
      },
    ]);
    const revoke = (keyId: string) => t.request({ method: 'DELETE', url: `/v1/people/${personId}/api-keys/${keyId}`, key: adminKey });
    expect((await revoke(keys[0].id)).statusCode).toBe(204);
    expect((await t.request({ method: 'GET', url: '/v1/approvals?assignee=me', key })).statusCode).toBe(401);
    expect((await revoke('not-a-key-of-hers')).statusCode).toBe(404);
    expect(
      (await t.request({ method: 'GET', url: `/v1/people/00000000-0000-4000-8000-000000000000/api-keys`, key: adminKey })).statusCode,
    ).toBe(404);
  });

  it('lists dead letters newest first by page, with the message as pretty JSON, and shows why a replay without a broker fails', async () => {
    const letter = (n: number) => ({
      queue: 'ordergate.vendor.ops-test',
      messageId: `m-${n}`,
      type: 'fulfillment.request.v1',
      correlationId: null,
      exchange: 'ordergate.requests',
      routingKey: 'vendor.ops-test.install',
      reason: n === 3 ? 'rejected: <b>bad</b>' : 'delivery_limit',
      headers: {},
      properties: {},
      body: JSON.stringify({ n, taskName: 'truck-roll' }),
    });
    for (const n of [1, 2, 3]) await insertDeadLetter(t.database.db, letter(n), new Date());
    const page = (query: string) =>
      t.request({ method: 'GET', url: `/v1/dead-letters?queue=ordergate.vendor.ops-test&${query}`, key: adminKey });
    const first = (await page('limit=2')).json();
    expect(first.deadLetters.map((l: { messageId: string }) => l.messageId)).toEqual(['m-3', 'm-2']);
    const second = (await page(`limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.deadLetters.map((l: { messageId: string }) => l.messageId)).toEqual(['m-1']);
    expect(second.nextCursor).toBeUndefined();
    const forged = Buffer.from(JSON.stringify(['2026-01-01T00:00:00Z', 'x; drop'])).toString('base64url');
    expect((await page(`cursor=${forged}`)).json()).toMatchObject({ status: 400, code: 'invalid-cursor' });

    const listed = await admin.get('/console/operations/dead-letters?queue=ordergate.vendor.ops-test');
    expect(listed.statusCode).toBe(200);
    expect(listed.body).toContain('rejected: &lt;b&gt;bad&lt;/b&gt;');
    expect(listed.body).toContain('&quot;taskName&quot;: &quot;truck-roll&quot;');
    const id = first.deadLetters[0].id;
    const replay = await admin.follow(
      await admin.post(`/console/operations/dead-letters/${id}/replay`, {
        back: '/console/operations/dead-letters?queue=ordergate.vendor.ops-test',
      }),
    );
    expect(replay.body).toContain(`Dead letter ${id} was not replayed: the gateway runs without RabbitMQ`);
    expect(replay.body).toContain('role="alert"');

    const overview = await admin.get('/console/operations');
    expect(overview.body).toMatch(/<strong class="count">3<\/strong> waiting for a replay/);
    // Past a page it counts no further: the overview stays a few short reads.
    for (let n = 4; n <= 50; n++) await insertDeadLetter(t.database.db, letter(n), new Date());
    expect((await admin.get('/console/operations')).body).toMatch(/<strong class="count">50<\/strong> waiting for a replay/);
    await insertDeadLetter(t.database.db, letter(51), new Date());
    expect((await admin.get('/console/operations')).body).toMatch(/<strong class="count">50\+<\/strong> waiting for a replay/);
  });

  it("answers odd addresses with the API's reason in the console's look, never a 500", async () => {
    const unknownVendor = await admin.get('/console/operations/vendors/no-such-vendor');
    expect(unknownVendor.statusCode).toBe(404);
    expect(unknownVendor.body).toContain('vendor no-such-vendor does not exist');
    const badPartner = await admin.get('/console/operations/partners/..%2F..%2Fdead-letters');
    expect(badPartner.statusCode).toBe(400);
    expect(badPartner.body).toContain('<h1>Not available</h1>');
    const badCursor = await admin.get('/console/operations/dead-letters?cursor=nonsense');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.body).toContain('pass the nextCursor of a previous page unchanged');
    expect((await admin.get('/console/operations/partners?q=a&q=b')).statusCode).toBe(200);
    expect((await admin.get('/console/operations/webhooks?state=failed&state=pending')).statusCode).toBe(200);
  });

  it('lists webhook deliveries with a Retry for a failed one, which makes it due again', async () => {
    const shop = await t.partner('Hooked');
    const delivery = await failedDelivery(t, shop.key, 'ops-console-hooks.example');
    const page = await admin.get('/console/operations/webhooks?state=failed');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('https://ops-console-hooks.example/hooks');
    expect(page.body).toContain(`/console/operations/webhooks/deliveries/${delivery.id}/retry`);
    expect(page.body).toContain('active</span>');
    const retried = await admin.follow(
      await admin.post(`/console/operations/webhooks/deliveries/${delivery.id}/retry`, {
        back: '/console/operations/webhooks?state=failed',
      }),
    );
    expect(retried.body).toContain(`Delivery ${delivery.id} (order.received.v1) is due now`);
    const [after] = (await t.request({ method: 'GET', url: '/v1/webhooks/deliveries', key: shop.key })).json().deliveries;
    expect(after).toMatchObject({ id: delivery.id, state: 'pending' });
    expect(Date.parse(after.nextAttemptAt)).toBeLessThanOrEqual(Date.now());
  });
});
