import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test/support/app.ts';
import { validateAgainstDtd } from '../test/support/dtd.ts';

// Issue 12, findings 2 and 5 for cXML: a sender is authenticated from the Header alone, before
// the rest of the body is read; the body is held to the limits (406 naming the one exceeded)
// before it is parsed, so that no document keeps the server busy for seconds; answers stay small
// whatever was sent; markup inside CDATA is data; identifiers that are stored or indexed are
// refused (400 naming them) when longer than the database and the other channels take.

const composite = readFileSync(new URL('../adapters/cxml/fixtures/composite-OrderRequest.xml', import.meta.url), 'utf8');

const statusOf = (xml: string) => {
  const match = /<Status code="(\d+)" text="([^"]*)">([^<]*)<\/Status>/.exec(xml);
  return match === null ? undefined : { code: Number(match[1]), text: match[2], detail: match[3] };
};

let sequence = 0;
/** The composite fixture under a payloadID of its own, changed by `change`. */
const documentWith = (change: (xml: string) => string = (x) => x) =>
  change(composite.replace('1700000000.4711@buyer.example', `limits-${process.pid}-${++sequence}@buyer.example`));
const wrongSecret = (xml: string) => xml.replace('<SharedSecret>s3cret-for-tests</SharedSecret>', '<SharedSecret>not-it</SharedSecret>');
const manyAttributes = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}="x"`).join('');
/** Random hex: a long identifier that does not compress (a PostgreSQL index row holds about 2.7 KB). */
const longId = (length: number) =>
  randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);

describe('POST /v1/cxml: limits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('postgres', { bodyLimitBytes: 5 * 1024 * 1024 });
    await t.partner('Buyer', { cxml: { fromDomain: 'NetworkID', fromIdentity: 'AN01000000001', sharedSecret: 's3cret-for-tests' } });
  });
  afterAll(async () => t?.close());

  const send = async (xml: string) => {
    const started = performance.now();
    const res = await t.request({ method: 'POST', url: '/v1/cxml', headers: { 'content-type': 'text/xml' }, payload: xml });
    return { res, ms: performance.now() - started, status: statusOf(res.body) };
  };
  const documentCount = async () => Number((await t.database.db('documents').count({ n: '*' }).first())?.n);

  it('refuses 200,000 attributes on one element quickly, 406 naming the limit, storing nothing', async () => {
    const before = await documentCount();
    const { res, ms, status } = await send(documentWith((x) => x.replace('<OrderRequest>', `<OrderRequest${manyAttributes(200_000)}>`)));
    expect(res.statusCode).toBe(406);
    expect(status).toMatchObject({ code: 406, detail: expect.stringContaining('limit attributes-per-element (256) exceeded') });
    expect(ms).toBeLessThan(3_000); // it took 6-13 s, and was then accepted
    expect(await documentCount()).toBe(before);
  });

  it('refuses a 4.5 MB attribute value with 406 naming the limit, not 500', async () => {
    const { res, status } = await send(
      documentWith((x) => x.replace('orderVersion="1"', `orderVersion="1" note="${'x'.repeat(4_500_000)}"`)),
    );
    expect(res.statusCode).toBe(406);
    expect(status?.detail).toContain('limit attribute-length (65536) exceeded');
  });

  it('answers an unclosed 200,000-deep nesting with a small body (its tag stack was echoed: 3.6 MB)', async () => {
    const xml = documentWith();
    const { res, status } = await send(xml.slice(0, xml.indexOf('<OrderRequest>') + '<OrderRequest>'.length) + '<a>'.repeat(200_000));
    expect(res.statusCode).toBe(406);
    expect(res.body.length).toBeLessThan(4_096);
    expect(status?.detail).toContain('limit depth (64) exceeded');
    expect(validateAgainstDtd(res.body, 'cXML.dtd')).toEqual({ valid: true, errors: [] });
  });

  it('cuts a long Status text: 2,000 findings are not 2,000 lines of answer', async () => {
    const item = (n: number) => `<ItemOut lineNumber="${n}"><ItemID><SupplierPartID>MODEM-X1</SupplierPartID></ItemID></ItemOut>`;
    const { res, status } = await send(
      documentWith((x) => x.replace(/<ItemOut[\s\S]*<\/ItemOut>/, Array.from({ length: 2_000 }, (_, i) => item(i + 1)).join(''))),
    );
    expect(res.statusCode).toBe(406);
    expect(status?.detail).toMatch(/^ItemOut\[1\] needs the quantity attribute; ItemOut\[2\] needs/);
    expect(status?.detail).toMatch(/…$/);
    expect(res.body.length).toBeLessThan(4_096);
    expect(validateAgainstDtd(res.body, 'cXML.dtd')).toEqual({ valid: true, errors: [] });
  });

  it('accepts `<!ENTITY` inside CDATA, a comment and an attribute value: data, not a declaration', async () => {
    const { res, status } = await send(
      documentWith((x) =>
        x
          .replace('Cable modem', 'Cable modem <![CDATA[<!ENTITY x SYSTEM "file:///etc/passwd">]]>')
          .replace('<ItemOut quantity="2"', '<!-- <!ENTITY y "z"> --><ItemOut quantity="2"')
          .replace('<Extrinsic name="CostCenter">', '<Extrinsic name="&lt;!ENTITY">'),
      ),
    );
    expect(status?.detail).toMatch(/^order PO-9001 accepted/);
    expect(res.statusCode).toBe(200);
  });

  it('refuses a wrong shared secret 401 from the Header alone, even when the rest is over the limits and not well-formed', async () => {
    const { res, ms, status } = await send(
      wrongSecret(documentWith((x) => x.replace('<OrderRequest>', `<OrderRequest${manyAttributes(200_000)}>`).replace('</ItemOut>', ''))),
    );
    expect(res.statusCode).toBe(401);
    expect(status).toMatchObject({ code: 401, detail: 'unknown sender or wrong shared secret' });
    expect(ms).toBeLessThan(3_000);
    const cut = await send(wrongSecret(documentWith((x) => x.replace('</ItemOut>', '').replace('</Request>', '<!ENTITY x "y">'))));
    expect(cut.res.statusCode).toBe(401);
  });

  it.each([
    ['cXML@payloadID', (x: string) => x.replace(/payloadID="[^"]+"/, `payloadID="${longId(3_000)}"`), 'at most 255'],
    ['OrderRequestHeader@orderID', (x: string) => x.replace('orderID="PO-9001"', `orderID="${longId(3_000)}"`), 'at most 80'],
    ['OrderRequestHeader@orderVersion', (x: string) => x.replace('orderVersion="1"', `orderVersion="${longId(41)}"`), 'at most 40'],
    ['ItemOut[1]@lineNumber', (x: string) => x.replace('lineNumber="1"', `lineNumber="${longId(3_000)}"`), 'at most 40'],
    [
      'ItemOut[3]@parentLineNumber',
      (x: string) => x.replace('parentLineNumber="2" itemType', `parentLineNumber="${longId(41)}" itemType`),
      'at most 40',
    ],
    ['ItemOut[1]/ItemID/SupplierPartID', (x: string) => x.replace('>MODEM-X1<', `>${longId(3_000)}<`), 'at most 100'],
    ['ItemOut[2]/ItemID/BuyerPartID', (x: string) => x.replace('>NET100<', `>${longId(101)}<`), 'at most 100'],
    [
      'ItemOut[1]/ItemDetail/UnitOfMeasure',
      (x: string) => x.replace('<UnitOfMeasure>EA</UnitOfMeasure>', `<UnitOfMeasure>${longId(11)}</UnitOfMeasure>`),
      'at most 10',
    ],
    [
      'OrderRequestHeader/ShipTo/Address@addressID',
      (x: string) => x.replace('addressID="DC-01"', `addressID="${longId(3_000)}"`),
      'at most 80',
    ],
    [
      'Header/From/Credential[1]/Identity',
      (x: string) =>
        x.replace(
          '<From><Credential domain="NetworkID"><Identity>AN01000000001<',
          `<From><Credential domain="NetworkID"><Identity>${longId(3_000)}<`,
        ),
      'at most 200',
    ],
  ])('a %s too long → 400 naming it and the limit', async (element, change, limit) => {
    const { res, status } = await send(documentWith(change));
    expect(res.statusCode).toBe(400);
    expect(status).toMatchObject({ code: 400, detail: expect.stringContaining(element) });
    expect(status?.detail).toContain(limit);
  });

  it('accepts identifiers exactly as long as the limits', async () => {
    const orderId = `PO-${longId(77)}`;
    const { res, status } = await send(
      documentWith((x) =>
        x
          .replace('orderID="PO-9001"', `orderID="${orderId}"`)
          .replace(/payloadID="[^"]+"/, `payloadID="${longId(255)}"`)
          .replace('lineNumber="1"', `lineNumber="${'1'.repeat(40)}"`)
          .replace('>MODEM-X1<', `>${'M'.repeat(100)}<`),
      ),
    );
    expect(status?.detail).toContain(`order ${orderId} accepted`);
    expect(res.statusCode).toBe(200);
  });
});
