import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';
import { consoleSession, type ConsoleSession } from './support/console-inject.ts';

// The documents pages: every document in and out with its acknowledgment and order, and one
// document made readable (X12 one segment per line with its name, cXML and JSON indented), through
// GET /v1/documents and what each key may see there.

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const cxmlSample = readFileSync(new URL('../adapters/cxml/fixtures/samples/cxmlphp-OrderRequest.xml', import.meta.url), 'utf8');
const x12Identity = { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };
const secret = 'coyote-coyote';

interface Listed {
  id: string;
  partnerId: string;
  orderId: string | null;
  orderIds?: string[];
  direction: string;
  type: string;
  answers?: { id: string; type: string }[];
}

/** The rows of the page's table body, each as its cells' text. */
const rowsOf = (html: string): string[][] =>
  [...(/<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => (cell[1] ?? '').replace(/<[^>]+>/g, '').trim()),
  );

describe('console documents', () => {
  let t: TestApp;
  let acme: { id: string; key: string };
  let buyer: { id: string; key: string };
  let admin: ConsoleSession;
  let the850: Listed;
  let the997: Listed;
  let theCxml: Listed;
  let theJson: Listed;

  const documentsAs = async (key: string, query = '') => {
    const answer = await t.request({ method: 'GET', url: `/v1/documents${query}`, key });
    expect(answer.statusCode, answer.body).toBe(200);
    return answer.json().documents as Listed[];
  };

  beforeAll(async () => {
    t = await startTestApp('postgres');
    acme = await t.partner('Acme', { x12: x12Identity });
    buyer = await t.partner('Prominate <Buyer>', {
      cxml: { fromDomain: 'NetworkId', fromIdentity: 'inbound@prominate-platform.com', sharedSecret: secret },
    });
    const x12 = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: acme.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: bundle,
    });
    expect(x12.statusCode).toBe(200);
    const cxml = await t.request({
      method: 'POST',
      url: '/v1/cxml',
      headers: { 'content-type': 'text/xml' },
      payload: cxmlSample.replace('<SharedSecret>coyote</SharedSecret>', `<SharedSecret>${secret}</SharedSecret>`),
    });
    expect(cxml.statusCode, cxml.body).toBe(200);
    const json = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: acme.key,
      headers: { 'idempotency-key': 'docs-1' },
      payload: { ...sampleOrder, externalRef: 'PO-<script>alert(1)</script>', buyer: { name: 'Acme & <b>Sons</b>' } },
    });
    expect(json.statusCode, json.body).toBe(201);
    const all = await documentsAs(adminKey);
    const find = (test: (d: Listed) => boolean) => {
      const found = all.find(test);
      if (found === undefined) throw new Error(`no such document in ${JSON.stringify(all)}`);
      return found;
    };
    the850 = find((d) => d.type === '850');
    the997 = find((d) => d.type === '997');
    theCxml = find((d) => d.type === 'OrderRequest');
    theJson = find((d) => d.type === 'order.json');
    admin = await consoleSession(t, adminKey);
  });
  afterAll(async () => t?.close());

  describe('GET /v1/documents, extended', () => {
    it('names each document’s partner and, for an inbound interchange, the orders it holds and our answers to it', () => {
      expect(the850).toMatchObject({ partnerId: acme.id, direction: 'inbound', orderId: null, answers: [{ id: the997.id, type: '997' }] });
      expect(the850.orderIds).toHaveLength(1);
      expect(theJson.orderId).toEqual(expect.any(String));
      expect(theCxml).toMatchObject({ partnerId: buyer.id });
      expect(theCxml.answers).toBeUndefined();
    });

    it('lists newest first with sort=newest, paged with before; oldest first is still the default', async () => {
      const oldest = await documentsAs(adminKey);
      const newest = await documentsAs(adminKey, '?sort=newest');
      expect(newest.map((d) => d.id)).toEqual([...oldest].reverse().map((d) => d.id));
      const firstPage = await documentsAs(adminKey, '?sort=newest&limit=2');
      const secondPage = await documentsAs(adminKey, `?sort=newest&limit=2&before=${firstPage[1]?.id}`);
      expect([...firstPage, ...secondPage].map((d) => d.id)).toEqual(newest.slice(0, 4).map((d) => d.id));
    });

    it('filters by partner (admin) and by order', async () => {
      expect((await documentsAs(adminKey, `?partnerId=${buyer.id}`)).map((d) => d.id)).toEqual([theCxml.id]);
      const ofOrder = await documentsAs(adminKey, `?orderId=${theJson.orderId}`);
      expect(ofOrder.map((d) => d.id)).toEqual([theJson.id]);
    });

    it('refuses a partner key another partner’s partnerId, and a cursor that is not its own', async () => {
      const other = await t.request({ method: 'GET', url: `/v1/documents?partnerId=${acme.id}`, key: buyer.key });
      expect(other.statusCode).toBe(403);
      const cursor = await t.request({ method: 'GET', url: `/v1/documents?sort=newest&before=${the850.id}`, key: buyer.key });
      expect(cursor.statusCode).toBe(400);
      expect(cursor.json()).toMatchObject({ code: 'invalid-cursor', errors: [{ pointer: 'before' }] });
    });
  });

  describe('/console/documents', () => {
    it('lists every document for the admin, newest first, with partner, type, control numbers, acknowledgment and order', async () => {
      const page = await admin.get('/console/documents');
      expect(page.statusCode).toBe(200);
      const rows = rowsOf(page.body);
      const listed = await documentsAs(adminKey, '?sort=newest');
      expect(rows).toHaveLength(listed.length);
      const row850 = rows[listed.findIndex((d) => d.id === the850.id)];
      expect(row850).toEqual([
        expect.any(String),
        'Acme',
        'in',
        '850 Purchase Order',
        'ISA13 000000101',
        'accepted, we sent 997',
        `order ${the850.orderIds?.[0]?.slice(0, 8)}`,
      ]);
      expect(page.body).toContain(`href="/console/orders/${the850.orderIds?.[0]}"`);
      expect(page.body).toContain(`href="/console/orders/${theJson.orderId}"`);
      expect(page.body).toContain(`href="/console/documents/${the850.id}"`);
      const rowCxml = rows[listed.findIndex((d) => d.id === theCxml.id)];
      expect(rowCxml?.slice(1, 5)).toEqual(['Prominate &lt;Buyer&gt;', 'in', 'cXML OrderRequest', expect.stringContaining('payloadID')]);
    });

    it('pages fifty at a time, newest first, with a next-page link', async () => {
      const many = await t.partner('Many');
      for (let i = 1; i <= 51; i++) {
        const posted = await t.request({
          method: 'POST',
          url: '/v1/orders',
          key: many.key,
          headers: { 'idempotency-key': `many-${i}` },
          payload: { ...sampleOrder, externalRef: `PO-MANY-${i}` },
        });
        expect(posted.statusCode).toBe(201);
      }
      const first = await admin.get(`/console/documents?partnerId=${many.id}`);
      expect(rowsOf(first.body)).toHaveLength(50);
      const next = /<a href="([^"]+)" rel="next">Next page<\/a>/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
      expect(next).toContain(`partnerId=${many.id}`);
      const second = await admin.get(next ?? '');
      expect(rowsOf(second.body)).toHaveLength(1);
      expect(second.body).not.toContain('rel="next"');
      const newest = await documentsAs(adminKey, `?partnerId=${many.id}&sort=newest&limit=51`);
      expect(second.body).toContain(`href="/console/documents/${newest[50]?.id}"`);
      expect(first.body).toContain(`href="/console/documents/${newest[0]?.id}"`);
    });

    it('filters by direction and type', async () => {
      const outbound = rowsOf((await admin.get('/console/documents?direction=outbound')).body);
      expect(outbound.map((row) => row[2])).toEqual(outbound.map(() => 'out'));
      const only850 = rowsOf((await admin.get('/console/documents?type=850')).body);
      expect(only850.map((row) => row[3])).toEqual(['850 Purchase Order']);
    });

    it('shows a partner only its own documents, and no partner column', async () => {
      const partner = await consoleSession(t, buyer.key);
      const page = await partner.get('/console/documents');
      expect(page.statusCode).toBe(200);
      const rows = rowsOf(page.body);
      expect(rows).toHaveLength(1);
      expect(rows[0]?.[2]).toBe('cXML OrderRequest');
      expect(page.body).not.toContain(the850.id);
      const notHers = await partner.get(`/console/documents/${the850.id}`);
      expect(notHers.statusCode).toBe(404);
      expect(notHers.body).not.toContain('BEG');
    });
  });

  describe('/console/documents/:id', () => {
    it('shows an X12 850 one segment per line, each with its 4010 name', async () => {
      const page = await admin.get(`/console/documents/${the850.id}`);
      expect(page.statusCode).toBe(200);
      const rows = rowsOf(page.body);
      expect(rows).toHaveLength(bundle.trim().split('\n').length);
      expect(rows[0]?.slice(0, 2)).toEqual(['ISA', 'Interchange Control Header']);
      expect(rows[0]?.[2]).toBe(bundle.split('\n')[0]?.replace('>', '&gt;'));
      expect(rows.find((r) => r[0] === 'BEG')).toEqual(['BEG', 'Beginning Segment for Purchase Order', 'BEG*00*SA*PO-7001**20261127~']);
      expect(rows.filter((r) => r[0] === 'PO1').map((r) => r[1])).toEqual(['Baseline Item Data', 'Baseline Item Data']);
      expect(rows.at(-1)?.slice(0, 2)).toEqual(['IEA', 'Interchange Control Trailer']);
      expect(page.body).toContain(`href="/v1/documents/${the850.id}" download`);
      expect(page.body).toContain(`href="/console/documents/${the997.id}"`);
    });

    it('shows our 997 with the names of the acknowledgment segments', async () => {
      const rows = rowsOf((await admin.get(`/console/documents/${the997.id}`)).body);
      expect(rows.find((r) => r[0] === 'AK1')?.[1]).toBe('Functional Group Response Header');
      expect(rows.find((r) => r[0] === 'AK9')?.[1]).toBe('Functional Group Response Trailer');
    });

    it('indents a cXML document and shows no shared secret: it was redacted before it was stored', async () => {
      const stored = await t.request({ method: 'GET', url: `/v1/documents/${theCxml.id}`, key: adminKey });
      expect(stored.body).not.toContain(secret);
      const page = await admin.get(`/console/documents/${theCxml.id}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain(secret);
      expect(page.body).toContain('<SharedSecret>[redacted]</SharedSecret>'.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
      expect(page.body).toMatch(/\n {2}&lt;Header&gt;\n {4}&lt;From&gt;\n/);
    });

    it('pretty-prints a JSON order and escapes what it holds', async () => {
      const page = await admin.get(`/console/documents/${theJson.id}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain('<script>alert(1)</script>');
      expect(page.body).not.toContain('<b>Sons</b>');
      expect(page.body).toContain('&quot;externalRef&quot;: &quot;PO-&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
      expect(page.body).toMatch(/\n {2}&quot;buyer&quot;: \{\n {4}&quot;name&quot;: &quot;Acme &amp; &lt;b&gt;Sons&lt;\/b&gt;&quot;/);
    });

    it('shows the first 2,000 segments of a big interchange, says so, and links the whole download', async () => {
      const lines = Array.from({ length: 2_100 }, (_, i) => `PO1*${i + 1}*1*EA*49.5**VN*MODEM-X1~\n`).join('');
      const big = bundle
        .replace(/\*000000101\*0\*P/, '*000000102*0*P')
        .replace('IEA*1*000000101', 'IEA*1*000000102')
        .replace('PO-7001', 'PO-BIG')
        .replace(/PO1\*1\*[\s\S]*CTT\*2~/, `${lines}CTT*2100~`)
        .replace('AMT*TT*158.99~\n', '')
        .replace('SE*17*0001', `SE*${2_100 + 7}*0001`);
      const posted = await t.request({
        method: 'POST',
        url: '/v1/x12',
        key: acme.key,
        headers: { 'content-type': 'application/edi-x12' },
        payload: big,
      });
      expect(posted.statusCode, posted.body).toBe(200);
      const [stored] = await documentsAs(adminKey, '?sort=newest&type=850&limit=1');
      const page = await admin.get(`/console/documents/${stored?.id}`);
      expect(page.statusCode).toBe(200);
      const rows = rowsOf(page.body);
      expect(rows).toHaveLength(2_000);
      expect(rows.at(-1)?.[2]).toBe('PO1*1991*1*EA*49.5**VN*MODEM-X1~');
      expect(page.body).toContain('the first 2000 segments (or 1 MB) are shown');
      expect(page.body).toContain(`<a href="/v1/documents/${stored?.id}" download>Download the whole document</a>`);
    });

    it('answers 404 for a document that does not exist', async () => {
      const page = await admin.get('/console/documents/00000000-0000-4000-8000-000000000000');
      expect(page.statusCode).toBe(404);
      expect(page.body).toContain('No such document');
    });
  });
});
