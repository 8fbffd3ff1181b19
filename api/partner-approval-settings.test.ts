import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalFacts, partnerTotalMismatch } from '../adapters/db/index.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from '../test/support/app.ts';

// What approval policies ask of a partner, set by the admin through the API and read back as the
// order flow reads it (adapters/db/approval-facts.ts), on the real PostgreSQL.

describe('partner approval settings: contract prices, credit limit, trusted, stated-total setting', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) =>
    t.request({ method, url, key: adminKey, ...(payload === undefined ? {} : { payload }) });
  const register = async (body: object) => {
    const res = await admin('POST', '/v1/partners', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as Record<string, unknown> & { id: string };
  };

  it('a new partner: not trusted, no credit limit, a stated total that does not match is held', async () => {
    const made = await register({ name: 'Plain Buyer' });
    expect([made.trusted, made.creditLimit, made.totalMismatch]).toEqual([false, undefined, 'hold']);
    expect(await partnerTotalMismatch(t.database.db, made.id)).toBe('hold');
  });

  it('registered with all three, changed with PATCH, the limit removed with null; GET and the list show them', async () => {
    const made = await register({
      name: 'Trusted Buyer',
      trusted: true,
      creditLimit: { amount: 25000, currency: 'USD' },
      totalMismatch: 'refuse',
    });
    expect([made.trusted, made.creditLimit, made.totalMismatch]).toEqual([true, { amount: 25000, currency: 'USD' }, 'refuse']);
    const patched = await admin('PATCH', `/v1/partners/${made.id}`, {
      creditLimit: { amount: 1000.5, currency: 'EUR' },
      totalMismatch: 'accept',
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ trusted: true, creditLimit: { amount: 1000.5, currency: 'EUR' }, totalMismatch: 'accept' });
    const untrusted = (await admin('PATCH', `/v1/partners/${made.id}`, { trusted: false, creditLimit: null })).json();
    expect([untrusted.trusted, untrusted.creditLimit, untrusted.totalMismatch]).toEqual([false, undefined, 'accept']);
    expect((await admin('GET', `/v1/partners/${made.id}`)).json()).toMatchObject({ trusted: false, totalMismatch: 'accept' });
    const listed = (await admin('GET', '/v1/partners?q=Trusted%20Buyer')).json().partners[0];
    expect([listed.trusted, listed.totalMismatch, listed.creditLimit]).toEqual([false, 'accept', undefined]);
  });

  it('refuses a bad setting, a limit without its currency, and a currency not in capitals, naming the field', async () => {
    const made = await register({ name: 'Careless Admin' });
    for (const [body, pointer] of [
      [{ totalMismatch: 'ignore' }, '/totalMismatch'],
      [{ creditLimit: { amount: 10 } }, '/creditLimit'],
      [{ creditLimit: { amount: 10, currency: 'usd' } }, '/creditLimit/currency'],
      [{ trusted: 'yes' }, '/trusted'],
    ] as const) {
      const res = await admin('PATCH', `/v1/partners/${made.id}`, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(JSON.stringify(res.json().errors)).toContain(pointer);
    }
  });

  it('contract prices: put in bulk, replaced by SKU and currency, listed in pages and by SKU', async () => {
    const made = await register({ name: 'Contract Buyer' });
    const put = await admin('PUT', `/v1/partners/${made.id}/prices`, {
      prices: [
        { sku: 'MODEM-X1', currency: 'USD', unitPrice: 115 },
        { sku: 'MODEM-X1', currency: 'EUR', unitPrice: 105.25 },
        { sku: 'INTERNET-100', currency: 'USD', unitPrice: 52.5 },
      ],
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ stored: 3 });
    expect(
      (await admin('PUT', `/v1/partners/${made.id}/prices`, { prices: [{ sku: 'MODEM-X1', currency: 'USD', unitPrice: 110 }] })).json(),
    ).toEqual({
      stored: 1,
    });
    const seen: { sku: string; currency: string; unitPrice: number }[] = [];
    let url = `/v1/partners/${made.id}/prices?limit=2`;
    for (let pages = 0; pages < 4; pages += 1) {
      const res = await admin('GET', url);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { prices: typeof seen; nextCursor?: string };
      seen.push(...page.prices.map(({ sku, currency, unitPrice }) => ({ sku, currency, unitPrice })));
      if (page.nextCursor === undefined) break;
      url = `/v1/partners/${made.id}/prices?limit=2&cursor=${page.nextCursor}`;
    }
    expect(seen).toEqual([
      { sku: 'INTERNET-100', currency: 'USD', unitPrice: 52.5 },
      { sku: 'MODEM-X1', currency: 'EUR', unitPrice: 105.25 },
      { sku: 'MODEM-X1', currency: 'USD', unitPrice: 110 },
    ]);
    const one = (await admin('GET', `/v1/partners/${made.id}/prices?sku=INTERNET-100`)).json();
    expect(one.prices.map((p: { sku: string }) => p.sku)).toEqual(['INTERNET-100']);
  });

  it('contract prices: the same SKU and currency twice, a negative price, or an unknown partner are refused', async () => {
    const made = await register({ name: 'Sloppy Prices' });
    const twice = await admin('PUT', `/v1/partners/${made.id}/prices`, {
      prices: [
        { sku: 'A', currency: 'USD', unitPrice: 1 },
        { sku: 'A', currency: 'USD', unitPrice: 2 },
      ],
    });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().errors).toEqual([{ in: 'body', pointer: '/prices/1', detail: 'the same SKU and currency as /prices/0' }]);
    const negative = await admin('PUT', `/v1/partners/${made.id}/prices`, { prices: [{ sku: 'A', currency: 'USD', unitPrice: -1 }] });
    expect(negative.statusCode).toBe(400);
    expect(JSON.stringify(negative.json().errors)).toContain('/prices/0/unitPrice');
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(
      (await admin('PUT', `/v1/partners/${unknown}/prices`, { prices: [{ sku: 'A', currency: 'USD', unitPrice: 1 }] })).statusCode,
    ).toBe(404);
    expect((await admin('GET', `/v1/partners/${unknown}/prices`)).statusCode).toBe(404);
    expect((await admin('GET', `/v1/partners/${made.id}/prices`)).json()).toEqual({ prices: [] });
  });

  it('a partner key may not read or set prices', async () => {
    const { id, key } = await t.partner('Nosy Partner');
    expect((await t.request({ method: 'GET', url: `/v1/partners/${id}/prices`, key })).statusCode).toBe(403);
    const put = await t.request({
      method: 'PUT',
      url: `/v1/partners/${id}/prices`,
      key,
      payload: { prices: [{ sku: 'A', currency: 'USD', unitPrice: 0 }] },
    });
    expect(put.statusCode).toBe(403);
  });

  it('the facts the order flow reads: orders so far, open order value in the currency, limit, trust, contract prices of the SKUs asked', async () => {
    const { id, key } = await t.partner('Facts Buyer');
    await admin('PATCH', `/v1/partners/${id}`, { trusted: true, creditLimit: { amount: 5000, currency: 'USD' }, totalMismatch: 'refuse' });
    await admin('PUT', `/v1/partners/${id}/prices`, {
      prices: [
        { sku: 'MODEM-X1', currency: 'USD', unitPrice: 45 },
        { sku: 'MODEM-X1', currency: 'EUR', unitPrice: 40 },
        { sku: 'PORT-ACT', currency: 'USD', unitPrice: 20 },
      ],
    });
    const place = async (ref: string, currency: string) => {
      const res = await t.request({
        method: 'POST',
        url: '/v1/orders',
        key,
        headers: { 'idempotency-key': ref },
        payload: { ...sampleOrder, externalRef: ref, currency },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    // sampleOrder's lines: 2 × 49.50 + 59.99 = 158.99.
    const first = await place('PO-F1', 'USD');
    const second = await place('PO-F2', 'USD');
    await place('PO-F3', 'EUR');
    const cancelled = await place('PO-F4', 'USD');
    expect((await t.request({ method: 'POST', url: `/v1/orders/${cancelled}/cancel`, key })).statusCode).toBeLessThan(300);

    const facts = await approvalFacts(t.database.db, id, ['MODEM-X1', 'INTERNET-100'], 'USD', { orderId: second });
    expect(facts).toEqual({
      ordersSoFar: 3,
      openOrderValue: 158.99,
      trusted: true,
      totalMismatch: 'refuse',
      creditLimit: { amount: 5000, currency: 'USD' },
      contractPrices: new Map([['MODEM-X1', 45]]),
    });
    const euro = await approvalFacts(t.database.db, id, ['MODEM-X1', 'PORT-ACT'], 'EUR', { countUpTo: 2 });
    expect([euro?.ordersSoFar, euro?.openOrderValue, euro?.contractPrices]).toEqual([2, 158.99, new Map([['MODEM-X1', 40]])]);
    const all = await approvalFacts(t.database.db, id, [], 'USD');
    expect([all?.ordersSoFar, all?.openOrderValue]).toEqual([4, 317.98]);
    // The same through the order store's transaction, as the pipeline asks it (StoreTransaction.approvalFacts).
    const inTransaction = await t.deps.pipeline.store.transaction((tx) => tx.approvalFacts(id, ['MODEM-X1'], 'USD', { orderId: second }));
    expect(inTransaction).toEqual(facts);
    expect(first).not.toBe(second);
    expect(await approvalFacts(t.database.db, '00000000-0000-4000-8000-000000000000', [], 'USD')).toBeUndefined();
  });

  it('sums open orders through the partial index of open orders', async () => {
    // A table this small would be scanned whole; with scans off the planner shows what serves the sum.
    const text = await t.database.db.transaction(async (trx) => {
      await trx.raw('SET LOCAL enable_seqscan = off');
      const plan = await trx.raw(
        `EXPLAIN SELECT sum((totals->>'amount')::numeric) FROM orders WHERE partner_id = 'x' AND currency = 'USD' AND status NOT IN ('rejected', 'billed', 'cancelled', 'failed') AND id <> 'y'`,
      );
      return plan.rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    });
    expect(text).toContain('orders_open_by_partner');
  });
});
