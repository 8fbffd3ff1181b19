import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { validateAgainstDtd } from './support/dtd.ts';

// One promise, four doors: every inbound channel answers a document it cannot read, and one that
// breaks its rules, precisely and in its own format; absorbs a duplicate with the first answer;
// stores the order with its bundle intact; and refuses a wrong key, secret or signature.

type Answer = LightMyRequestResponse;

/** One partner's way in through one channel. `id` is what the channel dedupes on, `ref` the partner's order reference. */
interface Door {
  /** The partner's API key, to read what was stored. */
  key: string;
  order(ref: string, id: number): Promise<Answer>;
  unreadable(id: number): Promise<Answer>;
  broken(ref: string, id: number): Promise<Answer>;
  wrongKey(ref: string, id: number): Promise<Answer>;
}

interface Channel {
  name: string;
  /** The order's channel as the order API shows it. */
  channel: string;
  open(t: TestApp): Promise<Door>;
  /** The answer to a good order says it was taken. */
  taken(answer: Answer, ref: string): void;
  unreadable(answer: Answer): void;
  broken(answer: Answer): void;
  refused(answer: Answer): void;
  /** The bundle line of the good order, and its components as [lineNumber, sku, quantity]. */
  bundle: { lineNumber: string; sku: string; quantity: number; components: [string, string, number][] };
  lineCount: number;
}

const problem = (answer: Answer, status: number, body: Record<string, unknown>) => {
  expect(answer.statusCode).toBe(status);
  expect(answer.headers['content-type']).toContain('application/problem+json');
  expect(answer.json()).toMatchObject({ status, ...body });
};

const jsonApi: Channel = {
  name: 'JSON API',
  channel: 'api',
  async open(t) {
    const { key } = await t.partner('Conformance JSON');
    const post = (payload: string, id: number, as = key) =>
      t.request({
        method: 'POST',
        url: '/v1/orders',
        key: as,
        headers: { 'content-type': 'application/json', 'idempotency-key': `conformance-${id}` },
        payload,
      });
    const order = (ref: string) => ({ ...sampleOrder, externalRef: ref });
    return {
      key,
      order: (ref, id) => post(JSON.stringify(order(ref)), id),
      unreadable: (id) => post('{"externalRef":"PO-CUT" "lines":[]}', id),
      broken: (ref, id) => {
        const body = order(ref);
        const [plain, bundle] = body.lines;
        const components = bundle?.components ?? [];
        return post(
          JSON.stringify({ ...body, lines: [plain, { ...bundle, components: [{ ...components[0], quantity: '1' }, components[1]] }] }),
          id,
        );
      },
      wrongKey: (ref, id) => post(JSON.stringify(order(ref)), id, 'ogp_not-a-key-of-anyone'),
    };
  },
  taken(answer, ref) {
    expect(answer.statusCode).toBe(201);
    expect(answer.json()).toMatchObject({ externalRef: ref, channel: 'api', status: 'decomposed' });
    expect(answer.headers.location).toBe(`/v1/orders/${answer.json().id}`);
  },
  unreadable(answer) {
    problem(answer, 400, { code: 'malformed-json' });
    expect(answer.json().detail).toMatch(/^Expected ',' or '}' after property value in JSON at position 24\b/);
  },
  broken(answer) {
    problem(answer, 400, { code: 'invalid-request' });
    expect(answer.json().errors).toEqual([
      expect.objectContaining({ in: 'body', pointer: '/lines/1/components/0/quantity', code: 'type' }),
    ]);
  },
  refused(answer) {
    problem(answer, 401, { code: 'unauthorized', detail: 'this API key is unknown or revoked' });
  },
  bundle: {
    lineNumber: '2',
    sku: 'INTERNET-100',
    quantity: 1,
    components: [
      ['2.1', 'MODEM-X1', 1],
      ['2.2', 'PORT-ACT', 1],
    ],
  },
  lineCount: 4,
};

const x12Bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const x12Segments = (text: string, tag: string) =>
  tokenize(text).flatMap((e) => (e.kind === 'segment' && e.segment.tag === tag ? [[e.segment.tag, ...e.segment.elements]] : []));

