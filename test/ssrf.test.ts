import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOrder } from '../adapters/db/index.ts';
import { createOutbound, deliver, systemResolve, type Resolve } from '../adapters/http/index.ts';
import { sendX12 } from '../adapters/partners/index.ts';
import { deliverDueWebhooks, newStandardSecret, subscriptionSecretContext } from '../adapters/webhook/index.ts';
import { build855 } from '../adapters/x12/outbound/index.ts';
import { dispatchJob } from '../app/jobs/dispatch.ts';
import { loadConfig } from '../config.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';

// Issue 12, finding 1. The production outbound policy (the configuration's defaults: https only, no
// allow-list) against every spelling of "our own network", at registration (each URL field of the
// API) and at delivery (rows written straight into the database, past registration, then sent by
// the webhook run, the vendor dispatcher and a partner document push). A listener on every local
// address of one port counts what reaches it: nothing may. DNS answers for the invented names are
// played by a resolver handed to the policy; everything else asks the system's.

const played: Record<string, string[][]> = {
  'loopback.ssrf.test': [['127.0.0.1']],
  'mapped.ssrf.test': [['::ffff:127.0.0.1']],
  'split.ssrf.test': [['93.184.216.34', '10.0.0.7']],
  // Public when the subscription is registered, loopback when it is delivered: DNS rebinding.
  'rebind.ssrf.test': [['93.184.216.34'], ['127.0.0.1']],
};
const lookups: string[] = [];
const resolve: Resolve = async (host) => {
  lookups.push(host);
  const answers = played[host];
  if (answers === undefined) return systemResolve(host);
  const seen = lookups.filter((h) => h === host).length;
  return answers[Math.min(seen, answers.length) - 1] ?? [];
};

const address = 'refused: target address not allowed';
const scheme = 'refused: scheme must be https';

/** form, URL (P = the listener's port), what registration says, what a delivery records. */
const table = (port: number): [string, string, string, string][] => [
  ['127.0.0.1', `https://127.0.0.1:${port}/hook`, 'is a loopback address', address],
  ['decimal', `https://2130706433:${port}/hook`, 'is a loopback address', address],
  ['hex', `https://0x7f000001:${port}/hook`, 'is a loopback address', address],
  ['octal', `https://0177.0.0.1:${port}/hook`, 'is a loopback address', address],
  ['short', `https://127.1:${port}/hook`, 'is a loopback address', address],
  ['IPv6 loopback', `https://[::1]:${port}/hook`, 'is a loopback address', address],
  ['IPv4-mapped IPv6', `https://[::ffff:127.0.0.1]:${port}/hook`, 'is a loopback address', address],
  ['localhost', `https://localhost:${port}/hook`, 'resolves to a loopback address', address],
  ['name → loopback', `https://loopback.ssrf.test:${port}/hook`, 'resolves to a loopback address', address],
  ['name → mapped loopback', `https://mapped.ssrf.test:${port}/hook`, 'resolves to a loopback address', address],
  ['name → public + private', `https://split.ssrf.test:${port}/hook`, 'resolves to a private address', address],
  ['10/8', `https://10.0.0.1:${port}/hook`, 'is a private address', address],
  ['172.16/12', `https://172.16.0.1:${port}/hook`, 'is a private address', address],
  ['192.168/16', `https://192.168.0.1:${port}/hook`, 'is a private address', address],
  ['cloud metadata', 'https://169.254.169.254/latest/meta-data/', 'is a link-local address', address],
  ['IPv6 link-local', `https://[fe80::1]:${port}/hook`, 'is a link-local address', address],
  ['IPv6 unique-local', `https://[fc00::1]:${port}/hook`, 'is a unique-local address', address],
  ['unspecified', `https://0.0.0.0:${port}/hook`, 'is an unspecified address', address],
  ['multicast', `https://224.0.0.1:${port}/hook`, 'is a multicast address', address],
  ['carrier-grade NAT', 'https://100.100.100.200/latest/meta-data/', 'is a shared (carrier-grade NAT) address', address],
  ['file:', 'file:///etc/passwd', 'scheme must be https', scheme],
  ['gopher:', `gopher://127.0.0.1:${port}/_PING`, 'scheme must be https', scheme],
  ['javascript:', 'javascript:alert(1)', 'scheme must be https', scheme],
  ['ftp:', `ftp://127.0.0.1:${port}/in`, 'scheme must be https', scheme],
  ['plain http', `http://127.0.0.1:${port}/hook`, 'scheme must be https', scheme],
];

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const fast = { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, timeoutMs: 2_000 };

