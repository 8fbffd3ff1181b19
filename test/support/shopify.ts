import { createHmac, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { adminKey, type TestApp } from './app.ts';

// A Shopify shop as the tests play it: registered for a partner by the admin, and posting as
// Shopify does (the HMAC of the exact bytes sent, the shop and the topic in headers).

export interface Shop {
  domain: string;
  secret: string;
}

export async function registerShop(t: TestApp, partnerId: string, shop: Shop): Promise<void> {
  const res = await t.request({
    method: 'POST',
    url: `/v1/partners/${partnerId}/webhook-sources`,
    key: adminKey,
    payload: { kind: 'shopify', account: shop.domain, secret: shop.secret },
  });
  expect(res.statusCode).toBe(201);
}

export function postFromShop(t: TestApp, shop: Shop, body: string, eventId: string = randomUUID()) {
  return t.request({
    method: 'POST',
    url: '/v1/webhooks/shopify',
    headers: {
      'content-type': 'application/json',
      'x-shopify-hmac-sha256': createHmac('sha256', shop.secret).update(body).digest('base64'),
      'x-shopify-shop-domain': shop.domain,
      'x-shopify-topic': 'orders/create',
      'x-shopify-api-version': '2025-10',
      'x-shopify-event-id': eventId,
    },
    payload: body,
  });
}
