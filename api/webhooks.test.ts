import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverDueWebhooks, processSecretKey, secretBox } from '../adapters/webhook/index.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from '../test/support/app.ts';
import { withoutNetwork } from '../test/support/nock.ts';

const shopifyOrder = readFileSync(new URL('../adapters/webhook/fixtures/shopify-orders-create.json', import.meta.url), 'utf8');
const shopifySecret = 'shpss_acme-outdoor-client-secret-0123456789';
const shop = 'acme-outdoor.myshopify.com';

describe('webhooks in', () => {
  let t: TestApp;
  let acme: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp('postgres');
    acme = await t.partner('Acme Outdoor');
  });
  afterAll(async () => t?.close());

  const register = (partnerId: string, body: object, key = adminKey) =>
    t.request({ method: 'POST', url: `/v1/partners/${partnerId}/webhook-sources`, key, payload: body });

  /** Posts as Shopify does: the HMAC of the exact bytes sent, the shop and the event in headers. */
  const fromShopify = (body: string, headers: Record<string, string> = {}, secret = shopifySecret) =>
    t.request({
      method: 'POST',
      url: '/v1/webhooks/shopify',
      headers: {
        'content-type': 'application/json',
        'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
        'x-shopify-shop-domain': shop,
        'x-shopify-topic': 'orders/create',
        'x-shopify-api-version': '2025-10',
        'x-shopify-webhook-id': randomUUID(),
        'x-shopify-event-id': randomUUID(),
        ...headers,
      },
      payload: body,
    });

  const ordersOf = async (key: string, externalRef: string) =>
    (await t.request({ method: 'GET', url: `/v1/orders?externalRef=${encodeURIComponent(externalRef)}`, key })).json().orders;

  it('registers a Shopify shop for a partner: the secret is stored sealed and never returned', async () => {
    const res = await register(acme.id, { kind: 'shopify', account: 'Acme-Outdoor.myshopify.com', secret: shopifySecret });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      partnerId: acme.id,
      kind: 'shopify',
      account: shop,
      map: 'shopify-orders',
      url: '/v1/webhooks/shopify',
    });
    expect(res.json()).not.toHaveProperty('secret');
    const [row] = await t.database.db('webhook_sources').where({ id: res.json().id });
    expect(row.secret_sealed).not.toContain(shopifySecret);
    expect(JSON.stringify(row)).not.toContain('client-secret');

    const taken = await register((await t.partner('Other')).id, { kind: 'shopify', account: shop, secret: 'another-secret-0123456789' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'identity-in-use', errors: [{ pointer: '/account' }] });
  });

  it.each([
    ['an unknown kind', { kind: 'magento' }, '/kind'],
    ['a shop without its domain', { kind: 'shopify', secret: shopifySecret }, '/account'],
    ['a shop without its secret', { kind: 'shopify', account: 'x.myshopify.com' }, '/secret'],
    ['a Standard Webhooks secret that is not one', { kind: 'standard', secret: 'plain-text-secret-123' }, '/secret'],
    ['an unknown map', { kind: 'standard', map: 'nope' }, '/map'],
  ])('refuses to register %s, naming the field', async (_name, body, pointer) => {
    const res = await register(acme.id, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual([pointer]);
  });

  it('lets only the admin register sources', async () => {
    expect((await register(acme.id, { kind: 'standard' }, acme.key)).statusCode).toBe(403);
  });

  it('turns a signed Shopify orders/create into an order with its bundle; the same event again gets the first answer and stores nothing', async () => {
    const eventId = randomUUID();
    const first = await fromShopify(shopifyOrder, { 'x-shopify-event-id': eventId });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ externalRef: '#1042', status: 'decomposed' });

    const [order] = await ordersOf(acme.key, '#1042');
    expect(order).toMatchObject({
      id: first.json().orderId,
      channel: 'webhook',
      currency: 'USD',
      orderDate: '2026-11-27',
      totals: { lineCount: 4, amount: 264 },
      statedTotal: 264,
    });
    expect(order.envelope).toMatchObject({
      source: 'shopify',
      account: shop,
      topic: 'orders/create',
      'x-shopify-event-id': eventId,
      shopifyOrderId: 'gid://shopify/Order/5912873420871',
    });
    expect(order.lines.map((l: { lineNumber: string; sku: string }) => [l.lineNumber, l.sku])).toEqual([
      ['1', 'BOTTLE-750-SAGE'],
      ['2', 'KIT-CAMP-STARTER'],
    ]);
    expect(
      order.lines[1].components.map((c: { lineNumber: string; sku: string; unitPrice: number }) => [c.lineNumber, c.sku, c.unitPrice]),
    ).toEqual([
      ['2.1', 'TENT-2P-DOME', 149],
      ['2.2', 'BAG-3S-REG', 79],
    ]);

    // Shopify retries with a new X-Shopify-Webhook-Id but the same event id.
    const again = await fromShopify(shopifyOrder, { 'x-shopify-event-id': eventId });
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await ordersOf(acme.key, '#1042')).toHaveLength(1);

    const other = await fromShopify(shopifyOrder.replace('#1042', '#1043'), { 'x-shopify-event-id': eventId });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ code: 'webhook-id-reused', detail: expect.stringContaining(eventId) });

    const documents = (await t.request({ method: 'GET', url: '/v1/documents?type=orders/create', key: acme.key })).json().documents;
    expect(documents).toEqual([
      expect.objectContaining({
        orderId: order.id,
        channel: 'webhook',
        control: expect.objectContaining({ source: 'shopify', [`webhook:${order.envelope.sourceId}`]: eventId }),
      }),
    ]);
  });

  it('falls back to X-Shopify-Webhook-Id where no X-Shopify-Event-Id is sent', async () => {
    const body = shopifyOrder.replace('#1042', '#1044');
    const first = await fromShopify(body, { 'x-shopify-event-id': '', 'x-shopify-webhook-id': 'b54557e4-8a5f-4f7d-9d70-bcd043000001' });
    const again = await fromShopify(body, { 'x-shopify-event-id': '', 'x-shopify-webhook-id': 'b54557e4-8a5f-4f7d-9d70-bcd043000001' });
    expect([first.statusCode, again.statusCode, again.headers['idempotent-replayed']]).toEqual([200, 200, 'true']);
    const missing = await fromShopify(body, { 'x-shopify-event-id': '', 'x-shopify-webhook-id': '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'invalid-request', errors: [{ in: 'header', pointer: 'x-shopify-event-id' }] });
  });

  it.each([
    [
      'a wrong signature',
      { 'x-shopify-hmac-sha256': createHmac('sha256', 'not-the-secret').update(shopifyOrder).digest('base64') },
      'does not match the body',
    ],
    ['no signature', { 'x-shopify-hmac-sha256': '' }, 'x-shopify-hmac-sha256 header is missing'],
    [
      'an unknown shop',
      { 'x-shopify-shop-domain': 'someone-else.myshopify.com' },
      'no shopify source is registered for someone-else.myshopify.com',
    ],
    ['no shop', { 'x-shopify-shop-domain': '' }, 'x-shopify-shop-domain header is missing'],
  ])('answers %s with 401 problem+json and stores nothing', async (_name, headers, detail) => {
    const body = shopifyOrder.replace('#1042', '#UNAUTH');
    const res = await fromShopify(body, headers);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'webhook-unauthenticated', detail: expect.stringContaining(detail) });
    expect(await ordersOf(acme.key, '#UNAUTH')).toEqual([]);
  });

  it('refuses a body changed after signing (the signature is over the exact bytes)', async () => {
    const signed = createHmac('sha256', shopifySecret).update(shopifyOrder).digest('base64');
    const res = await fromShopify(shopifyOrder.replace('"quantity": 2', '"quantity": 20'), { 'x-shopify-hmac-sha256': signed });
    expect(res.statusCode).toBe(401);
  });

  it('acknowledges an authentic topic that is not an order (202) and stores nothing', async () => {
    const res = await fromShopify(shopifyOrder.replace('#1042', '#UPDATED'), { 'x-shopify-topic': 'orders/updated' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      status: 'ignored',
      topic: 'orders/updated',
      detail: 'map shopify-orders turns only orders/create into orders',
    });
    expect(await ordersOf(acme.key, '#UPDATED')).toEqual([]);
  });

  it('answers an order that breaks a rule with 422, pointing into the shop payload', async () => {
    const res = await fromShopify(
      shopifyOrder
        .replace('#1042', '#BAD')
        .replace('"quantity": 2', '"quantity": 0')
        .replace('"total_line_items_price": "264.00"', '"total_line_items_price": "228.00"'),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'invalid-order',
      errors: [{ in: 'body', pointer: '/line_items/0/quantity', code: 'invalid-quantity' }],
    });
  });

  it('answers a line item that is null or not an object with 422 at that line, not a 500', async () => {
    for (const item of ['null', '"a string"']) {
      const order = JSON.parse(shopifyOrder);
      const body = JSON.stringify({ ...order, name: `#NULL-${item.length}`, line_items: [order.line_items[0], 'ITEM'] }).replace(
        '"ITEM"',
        item,
      );
      const res = await fromShopify(body);
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ pointer: '/line_items/1/quantity', code: 'not-a-number' })]),
      );
    }
  });

  describe('from a Standard Webhooks source', () => {
    let source: { id: string; url: string; secret: string };
    const envelope = (externalRef: string) =>
      JSON.stringify({
        type: 'orders/create',
        timestamp: new Date().toISOString(),
        data: { ...JSON.parse(shopifyOrder), name: externalRef },
      });
    const send = (
      body: string,
      { id = `msg_${randomUUID()}`, at = Math.floor(Date.now() / 1000), secret = source.secret, url = source.url } = {},
    ) =>
      t.request({
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(at),
          'webhook-signature': new Webhook(secret).sign(id, new Date(at * 1000), body),
        },
        payload: body,
      });

    beforeAll(async () => {
      const res = await register(acme.id, { kind: 'standard' });
      expect(res.statusCode).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      source = res.json();
      expect(source.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(source.url).toBe(`/v1/webhooks/${source.id}`);
    });

    it('stores a signed order; the same webhook-id again, even signed anew, gets the first answer', async () => {
      const body = envelope('#2001');
      const first = await send(body, { id: 'msg_2001' });
      expect(first.statusCode).toBe(200);
      const again = await send(body, { id: 'msg_2001', at: Math.floor(Date.now() / 1000) + 60 });
      expect(again.body).toBe(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await ordersOf(acme.key, '#2001')).toHaveLength(1);
    });

    it('refuses a timestamp more than 5 minutes old or ahead with 401, saying by how much', async () => {
      const old = await send(envelope('#OLD'), { at: Math.floor(Date.now() / 1000) - 400 });
      expect(old.statusCode).toBe(401);
      expect(old.json()).toMatchObject({
        code: 'webhook-outside-window',
        detail: expect.stringMatching(
          /^webhook-timestamp \d+ \(.+\) is 40\d s in the past of the gateway's clock \(.+\); signatures are accepted within 300 s either way$/,
        ),
      });
      const ahead = await send(envelope('#AHEAD'), { at: Math.floor(Date.now() / 1000) + 3600 });
      expect(ahead.json()).toMatchObject({ code: 'webhook-outside-window', detail: expect.stringMatching(/is 3\d{3} s in the future/) });
      expect([...(await ordersOf(acme.key, '#OLD')), ...(await ordersOf(acme.key, '#AHEAD'))]).toEqual([]);
    });

    it('refuses another secret or an unknown source id with 401', async () => {
      const wrongSecret = await send(envelope('#WRONG'), { secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}` });
      expect(wrongSecret.json()).toMatchObject({
        status: 401,
        code: 'webhook-unauthenticated',
        detail: 'no v1 signature in webhook-signature matches the body',
      });
      const unknown = await send(envelope('#WRONG'), { url: `/v1/webhooks/${randomUUID()}` });
      expect(unknown.json()).toMatchObject({
        status: 401,
        code: 'webhook-unauthenticated',
        detail: expect.stringContaining('no webhook source has the id'),
      });
    });
  });
});

describe('webhooks out', () => {
  let t: TestApp;
  const secrets = secretBox(processSecretKey());
  const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);
  const run = (now: Date) => deliverDueWebhooks({ db: t.database.db, secrets, outbound: t.deps.outbound.webhooks }, now);

  withoutNetwork();
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  const subscribe = async (key: string, url: string, eventTypes: string[]) => {
    const res = await t.request({ method: 'POST', url: '/v1/webhooks/subscriptions', key, payload: { url, eventTypes } });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; secret: string };
  };
  const order = async (key: string, ref: string) =>
    (
      await t.request({
        method: 'POST',
        url: '/v1/orders',
        key,
        headers: { 'idempotency-key': ref },
        payload: { ...sampleOrder, externalRef: ref },
      })
    ).json().id as string;
  const deliveries = async (key: string) => (await t.request({ method: 'GET', url: '/v1/webhooks/deliveries', key })).json().deliveries;

  it('signs each delivery with Standard Webhooks, retries 500s after 30 s and 2 min, and logs every attempt', async () => {
    const partner = await t.partner('Subscriber');
    const bystander = await t.partner('Bystander');
    const subscription = await subscribe(partner.key, 'https://hooks.partner.example/ordergate', ['order.received.v1']);
    expect(subscription.secret).toMatch(/^whsec_/);
    await subscribe(bystander.key, 'https://hooks.bystander.example/in', ['order.received.v1', 'order.cancelled.v1']);
    expect((await t.request({ method: 'GET', url: '/v1/webhooks/subscriptions', key: partner.key })).json().subscriptions).toEqual([
      expect.not.objectContaining({ secret: expect.anything() }),
    ]);
    const orderId = await order(partner.key, 'HOOK-1');

    let received: { headers: Record<string, string>; body: string } | undefined;
    const endpoint = nock('https://hooks.partner.example')
      .post('/ordergate')
      .reply(500, 'busy')
      .post('/ordergate')
      .reply(500, 'still busy')
      .post('/ordergate')
      .reply(200, function (_uri, body) {
        received = { headers: this.req.headers as Record<string, string>, body: typeof body === 'string' ? body : JSON.stringify(body) };
        return 'ok';
      });

    const t0 = new Date();
    expect(await run(t0)).toEqual({ created: 1, attempted: 1, delivered: 0 });
    let [delivery] = await deliveries(partner.key);
    expect(delivery).toMatchObject({
      eventType: 'order.received.v1',
      state: 'pending',
      attempts: 1,
      // The class and a short reason: neither the code nor what the endpoint answered.
      lastStatusClass: '5xx',
      lastError: 'HTTP 5xx',
      nextAttemptAt: at(t0, 30).toISOString(),
    });
    expect(delivery.attemptLog).toEqual([{ at: t0.toISOString(), statusClass: '5xx', error: 'HTTP 5xx' }]);
    expect(JSON.stringify(delivery)).not.toContain('busy');

    expect(await run(at(t0, 29))).toEqual({ created: 0, attempted: 0, delivered: 0 });
    expect(await run(at(t0, 30))).toMatchObject({ attempted: 1, delivered: 0 });
    [delivery] = await deliveries(partner.key);
    expect(delivery).toMatchObject({ state: 'pending', attempts: 2, nextAttemptAt: at(t0, 150).toISOString() });
    expect(await run(at(t0, 150))).toMatchObject({ attempted: 1, delivered: 1 });
    expect(endpoint.isDone()).toBe(true);

    [delivery] = await deliveries(partner.key);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 3, lastStatusClass: '2xx', deliveredAt: at(t0, 150).toISOString() });
    expect(delivery).not.toHaveProperty('nextAttemptAt');
    expect(delivery.attemptLog.map((a: { at: string; statusClass: string }) => [a.at, a.statusClass])).toEqual([
      [t0.toISOString(), '5xx'],
      [at(t0, 30).toISOString(), '5xx'],
      [at(t0, 150).toISOString(), '2xx'],
    ]);

    // What arrived is what the reference implementation accepts, under the delivery's own id.
    if (received === undefined) throw new Error('nothing received');
    expect(received.headers['webhook-id']).toBe(delivery.id);
    expect(received.headers['webhook-timestamp']).toBe(String(Math.floor(at(t0, 150).getTime() / 1000)));
    expect(new Webhook(subscription.secret).verify(received.body, received.headers)).toEqual({
      type: 'order.received.v1',
      timestamp: expect.any(String),
      data: { orderId, partnerId: partner.id, channel: 'api', externalRef: 'HOOK-1' },
    });

    // Each partner sees its own deliveries only; the admin sees all.
    expect(await deliveries(bystander.key)).toEqual([]);
    expect((await t.request({ method: 'POST', url: `/v1/webhooks/deliveries/${delivery.id}/retry`, key: bystander.key })).statusCode).toBe(
      404,
    );
    expect((await deliveries(adminKey)).map((d: { id: string }) => d.id)).toContain(delivery.id);
  });

  it('fails a delivery after the last back-off step (6 h); a retry makes it due now and it goes out', async () => {
    const partner = await t.partner('Flaky');
    const before = await order(partner.key, 'EARLY-1');
    await t.request({ method: 'POST', url: `/v1/orders/${before}/cancel`, key: partner.key });
    await subscribe(partner.key, 'https://flaky.example/hooks', ['order.cancelled.v1']);
    const orderId = await order(partner.key, 'LATE-1');
    await t.request({ method: 'POST', url: `/v1/orders/${orderId}/cancel`, key: partner.key });

    const endpoint = nock('https://flaky.example').post('/hooks').times(6).reply(503).post('/hooks').reply(204);
    const t0 = new Date();
    // Only the cancel after the subscription, and not the order received before it.
    expect(await run(t0)).toMatchObject({ created: 1, attempted: 1 });
    for (const seconds of [30, 150, 750, 4350, 25950]) expect(await run(at(t0, seconds))).toMatchObject({ attempted: 1, delivered: 0 });

    let [delivery] = await deliveries(partner.key);
    expect(delivery).toMatchObject({
      eventType: 'order.cancelled.v1',
      state: 'failed',
      attempts: 6,
      lastStatusClass: '5xx',
      payload: { data: { orderId, from: 'decomposed', to: 'cancelled' } },
    });
    expect(delivery).not.toHaveProperty('nextAttemptAt');
    expect(await run(at(t0, 100_000))).toMatchObject({ attempted: 0 });

    const retried = await t.request({ method: 'POST', url: `/v1/webhooks/deliveries/${delivery.id}/retry`, key: partner.key });
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ state: 'pending', attempts: 6 });
    expect(Date.parse(retried.json().nextAttemptAt)).toBeLessThanOrEqual(Date.now());
    expect(await run(new Date())).toMatchObject({ attempted: 1, delivered: 1 });
    expect(endpoint.isDone()).toBe(true);
    [delivery] = await deliveries(partner.key);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 7, lastStatusClass: '2xx' });
    expect(
      (await t.request({ method: 'POST', url: `/v1/webhooks/deliveries/${randomUUID()}/retry`, key: partner.key })).json(),
    ).toMatchObject({ status: 404, code: 'not-found' });
  });

  it('leaves the events of a partner without subscriptions out of the fan-out from the start; one that subscribes gets what follows', async () => {
    const quiet = await t.partner('Quiet');
    const before = await order(quiet.key, 'PO-QUIET-1');
    const unseen = await t.database
      .db('outbox')
      .where({ correlation_id: before })
      .whereNull('webhooks_fanned_out_at')
      .count({ n: '*' })
      .first();
    expect(Number(unseen?.n)).toBe(0);
    await subscribe(quiet.key, 'https://hooks.quiet.example/in', ['order.received.v1']);
    const after = await order(quiet.key, 'PO-QUIET-2');
    const waiting = await t.database
      .db('outbox')
      .where({ correlation_id: after, type: 'order.received.v1' })
      .whereNull('webhooks_fanned_out_at')
      .count({ n: '*' })
      .first();
    expect(Number(waiting?.n)).toBe(1);
  });

  it('takes at most 25 subscriptions from a partner, also when the last places are asked for at once', async () => {
    const { key } = await t.partner('Subscribes a lot');
    const subscribe = (n: number) =>
      t.request({
        method: 'POST',
        url: '/v1/webhooks/subscriptions',
        key,
        payload: { url: `https://hooks.example/${n}`, eventTypes: ['order.received.v1'] },
      });
    for (let n = 0; n < 23; n += 1) expect((await subscribe(n)).statusCode).toBe(201);
    const lastPlaces = await Promise.all([23, 24, 25, 26].map(subscribe));
    expect(lastPlaces.map((res) => res.statusCode).sort()).toEqual([201, 201, 422, 422]);
    expect(lastPlaces.find((res) => res.statusCode === 422)?.json()).toMatchObject({ code: 'limit-reached' });
    const mine = (await t.request({ method: 'GET', url: '/v1/webhooks/subscriptions', key })).json().subscriptions;
    expect(mine).toHaveLength(25);
    const gone = await t.request({ method: 'DELETE', url: `/v1/webhooks/subscriptions/${mine[0].id}`, key });
    expect(gone.statusCode).toBe(204);
    expect((await subscribe(27)).statusCode).toBe(201);
  });

  it('refuses a subscription without a usable URL or with an unknown event type', async () => {
    const { key } = await t.partner('Careless');
    const res = await t.request({
      method: 'POST',
      url: '/v1/webhooks/subscriptions',
      key,
      payload: { url: 'ftp://files.example/in', eventTypes: ['order.exploded.v1'] },
    });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { pointer: string }) => e.pointer)
        .sort(),
    ).toEqual(['/eventTypes/0', '/url']);
    expect(
      (
        await t.request({
          method: 'POST',
          url: '/v1/webhooks/subscriptions',
          key: adminKey,
          payload: { url: 'https://x.example', eventTypes: ['order.received.v1'] },
        })
      ).statusCode,
    ).toBe(403);
  });

  it('pauses a subscription (its deliveries wait, then go out on resume), rotates its secret, and deletes it', async () => {
    const partner = await t.partner('Pausing');
    const other = await t.partner('Meddler');
    const subscription = await subscribe(partner.key, 'https://hooks.pausing.example/in', ['order.received.v1']);
    const change = (method: 'PATCH' | 'DELETE' | 'POST', url: string, key = partner.key, payload?: object) =>
      t.request({ method, url, key, ...(payload === undefined ? {} : { payload }) });
    const base = `/v1/webhooks/subscriptions/${subscription.id}`;

    const paused = await change('PATCH', base, partner.key, { paused: true });
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ id: subscription.id, paused: true });
    await order(partner.key, 'PAUSE-1');
    const t0 = new Date();
    await run(t0); // other tests' deliveries may be due too: this partner's are checked by themselves
    expect(await deliveries(partner.key)).toMatchObject([{ state: 'pending', attempts: 0 }]);

    // Resumed: the waiting delivery goes out, signed with the secret given at subscription.
    const bodies: { headers: Record<string, string>; body: string }[] = [];
    const endpoint = nock('https://hooks.pausing.example')
      .post('/in')
      .times(2)
      .reply(200, function (_uri, body) {
        bodies.push({ headers: this.req.headers as Record<string, string>, body: typeof body === 'string' ? body : JSON.stringify(body) });
        return 'ok';
      });
    expect((await change('PATCH', base, partner.key, { paused: false })).json()).toMatchObject({ paused: false });
    await run(at(t0, 1));
    expect(await deliveries(partner.key)).toMatchObject([{ state: 'delivered', attempts: 1 }]);
    const [first] = bodies;
    if (first === undefined) throw new Error('nothing received');
    expect(() => new Webhook(subscription.secret).verify(first.body, first.headers)).not.toThrow();

    // A new secret, shown once: the next delivery is signed with it, not the old one.
    const rotated = await change('POST', `${base}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    const { secret } = rotated.json() as { secret: string };
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(subscription.secret);
    await order(partner.key, 'PAUSE-2');
    await run(at(t0, 2));
    expect(await deliveries(partner.key)).toMatchObject([{ state: 'delivered' }, { state: 'delivered' }]);
    expect(endpoint.isDone()).toBe(true);
    const second = bodies[1];
    if (second === undefined) throw new Error('nothing received');
    expect(() => new Webhook(secret).verify(second.body, second.headers)).not.toThrow();
    expect(() => new Webhook(subscription.secret).verify(second.body, second.headers)).toThrow();
    const listed = await t.request({ method: 'GET', url: '/v1/webhooks/subscriptions', key: partner.key });
    expect(listed.body).not.toContain(secret);

    // Another partner can do none of it; the owner deletes it with its deliveries.
    expect((await change('PATCH', base, other.key, { paused: true })).statusCode).toBe(404);
    expect((await change('POST', `${base}/rotate-secret`, other.key)).statusCode).toBe(404);
    expect((await change('DELETE', base, other.key)).statusCode).toBe(404);
    const deleted = await change('DELETE', base);
    expect(deleted.statusCode).toBe(204);
    expect((await t.request({ method: 'GET', url: '/v1/webhooks/subscriptions', key: partner.key })).json().subscriptions).toEqual([]);
    expect(await deliveries(partner.key)).toEqual([]);
    expect((await change('DELETE', base)).statusCode).toBe(404);
    await order(partner.key, 'PAUSE-3');
    await run(at(t0, 3));
    expect(await deliveries(partner.key)).toEqual([]);
  });
});