/** The bundle interchange under ISA13 = GS06 = `id`, with `ref` as its PO number (BEG03). */
function interchange(ref: string, id: number): string {
  const isa13 = String(id).padStart(9, '0');
  return x12Bundle
    .replace(/\*000000101\*0\*P/, `*${isa13}*0*P`)
    .replace(/IEA\*1\*000000101/, `IEA*1*${isa13}`)
    .replace(/\*1200\*101\*X/, `*1200*${id}*X`)
    .replace(/GE\*1\*101/, `GE*1*${id}`)
    .replace('PO-7001', ref);
}

const x12: Channel = {
  name: 'X12',
  channel: 'x12',
  async open(t) {
    const { key } = await t.partner('Conformance X12', {
      x12: { qualifier: 'ZZ', id: 'CONFORMBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' },
    });
    const post = (payload: string | Buffer, as = key) =>
      t.request({ method: 'POST', url: '/v1/x12', key: as, headers: { 'content-type': 'application/edi-x12' }, payload });
    const from = (text: string) => text.replaceAll('ZZ*ACMEBUYER      ', 'ZZ*CONFORMBUYER   ').replace('*ACMEBUYER*', '*CONFORMBUYER*');
    return {
      key,
      order: (ref, id) => post(from(interchange(ref, id))),
      unreadable: () => post('ISX*00*garbage where an interchange should begin~'),
      // PO1-03, the unit of measure of line 1, is longer than the 850 allows (code lists are not checked: issue 11).
      broken: (ref, id) => post(from(interchange(ref, id)).replace('PO1*1*2*EA', 'PO1*1*2*EAX')),
      wrongKey: (ref, id) => post(from(interchange(ref, id)), 'ogp_not-a-key-of-anyone'),
    };
  },
  taken(answer) {
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toContain('application/edi-x12');
    expect(x12Segments(answer.body, 'AK5')).toEqual([['AK5', 'A']]);
    expect(x12Segments(answer.body, 'AK9')).toEqual([['AK9', 'A', '1', '1', '1']]);
  },
  unreadable(answer) {
    problem(answer, 400, {
      code: 'x12-unreadable',
      detail: 'at byte 0: expected an interchange to start with ISA (starts with "ISX*00*garbage where an ")',
    });
  },
  broken(answer) {
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toContain('application/edi-x12');
    // The 997 names the segment (PO1, the 8th of the set), the element (3rd), its code and the value.
    expect(x12Segments(answer.body, 'AK3')).toEqual([['AK3', 'PO1', '8', '', '8']]);
    expect(x12Segments(answer.body, 'AK4')).toEqual([['AK4', '3', '', '5', 'EAX']]);
    expect(x12Segments(answer.body, 'AK5')).toEqual([['AK5', 'R', '5']]);
    expect(x12Segments(answer.body, 'AK9')).toEqual([['AK9', 'R', '1', '1', '0']]);
  },
  refused(answer) {
    problem(answer, 401, { code: 'unauthorized', detail: 'this API key is unknown or revoked' });
  },
  bundle: {
    lineNumber: '2',
    sku: 'INTERNET-100',
    quantity: 1,
    components: [
      ['2.1', 'MODEM-X1', 1],
      ['2.2', 'PORT-ACT', 1],
      ['2.3', 'TRUCK-ROLL', 1],
    ],
  },
  lineCount: 5,
};

const cxmlComposite = readFileSync(new URL('../adapters/cxml/fixtures/composite-OrderRequest.xml', import.meta.url), 'utf8');
const cxmlStatus = (xml: string) => {
  const match = /<Status code="(\d+)" text="([^"]*)">([^<]*)<\/Status>/.exec(xml);
  return match === null ? undefined : { code: Number(match[1]), text: match[2], detail: match[3] };
};
const cxmlAnswer = (answer: Answer, code: number, text: string, detail?: string) => {
  expect(answer.statusCode).toBe(code);
  expect(answer.headers['content-type']).toContain('text/xml');
  expect(cxmlStatus(answer.body)).toEqual({ code, text, detail: detail ?? expect.any(String) });
  expect(validateAgainstDtd(answer.body, 'cXML.dtd')).toEqual({ valid: true, errors: [] });
};

