import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleOrder, startTestApp, type TestApp } from '../test/support/app.ts';
import { postFromShop, registerShop } from '../test/support/shopify.ts';

// Deeply nested JSON parses fine but used to overflow the stack of the walks after it: a 500.
const shopifyOrder = readFileSync(new URL('../adapters/webhook/fixtures/shopify-orders-create.json', import.meta.url), 'utf8');
const shop = { domain: 'acme-outdoor.myshopify.com', secret: 'shpss_acme-outdoor-client-secret-0123456789' };
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const pointerAtLimit = (head: string) => `${head}${'/0'.repeat(63)}`;

describe('JSON nested deeper than 64 levels', () => {
  let t: TestApp;
  let acme: { id: string; key: string };
  beforeAll(async () => {
    t = await startTestApp('postgres', { bodyLimitBytes: 4 * 1024 * 1024 });
    acme = await t.partner('Acme Outdoor');
    await registerShop(t, acme.id, shop);
  });
  afterAll(async () => t?.close());

  it.each([5_000, 1_000_000])('a shop webhook %i levels deep → 400 naming where it went too deep', async (depth) => {
    const body = shopifyOrder.replace('"note":', `"note_attributes_extra":${nested(depth)},"note":`);
    const res = await postFromShop(t, shop, body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'invalid-request',
      errors: [{ in: 'body', pointer: pointerAtLimit('/note_attributes_extra'), code: 'max-depth' }],
    });
  });

  it('an order with a deep value → 400 max-depth, and an order at 64 levels is judged on its content', async () => {
    const post = (payload: string, key: string) =>
      t.request({
        method: 'POST',
        url: '/v1/orders',
        key: acme.key,
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        payload,
      });
    const order = JSON.stringify(sampleOrder);
    const deep = await post(`{"remarks":${nested(200_000)},${order.slice(1)}`, 'deep-1');
    expect(deep.statusCode).toBe(400);
    expect(deep.json().errors).toEqual([expect.objectContaining({ pointer: pointerAtLimit('/remarks'), code: 'max-depth' })]);
    const fine = await post(`{"remarks":${nested(63)},${order.slice(1)}`, 'deep-2');
    expect(fine.json().errors).toEqual([expect.objectContaining({ pointer: '/remarks', detail: 'unknown property "remarks"' })]);
  });
});
