import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { onReply } from '../app/jobs/replies.ts';
import { topologyNames } from '../adapters/amqp/index.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from '../test/support/app.ts';
import { postFromShop, registerShop } from '../test/support/shopify.ts';

// Issue 12, finding 4: U+0000 and lone UTF-16 surrogates, which PostgreSQL's text and jsonb refuse,
// are answered in each channel's own terms instead of a 500.

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const cxmlSample = readFileSync(new URL('../adapters/cxml/fixtures/samples/cxmlphp-OrderRequest.xml', import.meta.url), 'utf8');
const shopifyOrder = JSON.parse(readFileSync(new URL('../adapters/webhook/fixtures/shopify-orders-create.json', import.meta.url), 'utf8'));
const identity = { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };
const shopSecret = 'shpss_invalid-characters-0123456789';
const shop = 'chars.myshopify.com';
const shopOf = { domain: shop, secret: shopSecret };

const segments = (text: string) => tokenize(text).flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, ...e.segment.elements]] : []));
const find = (text: string, tag: string) => segments(text).filter((s) => s[0] === tag);

/** The bundle interchange under its own control numbers. */
const interchange = (n: number, edit: (x12: string) => string) =>
  edit(bundle)
    .replace(/000000101/g, String(n).padStart(9, '0'))
    .replace(/\*101\*X/, `*${n}*X`)
    .replace('GE*1*101', `GE*1*${n}`);