const cxml: Channel = {
  name: 'cXML',
  channel: 'cxml',
  async open(t) {
    const { key } = await t.partner('Conformance cXML', {
      cxml: { fromDomain: 'NetworkID', fromIdentity: 'AN01000000001', sharedSecret: 's3cret-for-tests' },
    });
    const post = (payload: string) => t.request({ method: 'POST', url: '/v1/cxml', headers: { 'content-type': 'text/xml' }, payload });
    const document = (ref: string, id: number) =>
      cxmlComposite
        .replace('payloadID="1700000000.4711@buyer.example"', `payloadID="conformance-${id}@buyer.example"`)
        .replace('orderID="PO-9001"', `orderID="${ref}"`);
    return {
      key,
      order: (ref, id) => post(document(ref, id)),
      unreadable: (id) => post(document('PO-CUT', id).replace('</ItemOut>', '')),
      broken: (ref, id) => post(document(ref, id).replace(/<Total>[\s\S]*?<\/Total>/, '')),
      wrongKey: (ref, id) =>
        post(document(ref, id).replace('<SharedSecret>s3cret-for-tests</SharedSecret>', '<SharedSecret>not-the-secret</SharedSecret>')),
    };
  },
  taken(answer) {
    cxmlAnswer(answer, 200, 'OK');
  },
  unreadable(answer) {
    cxmlAnswer(answer, 406, 'Not Acceptable');
    // The first </ItemOut> (line 53) is gone: the parser names where it noticed and what is open.
    expect(cxmlStatus(answer.body)?.detail).toMatch(
      /^not well-formed XML at line 81, column 5: Expected closing tag 'ItemOut' \(opened in line 45, col 7\)/,
    );
  },
  broken(answer) {
    cxmlAnswer(answer, 406, 'Not Acceptable');
    expect(cxmlStatus(answer.body)?.detail).toContain('OrderRequestHeader/Total/Money is missing');
  },
  refused(answer) {
    cxmlAnswer(answer, 401, 'Unauthorized', 'unknown sender or wrong shared secret');
  },
  bundle: {
    lineNumber: '2',
    sku: 'INTERNET-100',
    quantity: 1,
    components: [
      ['3', 'MODEM-X1', 1],
      ['4', 'PORT-ACT', 1],
    ],
  },
  lineCount: 4,
};

const shopifyOrder = readFileSync(new URL('../adapters/webhook/fixtures/shopify-orders-create.json', import.meta.url), 'utf8');
const shop = 'conformance-outdoor.myshopify.com';
const shopSecret = 'shpss_conformance-client-secret-0123456789';
const shopifyOrderAs = (ref: string) => shopifyOrder.replace('"name": "#1042"', `"name": "${ref}"`);
/** The order without the comma after its name: not JSON from the byte where the next property starts. */
const shopifyUnreadable = shopifyOrderAs('#CUT').replace('"name": "#CUT",', '"name": "#CUT"');
const shopifyUnreadableAt = shopifyUnreadable.indexOf('"', shopifyUnreadable.indexOf('"name": "#CUT"') + '"name": "#CUT"'.length);

const webhook: Channel = {
  name: 'webhook',
  channel: 'webhook',
  async open(t) {
    const partner = await t.partner('Conformance Shop');
    const registered = await t.request({
      method: 'POST',
      url: `/v1/partners/${partner.id}/webhook-sources`,
      key: adminKey,
      payload: { kind: 'shopify', account: shop, secret: shopSecret },
    });
    expect(registered.statusCode).toBe(201);
    /** As Shopify posts: the HMAC of the exact bytes sent, the shop and the event in headers. */
    const post = (body: string, id: number, secret = shopSecret) =>
      t.request({
        method: 'POST',
        url: '/v1/webhooks/shopify',
        headers: {
          'content-type': 'application/json',
          'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
          'x-shopify-shop-domain': shop,
          'x-shopify-topic': 'orders/create',
          'x-shopify-event-id': `conformance-${id}`,
        },
        payload: body,
      });
    return {
      key: partner.key,
      order: (ref, id) => post(shopifyOrderAs(ref), id),
      unreadable: (id) => post(shopifyUnreadable, id),
      // The bundle's first component (line_items[1], the tent at 149.00) with nothing to fulfil, the stated total without it.
      broken: (ref, id) =>
        post(
          shopifyOrderAs(ref)
            .replace(/("quantity": )1(,[^{}]*"sales_line_item_group_id": 3481726354)/, '$10$2')
            .replace('"total_line_items_price": "264.00"', '"total_line_items_price": "115.00"'),
          id,
        ),
      wrongKey: (ref, id) => post(shopifyOrderAs(ref), id, 'shpss_not-the-secret-0123456789'),
    };
  },
  taken(answer, ref) {
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ orderId: expect.any(String), externalRef: ref, status: 'decomposed' });
  },
  unreadable(answer) {
    problem(answer, 400, { code: 'malformed-json' });
    expect(answer.json().detail).toMatch(
      new RegExp(`^Expected ',' or '}' after property value in JSON at position ${shopifyUnreadableAt}\\b`),
    );
  },
  broken(answer) {
    problem(answer, 422, { code: 'invalid-order' });
    expect(answer.json().errors).toEqual([
      expect.objectContaining({
        in: 'body',
        pointer: '/line_items/1/quantity',
        code: 'invalid-quantity',
        detail: 'quantity must be greater than zero, got 0',
      }),
    ]);
  },
  refused(answer) {
    problem(answer, 401, { code: 'webhook-unauthenticated' });
    expect(answer.json().detail).toContain('does not match the body');
  },
  bundle: {
    lineNumber: '2',
    sku: 'KIT-CAMP-STARTER',
    quantity: 1,
    components: [
      ['2.1', 'TENT-2P-DOME', 1],
      ['2.2', 'BAG-3S-REG', 1],
    ],
  },
  lineCount: 4,
};

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp('postgres');
});
afterAll(async () => t?.close());

