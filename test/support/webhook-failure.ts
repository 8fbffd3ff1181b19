import nock from 'nock';
import { expect } from 'vitest';
import { deliverDueWebhooks, processSecretKey, secretBox } from '../../adapters/webhook/index.ts';
import { sampleOrder, type TestApp } from './app.ts';

// A webhook delivery that really failed: a subscription whose endpoint answers 503 to every attempt
// of the back-off schedule (30 s, 2 min, 10 min, 1 h, 6 h after the first), run at those times.

const backOff = [0, 30, 150, 750, 4350, 25950];

export async function failedDelivery(t: TestApp, partnerKey: string, host: string): Promise<{ id: string; subscriptionId: string }> {
  const subscribed = await t.request({
    method: 'POST',
    url: '/v1/webhooks/subscriptions',
    key: partnerKey,
    payload: { url: `https://${host}/hooks`, eventTypes: ['order.received.v1'] },
  });
  expect(subscribed.statusCode, subscribed.body).toBe(201);
  const ref = `HOOK-${host}`;
  const ordered = await t.request({
    method: 'POST',
    url: '/v1/orders',
    key: partnerKey,
    headers: { 'idempotency-key': ref },
    payload: { ...sampleOrder, externalRef: ref },
  });
  expect(ordered.statusCode, ordered.body).toBeLessThan(300);
  const endpoint = nock(`https://${host}`).post('/hooks').times(backOff.length).reply(503);
  const secrets = secretBox(processSecretKey());
  const t0 = new Date();
  for (const seconds of backOff)
    await deliverDueWebhooks({ db: t.database.db, secrets, outbound: t.deps.outbound.webhooks }, new Date(t0.getTime() + seconds * 1000));
  expect(endpoint.isDone()).toBe(true);
  nock.removeInterceptor({ hostname: host, path: '/hooks', method: 'POST', proto: 'https' });
  const [delivery] = (await t.request({ method: 'GET', url: '/v1/webhooks/deliveries', key: partnerKey })).json().deliveries;
  expect(delivery).toMatchObject({ state: 'failed', attempts: backOff.length });
  return { id: delivery.id, subscriptionId: subscribed.json().id };
}
