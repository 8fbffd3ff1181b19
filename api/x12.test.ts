import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { startTestApp, type TestApp } from '../test/support/app.ts';

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const identity = { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };

const segments = (text: string) => tokenize(text).flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, ...e.segment.elements]] : []));
const find = (text: string, tag: string) => segments(text).filter((s) => s[0] === tag);

/** The bundle interchange with other control numbers and, optionally, other content. */
function variant(isa13: string, { gs06 = '101', po = 'PO-7001', st02 = '0001' } = {}): string {
  return bundle
    .replace(/\*000000101\*0\*P/, `*${isa13}*0*P`)
    .replace(/IEA\*1\*000000101/, `IEA*1*${isa13}`)
    .replace(/\*1200\*101\*X/, `*1200*${gs06}*X`)
    .replace(/GE\*1\*101/, `GE*1*${gs06}`)
    .replace('PO-7001', po)
    .replace(/ST\*850\*0001/, `ST*850*${st02}`)
    .replace(/SE\*17\*0001/, `SE*17*${st02}`);
}

describe('POST /v1/x12', () => {
  let t: TestApp;
  let acme: { id: string; key: string };

  beforeAll(async () => {
    t = await startTestApp('postgres');
    acme = await t.partner('Acme', { x12: identity });
  });
  afterAll(async () => t?.close());

  const send = (body: string | Buffer, key = acme.key, contentType = 'application/edi-x12') =>
    t.request({ method: 'POST', url: '/v1/x12', key, headers: { 'content-type': contentType }, payload: body });

  it('accepts an 850 with a bundle, answers a 997, and stores the order with its components', async () => {
    const res = await send(bundle);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/edi-x12');
    expect(find(res.body, 'AK5')).toEqual([['AK5', 'A']]);
    expect(find(res.body, 'AK9')).toEqual([['AK9', 'A', '1', '1', '1']]);
    // Addressed back to the partner, from us.
    expect(
      find(res.body, 'ISA')[0]
        ?.slice(5, 9)
        .map((v) => v.trim()),
    ).toEqual(['ZZ', 'ORDERGATE', 'ZZ', 'ACMEBUYER']);

    const list = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-7001', key: acme.key })).json();
    expect(list.orders).toHaveLength(1);
    const order = list.orders[0];
    expect(order).toMatchObject({
      channel: 'x12',
      externalRef: 'PO-7001',
      orderDate: '2026-11-27',
      currency: 'USD',
      requestedDeliveryDate: '2026-12-15',
      totals: { amount: 158.99 },
    });
    expect(order.envelope).toMatchObject({ isaControlNumber: '000000101', gsControlNumber: '101', stControlNumber: '0001' });
    const parent = order.lines[1];
    expect(parent).toMatchObject({ lineNumber: '2', sku: 'INTERNET-100', identifiers: { buyerPart: 'NET100' }, bundleLineNumber: '2' });
    expect(parent.components.map((c: { lineNumber: string; sku: string }) => [c.lineNumber, c.sku])).toEqual([
      ['2.1', 'MODEM-X1'],
      ['2.2', 'PORT-ACT'],
      ['2.3', 'TRUCK-ROLL'],
    ]);
  });

  it('answers the same interchange again with the first acknowledgment and stores nothing new', async () => {
    const first = await send(variant('000000201', { gs06: '201', po: 'PO-DUP' }));
    const again = await send(variant('000000201', { gs06: '201', po: 'PO-DUP' }));
    expect(again.body).toBe(first.body);
    // The same content with other delimiters is the same interchange.
    const pipes = variant('000000201', { gs06: '201', po: 'PO-DUP' }).replace(/\*/g, '|').replace('|P|>~', '|P|:~');
    expect((await send(pipes)).body).toBe(first.body);
    const list = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-DUP', key: acme.key })).json();
    expect(list.orders).toHaveLength(1);
  });

  it('refuses the same ISA13 with other content with TA1 025', async () => {
    await send(variant('000000301', { gs06: '301', po: 'PO-301' }));
    const res = await send(variant('000000301', { gs06: '302', po: 'PO-302' }));
    expect(find(res.body, 'TA1')).toEqual([['TA1', '000000301', '261127', '1200', 'R', '025']]);
    expect(find(res.body, 'AK1')).toEqual([]);
    const list = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-302', key: acme.key })).json();
    expect(list.orders).toEqual([]);
  });

  it('takes a set resent in a new interchange (same GS06/ST02) as the one already stored', async () => {
    await send(variant('000000401', { gs06: '401', po: 'PO-401' }));
    const res = await send(variant('000000402', { gs06: '401', po: 'PO-401' }));
    expect(find(res.body, 'AK5')).toEqual([['AK5', 'A']]);
    const list = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-401', key: acme.key })).json();
    expect(list.orders).toHaveLength(1);
  });

  it('refuses a set whose GS06/ST02 came before with other content (AK5 R 23)', async () => {
    await send(variant('000000451', { gs06: '451', po: 'PO-451' }));
    const res = await send(variant('000000452', { gs06: '451', po: 'PO-452' }));
    expect(find(res.body, 'AK5')).toEqual([['AK5', 'R', '23']]);
    expect(find(res.body, 'AK9')).toEqual([['AK9', 'R', '1', '1', '0']]);
    expect((await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-452', key: acme.key })).json().orders).toEqual([]);
  });

  it('stores a reused PO number under new control numbers as a new order flagged as a possible duplicate', async () => {
    await send(variant('000000501', { gs06: '501', po: 'PO-501' }));
    await send(variant('000000502', { gs06: '502', po: 'PO-501' }));
    const list = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-501', key: acme.key })).json();
    expect(list.orders).toHaveLength(2);
    const events = (await t.request({ method: 'GET', url: `/v1/orders/${list.orders[1].id}/events`, key: acme.key })).json().events;
    expect(events[0].detail.possibleDuplicateOf).toEqual([list.orders[0].id]);
  });

  it('names at most the 10 oldest orders under a reused PO number, and counts them all', async () => {
    for (let n = 0; n < 12; n++) await send(variant(`0000005${String(20 + n)}`, { gs06: `5${20 + n}`, po: 'PO-REUSED' }));
    const list = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-REUSED&limit=100', key: acme.key })).json();
    expect(list.orders).toHaveLength(12);
    const oldestFirst: { id: string; createdAt: string }[] = [...list.orders].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const last = oldestFirst[11] as { id: string };
    const events = (await t.request({ method: 'GET', url: `/v1/orders/${last.id}/events`, key: acme.key })).json().events;
    expect(events[0].detail.possibleDuplicateOf).toEqual(oldestFirst.slice(0, 10).map((o) => o.id));
    expect(events[0].detail.possibleDuplicates).toBe(11);
  });

  it('within one interchange, takes a set repeated as the one before, refuses a set number reused (23), and flags a reused PO', async () => {
    const set = (st02: string, po: string) =>
      `ST*850*${st02}~BEG*00*SA*${po}**20261127~CUR*BY*USD~PO1*1*2*EA*49.5**VN*MODEM-X1~CTT*1~SE*6*${st02}~`;
    const body =
      'ISA*00*          *00*          *ZZ*ACMEBUYER      *ZZ*ORDERGATE      *261127*1200*U*00401*000000551*0*P*>~' +
      'GS*PO*ACMEBUYER*ORDERGATE*20261127*1200*551*X*004010~' +
      `${set('0001', 'PO-551')}${set('0002', 'PO-551')}${set('0001', 'PO-551')}${set('0001', 'PO-552')}` +
      'GE*4*551~IEA*1*000000551~';
    const res = await send(body);
    expect(find(res.body, 'AK5')).toEqual([
      ['AK5', 'A'],
      ['AK5', 'A'],
      ['AK5', 'A'],
      ['AK5', 'R', '23'],
    ]);
    expect(find(res.body, 'AK9')).toEqual([['AK9', 'P', '4', '4', '3']]);
    const list = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-551', key: acme.key })).json();
    expect(list.orders).toHaveLength(2);
    const [first, second] = [...list.orders].sort((a, b) => a.envelope.stControlNumber.localeCompare(b.envelope.stControlNumber));
    const events = (await t.request({ method: 'GET', url: `/v1/orders/${second.id}/events`, key: acme.key })).json().events;
    expect(events[0].detail.possibleDuplicateOf).toEqual([first.id]);
    expect((await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-552', key: acme.key })).json().orders).toEqual([]);
  });

  it('answers an interchange of 1,000 sets each with another unknown ST01 (the stored document names at most ten kinds)', async () => {
    const [head, rest] = variant('000000777', { gs06: '777' }).split(/(?=ST\*850)/);
    const [set, tail] = (rest ?? '').split(/(?<=SE\*17\*0001~\s*)/);
    const sets = Array.from({ length: 1_000 }, (_, i) =>
      (set ?? '')
        .replace('ST*850*0001', `ST*${9000 + i}*${String(i + 1).padStart(4, '0')}`)
        .replace('SE*17*0001', `SE*17*${String(i + 1).padStart(4, '0')}`),
    );
    const res = await send(`${head}${sets.join('')}${(tail ?? '').replace('GE*1*777', 'GE*1000*777')}`);
    expect(res.statusCode).toBe(200);
    expect(find(res.body, 'AK2')).toHaveLength(1_000);
    expect(find(res.body, 'AK9')[0]?.slice(1, 5)).toEqual(['R', '1000', '1000', '0']);
    const stored = await t.database
      .db('documents')
      .where({ direction: 'inbound', partner_id: acme.id })
      .orderBy('created_at', 'desc')
      .first();
    expect(stored.type).toBe('ISA');
  });

  it('refuses an interchange from another sender (TA1 006) or to another receiver (TA1 009), storing nothing', async () => {
    const otherSender = variant('000000601', { gs06: '601', po: 'PO-601' }).replace('ZZ*ACMEBUYER      ', 'ZZ*SOMEONEELSE    ');
    const res = await send(otherSender);
    expect(find(res.body, 'TA1')[0]?.slice(4)).toEqual(['R', '006']);
    const otherReceiver = variant('000000602', { gs06: '602', po: 'PO-602' }).replace('ZZ*ORDERGATE      ', 'ZZ*NOTUS          ');
    expect(find((await send(otherReceiver)).body, 'TA1')[0]?.slice(4)).toEqual(['R', '009']);
    for (const po of ['PO-601', 'PO-602']) {
      expect((await t.request({ method: 'GET', url: `/v1/orders?externalRef=${po}`, key: acme.key })).json().orders).toEqual([]);
    }
    // A refused interchange does not use up its control number: fixed and resent, it is accepted.
    expect(find((await send(variant('000000601', { gs06: '601', po: 'PO-601' }))).body, 'AK5')).toEqual([['AK5', 'A']]);
  });

  /** Rows of the partner's documents, and the last ISA control number taken for it. */
  const stored = async () => {
    const count = await t.database.db('documents').where({ partner_id: acme.id }).count({ n: '*' });
    const isa = await t.database.db('control_numbers').where({ partner_id: acme.id, kind: 'isa' }).first('last');
    return { documents: Number(count[0]?.n), isaControl: Number(isa?.last ?? 0) };
  };

  it('answers a refused interchange resent (same bytes) with the first answer, storing nothing and taking no control number', async () => {
    const refused = variant('000000651', { gs06: '651', po: 'PO-651' }).replace('ZZ*ACMEBUYER      ', 'ZZ*SOMEONEELSE    ');
    const before = await stored();
    const first = await send(refused);
    expect(find(first.body, 'TA1')[0]?.slice(4)).toEqual(['R', '006']);
    const afterFirst = await stored();
    // One inbound document (the interchange, with its findings) and one outbound (the TA1).
    expect(afterFirst).toEqual({ documents: before.documents + 2, isaControl: before.isaControl + 1 });

    const again = await send(refused);
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    expect(await stored()).toEqual(afterFirst);

    // Another interchange under the same (bad) ISA13 gets its own answer.
    const other = await send(refused.replace('PO-651', 'PO-652'));
    expect(find(other.body, 'TA1')[0]?.slice(4)).toEqual(['R', '006']);
    expect(other.body).not.toBe(first.body);
    expect(await stored()).toEqual({ documents: afterFirst.documents + 2, isaControl: afterFirst.isaControl + 1 });
  });

  it('answers an ISA13 reused with other content (TA1 025) resent with the first refusal, storing nothing', async () => {
    await send(variant('000000661', { gs06: '661', po: 'PO-661' }));
    const reused = variant('000000661', { gs06: '662', po: 'PO-662' });
    const first = await send(reused);
    expect(find(first.body, 'TA1')[0]?.slice(4)).toEqual(['R', '025']);
    const afterFirst = await stored();
    const again = await send(reused);
    expect(again.body).toBe(first.body);
    expect(await stored()).toEqual(afterFirst);
  });

  it('rejects a bad set with a precise 997 and keeps the findings with the document', async () => {
    const bad = variant('000000701', { gs06: '701', po: 'PO-701' }).replace('PO1*1*2*EA', 'PO1*1*2*EAX');
    const res = await send(bad);
    expect(find(res.body, 'AK3')).toEqual([['AK3', 'PO1', '8', '', '8']]);
    expect(find(res.body, 'AK4')).toEqual([['AK4', '3', '', '5', 'EAX']]);
    expect(find(res.body, 'AK5')).toEqual([['AK5', 'R', '5']]);
    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=inbound&type=850', key: acme.key })).json().documents;
    const stored = docs.find((d: { control: { isaControlNumber: string } }) => d.control.isaControlNumber === '000000701');
    expect(stored.findings.groups[0].sets[0].segmentErrors[0]).toMatchObject({
      tag: 'PO1',
      position: 8,
      code: '8',
      elements: [{ position: 3, code: '5', value: 'EAX' }],
    });
    // The document is the interchange as it came, byte for byte.
    expect((await t.request({ method: 'GET', url: `/v1/documents/${stored.id}`, key: acme.key })).body).toBe(bad);
  });

  it("keeps every acknowledgment in the partner's mailbox, with gap-free control numbers", async () => {
    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound&type=997', key: acme.key })).json().documents;
    expect(docs.length).toBeGreaterThan(3);
    const controls = docs.map((d: { control: { isaControlNumber: string } }) => Number(d.control.isaControlNumber));
    const all = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key: acme.key })).json().documents;
    const allControls = all.map((d: { control: { isaControlNumber: string } }) => Number(d.control.isaControlNumber));
    expect(allControls).toEqual(allControls.map((_: number, i: number) => i + 1));
    expect(controls.every((c: number) => allControls.includes(c))).toBe(true);
    const body = await t.request({ method: 'GET', url: `/v1/documents/${docs[0].id}`, key: acme.key });
    expect(body.headers['content-type']).toContain('application/edi-x12');
    expect(body.body.startsWith('ISA*')).toBe(true);
    // Another partner sees none of it.
    const other = await t.partner('Other');
    expect((await t.request({ method: 'GET', url: '/v1/documents', key: other.key })).json().documents).toEqual([]);
    expect((await t.request({ method: 'GET', url: `/v1/documents/${docs[0].id}`, key: other.key })).statusCode).toBe(404);
  });

  it('answers garbage with a problem naming where and why, and a partner without X12 identity with 403', async () => {
    const garbage = await send(Buffer.from([0xc9, 0xe2, 0xc1, 0x5c, 0xf0, 0xf0, 0x00, 0xff]));
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json()).toMatchObject({ code: 'x12-unreadable' });
    expect(garbage.json().detail).toContain('at byte 0');
    expect((await send('')).statusCode).toBe(400);
    const plain = await t.partner('NoX12');
    const res = await send(bundle, plain.key);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('no-x12-identity');
    expect((await send(bundle, acme.key, 'text/plain')).statusCode).toBe(200);
  });

  it('refuses a second partner with the same ISA identity', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/v1/partners',
      key: 'test-admin-key-0123456789abcdef',
      payload: { name: 'Clone', x12: identity },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'identity-in-use', errors: [{ pointer: '/x12/id' }] });
  });
});