describe('SSRF: every spelling of our own network is refused at registration and at delivery', () => {
  let t: TestApp;
  let listener: Server;
  let port = 0;
  let reached = 0;
  let rows: [string, string, string, string][] = [];

  beforeAll(async () => {
    const rules = loadConfig({}).outbound;
    expect(rules).toEqual({ allowHttp: false, allowHosts: [], allowCidrs: [], webhooksUseAllowList: false });
    t = await startTestApp('postgres', { server: { outbound: createOutbound(rules, resolve) } });
    // Every local address (IPv4 and IPv6, 0.0.0.0 included) on one port: whatever gets through is counted.
    listener = createServer((socket) => {
      reached++;
      socket.destroy();
    });
    await new Promise<void>((ready, fail) => {
      listener.once('error', () => listener.listen(0, '0.0.0.0', ready)); // no IPv6 on this machine
      listener.listen({ port: 0, host: '::', ipv6Only: false }, ready);
      void fail;
    });
    port = (listener.address() as AddressInfo).port;
    rows = table(port);
  });
  afterAll(async () => {
    await new Promise((done) => listener?.close(done));
    await t?.close();
  });

  it('refuses each form where it is registered, naming the field and why', async () => {
    const partner = await t.partner('Prober');
    const both = await t.partner('Both identities', {
      x12: { qualifier: 'ZZ', id: 'SSRFBOTH', ourQualifier: 'ZZ', ourId: 'ORDERGATE' },
      cxml: { fromDomain: 'NetworkID', fromIdentity: 'AN-SSRF-BOTH', sharedSecret: 'not-a-real-secret' },
    });
    const seen: string[] = [];
    for (const [i, [form, url, detail]] of rows.entries()) {
      const answers = {
        '/url': await t.request({
          method: 'POST',
          url: '/v1/webhooks/subscriptions',
          key: partner.key,
          payload: { url, eventTypes: ['order.received.v1'] },
        }),
        '/baseUrl': await t.request({
          method: 'POST',
          url: '/v1/vendors',
          key: adminKey,
          payload: { id: `ssrf-${i}`, name: form, channel: 'http', baseUrl: url },
        }),
        'POST /x12/endpointUrl /cxml/confirmationUrl': await t.request({
          method: 'POST',
          url: '/v1/partners',
          key: adminKey,
          payload: {
            name: form,
            x12: { qualifier: 'ZZ', id: `SSRF${i}`, ourQualifier: 'ZZ', ourId: 'ORDERGATE', endpointUrl: url },
            cxml: { fromDomain: 'NetworkID', fromIdentity: `AN-SSRF-${i}`, sharedSecret: 'not-a-real-secret', confirmationUrl: url },
          },
        }),
        'PATCH /x12/endpointUrl /cxml/confirmationUrl': await t.request({
          method: 'PATCH',
          url: `/v1/partners/${both.id}`,
          key: adminKey,
          payload: { x12: { endpointUrl: url }, cxml: { confirmationUrl: url } },
        }),
      };
      for (const [field, res] of Object.entries(answers)) {
        const body = res.json();
        const pointers = field.split(' ').filter((p) => p.startsWith('/'));
        expect(res.statusCode, `${form} ${field}`).toBe(400);
        expect(body.errors.map((e: { pointer: string }) => e.pointer).sort(), `${form} ${field}`).toEqual([...pointers].sort());
        // A scheme other than http(s) is already outside the subscription's contract (pattern ^https?://).
        if (field === '/url' && !/^https?:/.test(url)) {
          expect(body.code).toBe('invalid-request');
          continue;
        }
        expect(body, `${form} ${field}`).toMatchObject({ status: 400, code: 'url-not-allowed' });
        for (const error of body.errors) expect(error.detail, `${form} ${field}`).toBe(detail);
        seen.push(`${form} ${field}`);
      }
    }
    expect(seen).toHaveLength(rows.length * 4 - 4); // every row at every field; the four non-http schemes at /url by the contract
    // Nothing was stored, and nothing reached the listener.
    const count = async (query: ReturnType<TestApp['database']['db']>) => Number((await query.count({ n: '*' }).first())?.n);
    expect(await count(t.database.db('webhook_subscriptions').where({ partner_id: partner.id }))).toBe(0);
    expect(await count(t.database.db('vendors').where('id', 'like', 'ssrf-%'))).toBe(0);
    expect(reached).toBe(0);
  });

  it('refuses each form again at delivery: webhooks written past registration, and a name that rebinds after it', async () => {
    const partner = await t.partner('Bypasser');
    const subscriptions = new Map<string, string>();
    // Registered while its name answered a public address; by delivery it answers loopback.
    const rebinding = await t.request({
      method: 'POST',
      url: '/v1/webhooks/subscriptions',
      key: partner.key,
      payload: { url: `https://rebind.ssrf.test:${port}/hook`, eventTypes: ['order.received.v1'] },
    });
    expect(rebinding.statusCode, rebinding.body).toBe(201);
    subscriptions.set(rebinding.json().id, 'name that rebinds to loopback');
    // Written straight into the table, past registration (and past the 25 a partner may make).
    for (const [form, url] of rows) {
      const id = randomUUID();
      await t.database.db('webhook_subscriptions').insert({
        id,
        partner_id: partner.id,
        url,
        event_types: JSON.stringify(['order.received.v1']),
        secret_sealed: t.deps.secrets.seal(newStandardSecret(), subscriptionSecretContext(id)),
      });
      subscriptions.set(id, form);
    }

    const order = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: partner.key,
      headers: { 'idempotency-key': 'ssrf-1' },
      payload: { ...sampleOrder, externalRef: 'PO-SSRF' },
    });
    expect(order.statusCode).toBe(201);
    const run = await deliverDueWebhooks({ db: t.database.db, secrets: t.deps.secrets, outbound: t.deps.outbound.webhooks }, new Date());
    expect(run).toMatchObject({ attempted: rows.length + 1, delivered: 0 });

    const deliveries = (await t.request({ method: 'GET', url: '/v1/webhooks/deliveries?limit=100', key: partner.key })).json().deliveries;
    const recorded = Object.fromEntries(
      deliveries.map((d: { subscriptionId: string; lastError: string; attempts: number; attemptLog: unknown[] }) => [
        subscriptions.get(d.subscriptionId),
        [d.lastError, d.attempts, d.attemptLog.length],
      ]),
    );
    expect(recorded).toEqual({
      ...Object.fromEntries(rows.map(([form, , , shown]) => [form, [shown, 1, 1]])),
      'name that rebinds to loopback': [address, 1, 1],
    });
    expect(lookups.filter((h) => h === 'rebind.ssrf.test')).toEqual(['rebind.ssrf.test', 'rebind.ssrf.test']);
    // What the partner sees names none of our addresses or ports.
    const shown = JSON.stringify(deliveries.map((d: { lastError: string; attemptLog: unknown }) => [d.lastError, d.attemptLog]));
    for (const inside of ['127.0.0.1', '::1', '10.0.0.7', String(port), 'loopback address']) expect(shown).not.toContain(inside);
    expect(reached).toBe(0);
  });

  it('refuses each form at delivery to vendors and partner endpoints (admin-set URLs): one retry policy, no retry of a refusal', async () => {
    for (const [form, url, , shown] of rows) {
      const result = await deliver({ url, body: '{}', contentType: 'application/json' }, fast, t.deps.outbound.endpoints);
      expect(result, form).toMatchObject({ ok: false, attempts: 1, error: shown });
    }
    expect(reached).toBe(0);
  });

  it('refuses a vendor baseUrl written past registration when the dispatcher sends to it', async () => {
    await t.database.db('vendors').insert({ id: 'vendor-b', name: 'Ports', channel: 'http', base_url: `https://2130706433:${port}/api` });
    const partner = await t.partner('Vendor path');
    const order = (
      await t.request({
        method: 'POST',
        url: '/v1/orders',
        key: partner.key,
        headers: { 'idempotency-key': 'ssrf-vendor' },
        payload: { ...sampleOrder, externalRef: 'PO-SSRF-VENDOR' },
      })
    ).json();
    const job = dispatchJob({
      db: t.database.db,
      log: { warn: () => undefined },
      batch: 100,
      rounds: 1,
      idleMs: 20,
      confirmTimeoutMs: 1_000,
      httpPolicy: fast,
      outbound: t.deps.outbound.endpoints,
    });
    await job.run();
    const [request] = await t.database.db('outbox').where({ correlation_id: order.id, vendor_id: 'vendor-b' });
    expect(request).toMatchObject({ state: 'pending', attempts: 1 });
    // The outbox is the operators': it keeps why.
    expect(request.last_error).toBe(`https://2130706433:${port}/api/fulfillment-requests: is a loopback address`);
    expect(reached).toBe(0);
  });

  it('refuses a partner endpointUrl written past registration when a document is pushed to it', async () => {
    const partner = await t.partner('Document path', {
      x12: {
        qualifier: 'ZZ',
        id: 'SSRFDOCS',
        ourQualifier: 'ZZ',
        ourId: 'ORDERGATE',
        endpointUrl: `https://[::ffff:127.0.0.1]:${port}/edi`,
      },
    });
    const res = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: partner.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: bundle.replaceAll('ACMEBUYER      ', 'SSRFDOCS       ').replaceAll('ACMEBUYER', 'SSRFDOCS'),
    });
    expect(res.body).toContain('AK5*A~');
    const [id] = await t.database.db('orders').where({ partner_id: partner.id }).pluck('id');
    const order = await getOrder(t.database.db, id, { partnerId: partner.id });
    if (order === undefined) throw new Error('order not stored');
    const lines = order.lines.map((l) => ({ lineNumber: l.lineNumber, status: 'accepted' as const, quantity: l.quantity, uom: l.uom }));
    const sent = await sendX12(t.database.db, partner.id, order.id, '855', build855({ order, ackDate: '2026-11-28', lines }), {
      retry: fast,
      outbound: t.deps.outbound.endpoints,
      secrets: t.deps.secrets,
    });
    expect(sent).toMatchObject({ delivery: 'failed', attempts: 1 });
    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound&type=855', key: partner.key })).json().documents;
    expect(docs[0].delivery).toEqual({ state: 'failed', attempts: 1, lastError: address });
    expect(reached).toBe(0);
  });
});