// ISA13/GS06, Idempotency-Key, payloadID and event id: a fresh one for every document of the file.
let lastId = 100;
const nextId = () => ++lastId;

describe.each([jsonApi, x12, cxml, webhook])('the $name channel', (channel) => {
  let door: Door;
  beforeAll(async () => {
    door = await channel.open(t);
  });

  const ordersOf = async (ref: string) => {
    const res = await t.request({ method: 'GET', url: `/v1/orders?externalRef=${encodeURIComponent(ref)}`, key: door.key });
    expect(res.statusCode).toBe(200);
    return res.json().orders as { id: string }[];
  };
  const ordersStored = async () => Number((await t.database.db('orders').count({ n: '*' }).first())?.n);

  it('answers a document it cannot read precisely, in its own format, and stores nothing', async () => {
    const before = await ordersStored();
    channel.unreadable(await door.unreadable(nextId()));
    expect(await ordersStored()).toBe(before);
  });

  it('answers a document that breaks its rules precisely, in its own format, naming the place, and stores no order', async () => {
    const ref = `${channel.channel}-BROKEN`;
    channel.broken(await door.broken(ref, nextId()));
    expect(await ordersOf(ref)).toEqual([]);
  });

  it('absorbs a duplicate: the same answer, byte for byte, and one order', async () => {
    const ref = `${channel.channel}-DUP`;
    const id = nextId();
    const first = await door.order(ref, id);
    channel.taken(first, ref);
    const again = await door.order(ref, id);
    expect({ status: again.statusCode, type: again.headers['content-type'], body: again.body }).toEqual({
      status: first.statusCode,
      type: first.headers['content-type'],
      body: first.body,
    });
    expect(await ordersOf(ref)).toHaveLength(1);
  });

  it('stores the order with its bundle intact', async () => {
    const ref = `${channel.channel}-BUNDLE`;
    channel.taken(await door.order(ref, nextId()), ref);
    const [listed, ...more] = await ordersOf(ref);
    expect(more).toEqual([]);
    const res = await t.request({ method: 'GET', url: `/v1/orders/${listed?.id}`, key: door.key });
    expect(res.statusCode).toBe(200);
    const order = res.json();
    expect(order).toMatchObject({ id: listed?.id, channel: channel.channel, externalRef: ref, totals: { lineCount: channel.lineCount } });
    const { lineNumber, sku, quantity, components } = channel.bundle;
    const bundles = order.lines.filter((line: { components?: unknown[] }) => (line.components ?? []).length > 0);
    expect(bundles).toHaveLength(1);
    expect(bundles[0]).toMatchObject({ lineNumber, sku, quantity, bundleLineNumber: lineNumber });
    expect(
      bundles[0].components.map(
        (c: { lineNumber: string; sku: string; quantity: number; parentLineNumber: string; bundleLineNumber: string }) => [
          c.lineNumber,
          c.sku,
          c.quantity,
          c.parentLineNumber,
          c.bundleLineNumber,
        ],
      ),
    ).toEqual(components.map(([n, s, q]) => [n, s, q, lineNumber, lineNumber]));
  });

  it('refuses a wrong key, secret or signature with 401, and stores nothing', async () => {
    const ref = `${channel.channel}-UNAUTH`;
    channel.refused(await door.wrongKey(ref, nextId()));
    expect(await ordersOf(ref)).toEqual([]);
  });
});
