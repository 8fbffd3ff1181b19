import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { identifierLimits } from '../domain/order.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from '../test/support/app.ts';
import { postFromShop, registerShop } from '../test/support/shopify.ts';
import { loadSpecification } from './server.ts';

// Issue 12, finding 5: every identifier that is stored or indexed has a length limit on every
// channel, answered precisely rather than as a 500 from an index row that does not fit.

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const shopifyOrder = JSON.parse(readFileSync(new URL('../adapters/webhook/fixtures/shopify-orders-create.json', import.meta.url), 'utf8'));
const identity = { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };
const shopSecret = 'shpss_identifier-limits-0123456789';
const shop = 'limits.myshopify.com';
const shopOf = { domain: shop, secret: shopSecret };

const segments = (text: string) => tokenize(text).flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, ...e.segment.elements]] : []));
const find = (text: string, tag: string) => segments(text).filter((s) => s[0] === tag);
/** Random letters: an index row compresses a repeated character well enough to hide the problem. */
const noise = (length: number) => Array.from({ length }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join('');

const interchange = (n: number, edit: (x12: string) => string) =>
  edit(bundle)
    .replace(/000000101/g, String(n).padStart(9, '0'))
    .replace(/\*101\*X/, `*${n}*X`)
    .replace('GE*1*101', `GE*1*${n}`);

type Schema = { $ref?: string; type?: string | string[]; maxLength?: number; enum?: unknown[]; format?: string; pattern?: string } & Record<
  string,
  unknown
>;

describe('openapi.yaml', () => {
  it('bounds every string a request may carry: body fields, query, path and header parameters', () => {
    const spec = loadSpecification() as { paths: Record<string, Record<string, { parameters?: Schema[]; requestBody?: Schema }>> };
    const resolve = (s: Schema | undefined): Schema | undefined => {
      let at = s;
      while (at?.$ref !== undefined)
        at = at.$ref
          .split('/')
          .slice(1)
          .reduce((o: Record<string, unknown>, k) => o[k] as Record<string, unknown>, spec as never) as Schema;
      return at;
    };
    const unbounded: string[] = [];
    const walk = (raw: Schema | undefined, path: string, seen: Set<Schema>) => {
      const s = resolve(raw);
      if (s === undefined || seen.has(s)) return;
      const inner = new Set(seen).add(s);
      const types = ([] as string[]).concat(s.type ?? []);
      const fixedPattern = s.pattern !== undefined && /^\^[^*+]*\$$/.test(s.pattern);
      const boundedFormat = ['uuid', 'date', 'date-time', 'binary'].includes(s.format ?? '');
      if (types.includes('string') && s.maxLength === undefined && s.enum === undefined && !fixedPattern && !boundedFormat)
        unbounded.push(path);
      for (const [name, child] of Object.entries((s.properties ?? {}) as Record<string, Schema>)) walk(child, `${path}/${name}`, inner);
      if (s.items !== undefined) walk(s.items as Schema, `${path}/*`, inner);
      if (typeof s.additionalProperties === 'object') walk(s.additionalProperties as Schema, `${path}/*`, inner);
      for (const key of ['oneOf', 'anyOf', 'allOf']) for (const child of (s[key] ?? []) as Schema[]) walk(child, path, inner);
    };
    for (const [path, operations] of Object.entries(spec.paths))
      for (const [method, operation] of Object.entries(operations)) {
        for (const parameter of (operation.parameters ?? []).map(resolve))
          walk(parameter?.schema as Schema, `${method} ${path} ${parameter?.in} ${parameter?.name}`, new Set());
        const content = (resolve(operation.requestBody)?.content ?? {}) as Record<string, { schema: Schema }>;
        for (const [type, body] of Object.entries(content)) walk(body.schema, `${method} ${path} ${type}`, new Set());
      }
    expect(unbounded).toEqual([]);
  });

  it('gives the JSON order the domain limits', () => {
    const schemas = (loadSpecification() as { components: { schemas: Record<string, { properties: Record<string, Schema> }> } }).components
      .schemas;
    expect(schemas.OrderCreate?.properties.externalRef?.maxLength).toBe(identifierLimits.externalRef);
    expect(schemas.LineCreate?.properties.lineNumber?.maxLength).toBe(identifierLimits.lineNumber);
    expect(schemas.LineCreate?.properties.sku?.maxLength).toBe(identifierLimits.sku);
    expect(schemas.LineCreate?.properties.uom?.maxLength).toBe(identifierLimits.uom);
  });
});

describe('identifier limits over HTTP', () => {
  let t: TestApp;
  let acme: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp('postgres');
    acme = await t.partner('Acme', { x12: identity });
    await registerShop(t, acme.id, shopOf);
  });
  afterAll(async () => t?.close());

  it('JSON: an order reference over its limit is 400 naming the field', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: acme.key,
      headers: { 'idempotency-key': 'limits-1' },
      payload: { ...sampleOrder, externalRef: noise(81) },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ in: 'body', pointer: '/externalRef', code: 'maxLength' })]);
  });

  it('JSON: a partner registration with an over-long X12 version or map is 400 naming it', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/partners',
      key: adminKey,
      payload: { name: 'Long', x12: { ...identity, id: 'LONGBUYER', version: `004010${noise(3000)}`, map: 'a'.repeat(3000) } },
    });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { pointer: string }) => e.pointer)
        .sort(),
    ).toEqual(['/x12/map', '/x12/version']);
  });

  describe('X12', () => {
    const send = (x12: string) =>
      t.request({ method: 'POST', url: '/v1/x12', key: acme.key, headers: { 'content-type': 'application/edi-x12' }, payload: x12 });

    it('rejects an over-long BEG03 with AK4 code 5 (data element too long)', async () => {
      const long = noise(3000);
      const res = await send(interchange(401, (x) => x.replace('PO-7001', long)));
      expect(find(res.body, 'AK3')).toEqual([['AK3', 'BEG', '2', '', '8']]);
      expect(find(res.body, 'AK4')).toEqual([['AK4', '3', '', '5', long.slice(0, 99)]]);
      expect(find(res.body, 'AK5')).toEqual([['AK5', 'R', '5']]);
    });

    it('rejects a product id past the elements the guide rules, naming its element', async () => {
      const long = noise(3000);
      const res = await send(
        interchange(402, (x) => x.replace('PO1*1*2*EA*49.5**VN*MODEM-X1~', `PO1*1*2*EA*49.5**VN*MODEM-X1${'*'.repeat(19)}BP*${long}~`)),
      );
      expect(res.statusCode).toBe(200);
      expect(find(res.body, 'AK3')).toEqual([['AK3', 'PO1', '8', '', '8']]);
      expect(find(res.body, 'AK4')).toEqual([['AK4', '27', '', '5', long.slice(0, 99)]]);
      expect(find(res.body, 'AK5')).toEqual([['AK5', 'R', '5']]);
      expect(await t.database.db('orders').where({ partner_id: acme.id }).count('* as n').first()).toEqual({ n: 0 });
    });

    it('rejects a quantity past what the order columns hold (PO102: 15 digits) with AK4 code 7', async () => {
      const res = await send(interchange(405, (x) => x.replace('PO1*1*2*EA*49.5', 'PO1*1*999999999999999*EA*49.5')));
      // The stated total (AMT02) no longer matches the lines either.
      expect(find(res.body, 'AK3')[0]).toEqual(['AK3', 'PO1', '8', '', '8']);
      expect(find(res.body, 'AK4')[0]).toEqual(['AK4', '2', '', '7', '999999999999999']);
      expect(find(res.body, 'AK5')).toEqual([['AK5', 'R', '5']]);
    });

    it('refuses the interchange (TA1 R 024) for a GS02 longer than 15, and never echoes it whole', async () => {
      const long = noise(3000);
      const res = await send(interchange(403, (x) => x.replace('GS*PO*ACMEBUYER', `GS*PO*${long}`)));
      expect(res.statusCode).toBe(200);
      expect(find(res.body, 'TA1')[0]?.slice(4)).toEqual(['R', '024']);
      expect(find(res.body, 'GS')[0]?.[3]).toBe(long.slice(0, 15));
      expect(find(res.body, 'AK5')).toEqual([['AK5', 'R']]);
    });

    it('rejects an over-long ST02 with AK5 code 7', async () => {
      const st02 = '1'.repeat(3000);
      const res = await send(interchange(404, (x) => x.replace('ST*850*0001', `ST*850*${st02}`).replace('SE*17*0001', `SE*17*${st02}`)));
      expect(find(res.body, 'AK2')).toEqual([['AK2', '850', '1'.repeat(9)]]);
      expect(find(res.body, 'AK5')).toEqual([['AK5', 'R', '7']]);
    });
  });

  describe('webhooks', () => {
    const fromShopify = (body: string, eventId: string = randomUUID()) => postFromShop(t, shopOf, body, eventId);

    it('answers an over-long order reference or SKU 422, too-long, pointing into the shop payload', async () => {
      const res = await fromShopify(
        JSON.stringify({
          ...shopifyOrder,
          name: noise(3000),
          line_items: shopifyOrder.line_items.map((item: object, i: number) => (i === 0 ? { ...item, sku: noise(101) } : item)),
        }),
      );
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'invalid-order' });
      expect(res.json().errors).toEqual([
        expect.objectContaining({
          in: 'body',
          pointer: '/name',
          code: 'too-long',
          detail: 'is 3000 characters long; at most 80 are accepted',
        }),
        expect.objectContaining({ pointer: '/line_items/0/sku', code: 'too-long' }),
      ]);
    });

    it('answers a quantity or a price past what the order columns hold 422, pointing at it', async () => {
      const res = await fromShopify(
        JSON.stringify({
          ...shopifyOrder,
          name: '#LIMITS-2',
          line_items: shopifyOrder.line_items.map((item: object, i: number) =>
            i === 0 ? { ...item, quantity: 1e19, price: '1000000000000000.00' } : item,
          ),
        }),
      );
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual([
        expect.objectContaining({ pointer: '/line_items/0/quantity', code: 'invalid-quantity' }),
        expect.objectContaining({ pointer: '/line_items/0/price', code: 'invalid-price' }),
      ]);
    });

    it('answers an over-long event id 400, naming the header', async () => {
      const res = await fromShopify(JSON.stringify(shopifyOrder), noise(300));
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual([expect.objectContaining({ in: 'header', pointer: 'x-shopify-event-id', code: 'too-long' })]);
    });
  });
});
