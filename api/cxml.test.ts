import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test/support/app.ts';
import { validateAgainstDtd } from '../test/support/dtd.ts';

const sample = readFileSync(new URL('../adapters/cxml/fixtures/samples/cxmlphp-OrderRequest.xml', import.meta.url), 'utf8');
const composite = readFileSync(new URL('../adapters/cxml/fixtures/composite-OrderRequest.xml', import.meta.url), 'utf8');

const statusOf = (xml: string) => {
  const match = /<Status code="(\d+)" text="([^"]*)">([^<]*)<\/Status>/.exec(xml);
  return match === null ? undefined : { code: Number(match[1]), text: match[2], detail: match[3] };
};

describe('POST /v1/cxml', () => {
  let t: TestApp;
  let prominate: { id: string; key: string };
  let buyer: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp('postgres', { bodyLimitBytes: 256 * 1024 });
    prominate = await t.partner('Prominate', {
      cxml: { fromDomain: 'NetworkId', fromIdentity: 'inbound@prominate-platform.com', sharedSecret: 'coyote-coyote' },
    });
    buyer = await t.partner('Buyer', {
      cxml: { fromDomain: 'NetworkID', fromIdentity: 'AN01000000001', sharedSecret: 's3cret-for-tests' },
    });
  });
  afterAll(async () => t?.close());

  const send = (xml: string, contentType = 'text/xml') =>
    t.request({ method: 'POST', url: '/v1/cxml', headers: { 'content-type': contentType }, payload: xml });
  const withPayload = (xml: string, id: string) => xml.replace(/payloadID="[^"]+"/, `payloadID="${id}"`);
  const sampleFor = (id: string) =>
    withPayload(sample.replace('<SharedSecret>coyote</SharedSecret>', '<SharedSecret>coyote-coyote</SharedSecret>'), id);

  it('accepts the public sample, answers a cXML Response 200, and stores the order', async () => {
    const res = await send(sampleFor('sample-1@test'));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/xml');
    expect(statusOf(res.body)?.code).toBe(200);
    expect(validateAgainstDtd(res.body, 'cXML.dtd')).toEqual({ valid: true, errors: [] });
    const orders = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=DO1234', key: prominate.key })).json().orders;
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      channel: 'cxml',
      orderType: 'new',
      orderDate: '2000-10-12',
      currency: 'EUR',
      totals: { lineCount: 2, amount: 85 },
      shipTo: {
        name: 'Acme',
        address: {
          lines: ['Joe Smith', 'Mailstop M-543', '123 Anystreet'],
          city: 'Sunnyvale',
          region: 'CA',
          postalCode: '90489',
          country: 'US',
        },
      },
      billTo: { name: 'Zinc GmbH', address: { country: 'DE' } },
      envelope: { payloadId: 'sample-1@test' },
    });
    const stored = await t.database.db('documents').where({ partner_id: prominate.id, direction: 'inbound' }).first();
    expect(Buffer.from(stored.body).toString()).toContain('<SharedSecret>[redacted]</SharedSecret>');
    expect(Buffer.from(stored.body).toString()).not.toContain('coyote-coyote');
    expect(orders[0].lines[1]).toMatchObject({
      lineNumber: '2',
      sku: '1233245',
      quantity: 20,
      uom: 'EA',
      unitPrice: 3.2,
      description: 'hello from item 2',
      requestedDeliveryDate: '2020-02-28',
      extras: { comments: ['Test comment'] },
    });
  });

  it('keeps a composite ItemOut and its components together as one bundle', async () => {
    const res = await send(composite);
    expect(statusOf(res.body)?.code).toBe(200);
    const [order] = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-9001', key: buyer.key })).json().orders;
    expect(order.lines.map((l: { lineNumber: string }) => l.lineNumber)).toEqual(['1', '2']);
    const bundle = order.lines[1];
    expect(bundle).toMatchObject({
      sku: 'INTERNET-100',
      bundleLineNumber: '2',
      identifiers: { buyerPart: 'NET100' },
      extras: { itemType: 'composite', compositeItemType: 'groupLevel' },
    });
    expect(
      bundle.components.map((c: { lineNumber: string; sku: string; parentLineNumber: string }) => [
        c.lineNumber,
        c.sku,
        c.parentLineNumber,
      ]),
    ).toEqual([
      ['3', 'MODEM-X1', '2'],
      ['4', 'PORT-ACT', '2'],
    ]);
    expect(order).toMatchObject({
      totals: { amount: 158.99 },
      notes: ['Professional installation requested.'],
      extras: { extrinsics: { CostCenter: '4711' } },
      envelope: { orderVersion: '1' },
    });
    expect(order.shipTo).toMatchObject({ code: 'DC-01', contact: { email: 'receiving@acme.example' } });
  });

  it('answers the same payloadID with the first Response and stores nothing new; another document under it is 409', async () => {
    const first = await send(sampleFor('dup-1@test').replace('DO1234', 'DO-DUP'));
    const again = await send(sampleFor('dup-1@test').replace('DO1234', 'DO-DUP'));
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await t.request({ method: 'GET', url: '/v1/orders?externalRef=DO-DUP', key: prominate.key })).json().orders).toHaveLength(1);
    const other = await send(sampleFor('dup-1@test').replace('DO1234', 'DO-OTHER'));
    expect(other.statusCode).toBe(409);
    expect(statusOf(other.body)).toMatchObject({ code: 409, detail: expect.stringContaining('dup-1@test') });
  });

  it.each([
    [
      'an unknown sender',
      (x: string) =>
        x.replace(
          'inbound@prominate-platform.com</Identity>\n            </Credential>\n        </From>',
          'someone@else.example</Identity>\n            </Credential>\n        </From>',
        ),
      401,
    ],
    ['a wrong shared secret', (x: string) => x.replace('coyote-coyote', 'roadrunner'), 401],
    ['no shared secret', (x: string) => x.replace(/<SharedSecret>[^<]*<\/SharedSecret>/, ''), 401],
  ])('%s → 401', async (_name, change, code) => {
    const res = await send(change(sampleFor(`auth-${code}-${Math.random()}@test`)));
    expect(res.statusCode).toBe(code);
    expect(statusOf(res.body)?.code).toBe(code);
  });

  it.each([
    ['not well-formed', (x: string) => x.replace('</ItemOut>', ''), 'not well-formed XML at line'],
    ['not XML at all', () => 'hello', 'not well-formed'],
    [
      'no Total (required by the DTD)',
      (x: string) => x.replace(/<Total>[\s\S]*?<\/Total>/, ''),
      'OrderRequestHeader/Total/Money is missing',
    ],
    [
      'an ItemOut without quantity',
      (x: string) => x.replace('ItemOut quantity="10"', 'ItemOut'),
      'ItemOut[1] needs the quantity attribute',
    ],
    ['an unknown order type', (x: string) => x.replace('type="new"', 'type="maybe"'), 'maybe'],
  ])('%s → 406 naming it', async (_name, change, detail) => {
    const res = await send(change(sampleFor(`bad-${Math.random()}@test`)));
    expect(res.statusCode).toBe(406);
    expect(statusOf(res.body)).toMatchObject({ code: 406, detail: expect.stringContaining(detail) });
  });

  it('a document that is not UTF-8 → 406', async () => {
    const bytes = Buffer.from(sampleFor('latin1@test'));
    bytes[bytes.indexOf('Acme')] = 0xc4; // a Latin-1 byte where UTF-8 needs a sequence
    const res = await t.request({ method: 'POST', url: '/v1/cxml', headers: { 'content-type': 'text/xml' }, payload: bytes });
    expect(res.statusCode).toBe(406);
    expect(statusOf(res.body)?.detail).toBe('document is not UTF-8');
  });

  it.each([
    ['a zero quantity', (x: string) => x.replace('ItemOut quantity="10"', 'ItemOut quantity="0"'), 'ItemOut[1]@quantity'],
    ['a total that does not add up', (x: string) => x.replace('85.00', '99.00'), 'OrderRequestHeader/Total'],
    [
      'a component of a missing parent',
      (x: string) => x.replace('lineNumber="2">', 'lineNumber="2" parentLineNumber="7">'),
      'ItemOut[2]@parentLineNumber',
    ],
  ])('%s → 400 naming the element', async (_name, change, element) => {
    const res = await send(change(sampleFor(`rule-${Math.random()}@test`)));
    expect(res.statusCode).toBe(400);
    expect(statusOf(res.body)).toMatchObject({ code: 400, detail: expect.stringContaining(element) });
  });

  it('refuses an external entity (XXE) without fetching it, and a billion-laughs document without expanding it', async () => {
    const xxe = sampleFor('xxe@test')
      .replace(
        '<!DOCTYPE cXML SYSTEM "http://xml.cXML.org/schemas/cXML/1.2.050/cXML.dtd">',
        '<!DOCTYPE cXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
      )
      .replace('hello from item 1', '&xxe;');
    const res = await send(xxe);
    expect(res.statusCode).toBe(406);
    expect(res.body).not.toContain('root:');
    const laughs = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE lolz [',
      '<!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`),
      ']>',
      '<cXML>&lol9;</cXML>',
    ].join('\n');
    const started = Date.now();
    const bomb = await send(laughs);
    expect(bomb.statusCode).toBe(406);
    expect(bomb.body.length).toBeLessThan(2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses an oversized document with a cXML 413, and never answers bad input with 500', async () => {
    const huge = sampleFor('huge@test').replace('hello from item 1', 'x'.repeat(300 * 1024));
    const res = await send(huge);
    expect(res.statusCode).toBe(413);
    expect(statusOf(res.body)?.code).toBe(413);
    for (const garbage of [
      '',
      '<',
      '<cXML/>',
      '<cXML payloadID="a" timestamp="b"><Header/></cXML>',
      '\u0000\u0001\u0002',
      '<?xml version="1.0"?><cXML payloadID="p" timestamp="t"><Header><From><Credential domain="d"><Identity>i</Identity></Credential></From></Header></cXML>',
    ]) {
      const answer = await send(garbage);
      expect(answer.statusCode, garbage).toBeGreaterThanOrEqual(400);
      expect(answer.statusCode, garbage).toBeLessThan(500);
      expect(statusOf(answer.body)?.code).toBe(answer.statusCode);
    }
  });
});