describe('characters the database cannot hold', () => {
  let t: TestApp;
  let acme: { id: string; key: string };
  let seq = 0;

  beforeAll(async () => {
    t = await startTestApp('postgres');
    acme = await t.partner('Acme', {
      x12: identity,
      cxml: { fromDomain: 'NetworkId', fromIdentity: 'inbound@prominate-platform.com', sharedSecret: 'coyote-coyote' },
    });
    await registerShop(t, acme.id, shopOf);
  });
  afterAll(async () => t?.close());

  const postJson = (url: string, raw: string, key = acme.key) =>
    t.request({
      method: 'POST',
      url,
      key,
      headers: { 'content-type': 'application/json', 'idempotency-key': `chars-${++seq}` },
      payload: raw,
    });

  describe('JSON', () => {
    it.each([
      ['a NUL in the order reference', JSON.stringify({ ...sampleOrder, externalRef: 'PO\u00001' }), '/externalRef', /U\+0000/],
      ['a NUL in a party name', JSON.stringify({ ...sampleOrder, buyer: { name: 'Acme\u0000' } }), '/buyer/name', /U\+0000/],
      [
        'a lone surrogate in a component',
        JSON.stringify(sampleOrder).replace('"PORT-ACT"', '"PORT\\ud800ACT"'),
        '/lines/1/components/1/sku',
        /surrogate \(U\+D800\)/,
      ],
      ['a NUL in the name of an extra', JSON.stringify({ ...sampleOrder, extras: { 'a/b\u0000': 1 } }), '/extras/a~1b\u0000', /its name/],
    ])('refuses %s: 400 invalid-character pointing at it', async (_name, raw, pointer, detail) => {
      const res = await postJson('/v1/orders', raw);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'invalid-character', errors: [{ in: 'body', pointer, code: 'invalid-character' }] });
      expect(res.json().errors[0].detail).toMatch(detail);
    });

    it('refuses them in every other stored JSON body: a partner name, a vendor reply', async () => {
      const partner = await postJson('/v1/partners', '{"name":"Acme\\u0000 Corp"}', adminKey);
      expect(partner.statusCode).toBe(400);
      expect(partner.json()).toMatchObject({ code: 'invalid-character', errors: [{ pointer: '/name' }] });
      const renamed = await postJson('/v1/partners', '{"name":"Acme \\udc00 Corp"}', adminKey);
      expect(renamed.json()).toMatchObject({ code: 'invalid-character', errors: [{ pointer: '/name' }] });
      const reply = await postJson(
        '/v1/vendor/replies',
        JSON.stringify({ messageId: 'm\u00001', type: 'fulfillment.progress.v1', body: { note: 'x' } }),
        adminKey,
      );
      expect(reply.statusCode).toBe(400);
      expect(reply.json()).toMatchObject({ code: 'invalid-character', errors: [{ pointer: '/messageId' }] });
    });

    it('refuses them in query parameters, naming the parameter', async () => {
      const res = await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO%001', key: acme.key });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid-character', errors: [{ in: 'query', pointer: 'externalRef' }] });
    });
  });

  describe('X12', () => {
    const send = (x12: string) =>
      t.request({ method: 'POST', url: '/v1/x12', key: acme.key, headers: { 'content-type': 'application/edi-x12' }, payload: x12 });

    it('rejects the set with AK4 code 6 at the element that holds a NUL (a checked element: BEG03)', async () => {
      const res = await send(interchange(301, (x) => x.replace('PO-7001', 'PO-\u00007001')));
      expect(res.statusCode).toBe(200);
      expect(find(res.body, 'AK3')).toEqual([['AK3', 'BEG', '2', '', '8']]);
      expect(find(res.body, 'AK4')).toEqual([['AK4', '3', '', '6']]);
      expect(find(res.body, 'AK5')).toEqual([['AK5', 'R', '5']]);
      expect(res.body).not.toContain('\u0000');
      const stored = await t.database.db('documents').where({ partner_id: acme.id, direction: 'inbound', channel: 'x12' });
      expect(stored).toHaveLength(1);
    });

    it('and in an element the guide does not check but the order keeps (PID05)', async () => {
      const res = await send(interchange(302, (x) => x.replace('Cable modem', 'Cable\u0000modem')));
      expect(res.statusCode).toBe(200);
      expect(find(res.body, 'AK3')).toEqual([['AK3', 'PID', '9', '', '8']]);
      expect(find(res.body, 'AK4')).toEqual([['AK4', '5', '', '6']]);
      expect(find(res.body, 'AK5')).toEqual([['AK5', 'R', '5']]);
    });

    it('refuses the interchange (TA1 R 024) for a NUL in the GS, and answers a TA1 for one in the ISA', async () => {
      const gs = await send(interchange(303, (x) => x.replace('GS*PO*ACMEBUYER', 'GS*PO*ACME\u0000BUYER')));
      expect(gs.statusCode).toBe(200);
      expect(find(gs.body, 'TA1')[0]?.slice(4)).toEqual(['R', '024']);
      expect(gs.body).not.toContain('\u0000');
      const isa = await send(interchange(304, (x) => x.replace('ACMEBUYER      *ZZ*ORDERGATE', 'ACME\u0000BUYER     *ZZ*ORDERGATE')));
      expect(isa.statusCode).toBe(200);
      expect(find(isa.body, 'TA1')[0]?.slice(4)).toEqual(['R', '006']);
      expect(isa.body).not.toContain('\u0000');
    });
  });

  describe('X12 envelope values our acknowledgment would repeat', () => {
    const send = (x12: string) =>
      t.request({ method: 'POST', url: '/v1/x12', key: acme.key, headers: { 'content-type': 'application/edi-x12' }, payload: x12 });

    it.each([
      ['ISA12 (the version)', 305, (x: string) => x.replace('*U*00401*', '*U*004\u000001*'), 'TA1'],
      ['GS08 (the version)', 306, (x: string) => x.replace('*X*004010~', '*X*0040\u000010~'), 'AK9'],
      ['ST01 (the set)', 307, (x: string) => x.replace('ST*850*0001', 'ST*85\u00000*0001'), 'AK5'],
    ])('answers a NUL in %s with an acknowledgment that holds none', async (_name, n, edit, refusal) => {
      const res = await send(interchange(n, edit));
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain('\u0000');
      expect(find(res.body, refusal)[0]).toContain('R');
    });

    it.each([
      ['GS03, repeated as our GS02 cut to 15', 308, (x: string) => x.replace('*ORDERGATE*2026', `*${'😀'.repeat(10)}*2026`)],
      ['BEG03, repeated in AK404 cut to 99', 309, (x: string) => x.replace(/BEG\*00\*SA\*[^*]*/, `BEG*00*SA*${'😀'.repeat(60)}`)],
    ])('cuts a value of characters outside the BMP between characters, never inside one: %s', async (_name, n, edit) => {
      const sent = interchange(n, edit);
      expect(sent).toContain('😀');
      const res = await send(sent);
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      expect(res.body).not.toContain('\ufffd');
    });
  });

  describe('X12 acknowledgments of our documents', () => {
    it('takes a 997 or TA1 holding a NUL as one that matches no document of ours: stored, 202', async () => {
      const isa = (n: string) => `ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*ORDERGATE      *261206*0900*U*00401*${n}*0*P*>`;
      const ak = [
        isa('000000501'),
        'GS*FA*ACMEBUYER*ORDERGATE*20261206*0900*501*X*004010',
        'ST*997*0001',
        'AK1*PR*1\u00002',
        'AK9*A*1*1*1',
        'SE*4*0001',
        'GE*1*501',
        'IEA*1*000000501',
      ];
      const ta1 = [isa('000000502'), 'TA1*00000\u00001*261206*0900*A*000', 'IEA*0*000000502'];
      for (const segments of [ak, ta1]) {
        const res = await t.request({
          method: 'POST',
          url: '/v1/x12',
          key: acme.key,
          headers: { 'content-type': 'application/edi-x12' },
          payload: segments.map((s) => `${s}~`).join(''),
        });
        expect(res.statusCode).toBe(202);
      }
    });
  });

  describe('cXML', () => {
    const cxml = (id: string, edit: (xml: string) => string) =>
      edit(
        cxmlSample
          .replace('<SharedSecret>coyote</SharedSecret>', '<SharedSecret>coyote-coyote</SharedSecret>')
          .replace(/payloadID="[^"]+"/, `payloadID="${id}"`),
      );
    const send = (xml: string) => t.request({ method: 'POST', url: '/v1/cxml', headers: { 'content-type': 'text/xml' }, payload: xml });
    const status = (xml: string) => /<Status code="(\d+)" text="[^"]*">([^<]*)<\/Status>/.exec(xml)?.slice(1);

    it('answers 400 naming the element or attribute that holds a NUL', async () => {
      const text = await send(
        cxml('chars-1@test', (x) => x.replace('<Name xml:lang="en">Acme</Name>', '<Name xml:lang="en">Ac\u0000me</Name>')),
      );
      expect(text.statusCode).toBe(400);
      expect(status(text.body)?.[1]).toMatch(
        /^element cXML\/Request\/OrderRequest\/OrderRequestHeader\/ShipTo\/Address\/Name holds U\+0000/,
      );
      const attribute = await send(cxml('chars-2@test', (x) => x.replace('orderID="DO1234"', 'orderID="DO\u00001234"')));
      expect(attribute.statusCode).toBe(400);
      expect(status(attribute.body)?.[1]).toMatch(/^element cXML\/Request\/OrderRequest\/OrderRequestHeader@orderID holds U\+0000/);
    });
  });

  describe('webhooks', () => {
    const fromShopify = (body: string) => postFromShop(t, shopOf, body);

    it('answers 400 invalid-character pointing into the shop payload', async () => {
      const res = await fromShopify(JSON.stringify({ ...shopifyOrder, name: '#10\u000042' }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid-character', errors: [{ in: 'body', pointer: '/name' }] });
    });
  });

  describe('vendor replies over RabbitMQ', () => {
    it('dead-letters a reply holding a NUL with its reason, rather than failing its transaction', async () => {
      const names = topologyNames('chars');
      const verdict = await onReply(t.deps.fulfillment, names, {
        queue: names.repliesQueue,
        routingKey: 'vendor.vendor-a.ack',
        exchange: names.repliesExchange,
        messageId: 'chars-reply-1',
        type: 'fulfillment.ack.v1',
        appId: 'vendor-a',
        headers: {},
        body: Buffer.from(JSON.stringify({ taskId: randomUUID(), vendorId: 'vendor-a', note: 'bad\u0000' })),
        redelivered: false,
        deliveryCount: 0,
        properties: {},
      });
      expect(verdict).toEqual({ deadLetter: 'invalid-character: /note holds U+0000 (NUL) at character 4' });
    });
  });
});
