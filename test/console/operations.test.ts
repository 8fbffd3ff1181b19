import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../adapters/amqp/test-support.ts';
import { startAmqpGateway, type AmqpGateway } from '../support/amqp-gateway.ts';
import { adminKey, type TestApp } from '../support/app.ts';
import { expectAccessible, keepScreenshot, launchBrowser, openConsole, signIn, type ConsoleBrowser } from '../support/browser.ts';
import { failedDelivery } from '../support/webhook-failure.ts';

// Operations in a real Chromium, on the real RabbitMQ: a request a vendor refused dies, shows up
// under Dead letters and is replayed onto the vendor's queue; a failed webhook delivery is retried;
// a partner's key is issued, shown once, and revoked.

const x12Bundle = readFileSync(new URL('../../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');

describe('console in a browser: operations', () => {
  let gateway: AmqpGateway;
  let t: TestApp;
  let browser: Browser;
  let c: ConsoleBrowser;
  let acme: { id: string; key: string };
  const arrived: string[] = [];
  let vendorC: { stop(): Promise<void> } | undefined;

  const deadLetters = async (replayed: boolean) =>
    (await t.request({ method: 'GET', url: `/v1/dead-letters?replayed=${replayed}`, key: adminKey })).json().deadLetters as {
      id: string;
      messageId: string;
      reason: string;
      replayedAt: string | null;
    }[];

  beforeAll(async () => {
    gateway = await startAmqpGateway('console-ops');
    t = gateway.t;
    await gateway.play(['vendor-a', 'vendor-b']);
    // vendor-c refuses its request outright: the broker dead-letters it and the gateway moves it into the database.
    const { vendorBroker } = gateway;
    vendorC = vendorBroker.consume(vendorBroker.names.vendorQueue('vendor-c'), async () => ({ deadLetter: 'vendor-c: no such address' }));
    acme = await t.partner('Acme', { x12: { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' } });
    const posted = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: acme.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: x12Bundle,
    });
    expect(posted.statusCode).toBe(200);
    await waitUntil('the refused request to be a dead letter', async () => (await deadLetters(false)).length === 1, 20_000);
    await vendorC.stop();
    // From now on vendor-c takes what it gets, and says so.
    vendorC = vendorBroker.consume(vendorBroker.names.vendorQueue('vendor-c'), async (delivery) => {
      arrived.push(delivery.messageId ?? '');
      return { ack: true };
    });
    await failedDelivery(t, acme.key, 'acme-hooks.example');
    browser = await launchBrowser();
    c = await openConsole(browser, t);
    await signIn(c, adminKey);
  }, 60_000);
  afterAll(async () => {
    await c?.close();
    await browser?.close();
    await vendorC?.stop();
    await gateway?.close();
  });

  it('shows the overview with its counts, each linking to its page', async () => {
    await c.page.goto(`${c.base}/console/operations`);
    await expect.poll(() => c.page.getByRole('heading', { level: 1 }).textContent()).toBe('Operations');
    const deadLetterCard = c.page.getByRole('listitem').filter({ hasText: 'Dead letters' });
    expect(await deadLetterCard.textContent()).toMatch(/1\s+waiting for a replay/);
    expect(await c.page.getByRole('listitem').filter({ hasText: 'Webhook deliveries' }).textContent()).toMatch(/1\s+failed/);
    expect(await c.page.getByRole('link', { name: 'Operations' }).getAttribute('aria-current')).toBe('page');
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'operations');
  });

  it('replays a dead letter: it goes back onto its queue and is listed as replayed', async () => {
    const [letter] = await deadLetters(false);
    if (letter === undefined) throw new Error('no dead letter');
    expect(letter.reason).toBe('vendor-c: no such address');
    await c.page.getByRole('link', { name: 'Dead letters' }).click();
    await expect.poll(() => c.page.getByRole('heading', { level: 1 }).textContent()).toBe('Dead letters');
    expect(await c.page.getByRole('cell', { name: 'vendor-c: no such address' }).count()).toBe(1);
    await c.page.locator('summary').first().click();
    expect(await c.page.locator('pre.message').first().textContent()).toContain('"taskName": "truck-roll"');
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'dead-letters');

    await c.page.getByRole('button', { name: 'Replay' }).click();
    await expect.poll(() => c.page.getByRole('status').textContent()).toContain(`Dead letter ${letter.id} was published again`);
    await waitUntil('the replayed request on vendor-c’s queue', () => arrived.includes(letter.messageId));
    expect((await deadLetters(true)).map((l) => l.id)).toContain(letter.id);
    await c.page.getByLabel('Show').selectOption('true');
    await c.page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => c.page.getByRole('cell', { name: /^\s*Replayed/ }).count()).toBe(1);
    await expectAccessible(c.page);
  });

  it('retries a failed webhook delivery', async () => {
    await c.page.goto(`${c.base}/console/operations/webhooks`);
    await c.page.getByLabel('State').selectOption('failed');
    await c.page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => c.page.getByRole('button', { name: 'Retry' }).count()).toBe(1);
    expect(await c.page.getByRole('cell', { name: 'https://acme-hooks.example/hooks' }).count()).toBeGreaterThan(0);
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'webhooks');
    await c.page.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => c.page.getByRole('status').textContent()).toContain('is due now');
    const [delivery] = (await t.request({ method: 'GET', url: '/v1/webhooks/deliveries', key: acme.key })).json().deliveries;
    expect(delivery.state).toBe('pending');
    // The page went back to the failed ones, where it is no more.
    expect(await c.page.getByRole('button', { name: 'Retry' }).count()).toBe(0);
  });

  it('issues a partner key, shown once, and revokes it so that the API refuses it', async () => {
    await c.page.goto(`${c.base}/console/operations/partners`);
    await expectAccessible(c.page);
    await keepScreenshot(c.page, 'partners');
    await c.page.getByRole('link', { name: 'Acme' }).click();
    await expect.poll(() => c.page.getByRole('heading', { level: 1 }).textContent()).toBe('Acme');
    await c.page.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => c.page.getByRole('heading', { level: 1 }).textContent()).toBe('New key');
    const key = await c.page.getByLabel('The key').inputValue();
    expect(key).toMatch(/^ogp_/);
    expect(await c.page.getByRole('alert').textContent()).toContain('will not be shown again');
    await expectAccessible(c.page);
    expect((await t.request({ method: 'GET', url: '/v1/orders', key })).statusCode).toBe(200);

    await c.page.getByRole('link', { name: 'Back to Acme' }).click();
    expect(await c.page.content()).not.toContain(key);
    await c.page.getByRole('button', { name: `Revoke key ${key.slice(0, 8)}…` }).click();
    await expect.poll(() => c.page.getByRole('status').textContent()).toContain(`Key ${key.slice(0, 8)}… is revoked`);
    expect((await t.request({ method: 'GET', url: '/v1/orders', key })).statusCode).toBe(401);
    // The partner's first key is untouched.
    expect((await t.request({ method: 'GET', url: '/v1/orders', key: acme.key })).statusCode).toBe(200);
    await expectAccessible(c.page);
    expect(c.elsewhere).toEqual([]);
  });
});
