import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { adminKey, startTestApp, type TestApp } from './support/app.ts';
import { answerMailboxes, completePersonTasks } from './support/fulfillment.ts';

// Items the partner names its own way, end to end on the real PostgreSQL: resolved through the
// partner's cross-references and the catalog's codes, or held (and resumed), or refused line by line.

const segments = (text: string): string[][] =>
  tokenize(text).flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, ...e.segment.elements]] : []));

/** An 850 interchange from `sender` with the given PO1 lines (PO1*n*qty*EA*price** then the id pairs). */
function interchange(sender: string, control: number, po: string, lines: string[]): string {
  const isa13 = String(control).padStart(9, '0');
  const body = [
    `ST*850*0001`,
    `BEG*00*SA*${po}**20261201`,
    ...lines.flatMap((ids, index) => [`PO1*${index + 1}*2*EA*10**${ids}`]),
    `CTT*${lines.length}`,
  ];
  return [
    `ISA*00*          *00*          *ZZ*${sender.padEnd(15)}*ZZ*ORDERGATE      *261201*1200*U*00401*${isa13}*0*P*>`,
    `GS*PO*${sender}*ORDERGATE*20261201*1200*${control}*X*004010`,
    ...body,
    `SE*${body.length + 1}*0001`,
    `GE*1*${control}`,
    `IEA*1*${isa13}`,
  ]
    .map((segment) => `${segment}~`)
    .join('\n');
}

describe('items named the partner’s way', () => {
  let t: TestApp;
  let control = 100;

  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  async function x12Partner(sender: string) {
    return t.partner(sender, { x12: { qualifier: 'ZZ', id: sender, ourQualifier: 'ZZ', ourId: 'ORDERGATE' } });
  }

  async function send(partner: { key: string }, sender: string, po: string, lines: string[]) {
    control += 1;
    const res = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key: partner.key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: interchange(sender, control, po, lines),
    });
    expect(res.statusCode, res.body).toBe(200);
    // Whatever happens to the items, the set itself is good X12: accepted.
    expect(segments(res.body).filter((s) => s[0] === 'AK5')).toEqual([['AK5', 'A']]);
    const orders = (await t.request({ method: 'GET', url: `/v1/orders?externalRef=${po}`, key: partner.key })).json().orders;
    expect(orders).toHaveLength(1);
    return orders[0] as { id: string; status: string; lines: { lineNumber: string; sku?: string; status: string }[] };
  }

  const history = async (orderId: string) =>
    (await t.request({ method: 'GET', url: `/v1/orders/${orderId}/events`, key: adminKey })).json().events as {
      cause: string;
      to: string;
      detail: Record<string, unknown>;
    }[];
  const outbox = (orderId: string, type: string) =>
    t.database.db('outbox').where({ correlation_id: orderId, type }).pluck('payload') as Promise<Record<string, unknown>[]>;
  const tasks = async (orderId: string) =>
    (await t.database.db('tasks').where({ order_id: orderId }).count<{ count: string }[]>('* as count'))[0]?.count;
  const addReferences = (partnerId: string, references: { partnerItem: string; sku: string }[]) =>
    t.request({ method: 'POST', url: `/v1/partners/${partnerId}/item-references`, key: adminKey, payload: { references } });

  it("resolves a buyer part number through the partner's cross-reference and a UPC through the catalog, and plans the order", async () => {
    const partner = await x12Partner('XREFBUYER');
    expect((await addReferences(partner.id, [{ partnerItem: 'BUY-1', sku: 'INTERNET-100' }])).statusCode).toBe(200);
    const order = await send(partner, 'XREFBUYER', 'PO-XR-1', ['BP*BUY-1', 'UP*614141000012', 'IN*X*EN*0614141000029']);
    expect(order.status).toBe('decomposed');
    expect(order.lines.map((line) => [line.lineNumber, line.sku])).toEqual([
      ['1', 'INTERNET-100'],
      ['2', 'MODEM-X1'],
      ['3', 'PORT-ACT'],
    ]);
    const [received] = await history(order.id);
    expect(received?.detail.resolvedItems).toEqual([
      { lineNumber: '1', sku: 'INTERNET-100', via: 'partner:buyerPart', value: 'BUY-1' },
      { lineNumber: '2', sku: 'MODEM-X1', via: 'catalog:upc', value: '614141000012' },
      { lineNumber: '3', sku: 'PORT-ACT', via: 'catalog:ean', value: '0614141000029' },
    ]);
    expect(Number(await tasks(order.id))).toBeGreaterThan(0);
  });

  it('holds an order whose items do not resolve, names the lines, and resumes it when the cross-reference is added', async () => {
    const partner = await x12Partner('HOLDBUYER');
    const order = await send(partner, 'HOLDBUYER', 'PO-HOLD-1', ['VN*MODEM-X1', 'BP*UNKNOWN-7*UP*012345678905', 'CB*CAT-9']);
    expect(order.status).toBe('held');
    expect(Number(await tasks(order.id))).toBe(0);
    const held = (await history(order.id)).find((event) => event.cause === 'order.held');
    expect(held).toMatchObject({ to: 'held', detail: { reason: 'unresolved-items' } });
    const lines = [
      {
        lineNumber: '2',
        identifiers: { buyerPart: 'UNKNOWN-7', upc: '012345678905' },
        detail: "line 2: none of buyerPart UNKNOWN-7, upc 012345678905 is in the partner's cross-references or the catalog",
      },
      {
        lineNumber: '3',
        identifiers: { buyerCatalog: 'CAT-9' },
        detail: "line 3: none of buyerCatalog CAT-9 is in the partner's cross-references or the catalog",
      },
    ];
    expect(held?.detail.lines).toEqual(lines);
    expect(await outbox(order.id, 'order.held.v1')).toEqual([
      { orderId: order.id, partnerId: partner.id, externalRef: 'PO-HOLD-1', reason: 'unresolved-items', lines },
    ]);

    // One of two: still held, nothing planned.
    const half = await addReferences(partner.id, [{ partnerItem: 'UNKNOWN-7', sku: 'MODEM-X1' }]);
    expect(half.json()).toEqual({ stored: 1, resumed: [], stillHeld: 1 });
    expect((await t.request({ method: 'GET', url: `/v1/orders/${order.id}`, key: partner.key })).json().status).toBe('held');

    const all = await addReferences(partner.id, [{ partnerItem: 'CAT-9', sku: 'PORT-ACT' }]);
    expect(all.json()).toEqual({ stored: 1, resumed: [order.id], stillHeld: 0 });
    const resumed = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}`, key: partner.key })).json();
    expect(resumed.status).toBe('decomposed');
    expect(resumed.lines.map((line: { sku: string }) => line.sku)).toEqual(['MODEM-X1', 'MODEM-X1', 'PORT-ACT']);
    expect((await history(order.id)).map((event) => event.cause)).toEqual([
      'x12.received',
      'order.held',
      // The held order is an exception for the order desk until its items resolve.
      'approval.level-started',
      'order.items-resolved',
      'approval.resolved',
      'order.decomposed',
    ]);
    expect(await outbox(order.id, 'order.resumed.v1')).toHaveLength(1);
    expect(Number(await tasks(order.id))).toBe(3);
    // Requests went out to the vendors for the resumed order.
    const [requests] = await t.database.db('outbox').where({ correlation_id: order.id, type: 'fulfillment.request.v1' }).count('* as n');
    expect(Number(requests?.n)).toBe(3);
  });

  it('a held order can be cancelled', async () => {
    const partner = await x12Partner('CANCELBUYR');
    const order = await send(partner, 'CANCELBUYR', 'PO-HOLD-C', ['BP*NOBODY-KNOWS']);
    expect(order.status).toBe('held');
    const cancelled = await t.request({ method: 'POST', url: `/v1/orders/${order.id}/cancel`, key: partner.key, payload: {} });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json().status).toBe('cancelled');
  });

  it("tells a partner that chose 'reject' line by line: the 855 has ACK IR for the unresolved line and the rest is fulfilled", async () => {
    const partner = await x12Partner('REJBUYER');
    const patched = await t.request({
      method: 'PATCH',
      url: `/v1/partners/${partner.id}`,
      key: adminKey,
      payload: { unresolvedItems: 'reject' },
    });
    expect(patched.json().unresolvedItems).toBe('reject');
    const order = await send(partner, 'REJBUYER', 'PO-REJ-1', ['VN*MODEM-X1', 'BP*NOT-MAPPED']);
    expect(order.status).toBe('decomposed');
    expect(order.lines.map((line) => [line.lineNumber, line.status])).toEqual([
      ['1', 'open'],
      ['2', 'rejected'],
    ]);
    expect(Number(await tasks(order.id))).toBe(1);

    await answerMailboxes(t);
    await completePersonTasks(t, order.id, partner.key);
    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key: partner.key })).json().documents as {
      id: string;
      type: string;
    }[];
    const ack855 = docs.find((doc) => doc.type === '855');
    expect(ack855).toBeDefined();
    const body = (
      await t.request({ method: 'GET', url: `/v1/documents/${ack855?.id}`, key: partner.key, headers: { accept: 'application/edi-x12' } })
    ).body;
    const all = segments(body);
    // From the partner's side: BAK02 says the order changed, and each line's ACK quantities add up to what it ordered.
    expect(all.find((s) => s[0] === 'BAK')?.[2]).toBe('AC');
    const po1 = all.filter((s) => s[0] === 'PO1').map((s) => [s[1], s[2]]);
    const acks = all.filter((s) => s[0] === 'ACK').map((s) => [s[1], s[2]]);
    expect(po1).toEqual([
      ['1', '2'],
      ['2', '2'],
    ]);
    expect(acks).toEqual([
      ['IA', '2'],
      ['IR', '2'],
    ]);
  });

  it("rejects at once, with an 855 RD, an order none of whose items resolve for a 'reject' partner", async () => {
    const partner = await x12Partner('REJALLBUYR');
    await t.request({ method: 'PATCH', url: `/v1/partners/${partner.id}`, key: adminKey, payload: { unresolvedItems: 'reject' } });
    const order = await send(partner, 'REJALLBUYR', 'PO-REJ-ALL', ['BP*A-1', 'UP*012345678905']);
    expect(order.status).toBe('rejected');
    expect(Number(await tasks(order.id))).toBe(0);
    expect(await outbox(order.id, 'order.rejected.v1')).toHaveLength(1);
    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key: partner.key })).json().documents as {
      id: string;
      type: string;
    }[];
    const ack855 = docs.find((doc) => doc.type === '855');
    const body = (
      await t.request({ method: 'GET', url: `/v1/documents/${ack855?.id}`, key: partner.key, headers: { accept: 'application/edi-x12' } })
    ).body;
    expect(segments(body).find((s) => s[0] === 'BAK')?.[2]).toBe('RD');
    expect(
      segments(body)
        .filter((s) => s[0] === 'ACK')
        .map((s) => [s[1], s[2]]),
    ).toEqual([
      ['IR', '2'],
      ['IR', '2'],
    ]);
  });

  it('resolves a JSON line that carries only identifiers, and holds one that carries nothing known', async () => {
    const shop = await t.partner('JSON shop');
    await addReferences(shop.id, [{ partnerItem: 'SHOP-MODEM', sku: 'MODEM-X1' }]);
    const line = (lineNumber: string, identifiers: Record<string, string>) => ({ lineNumber, quantity: 1, uom: 'EA', identifiers });
    const post = (externalRef: string, lines: unknown[]) =>
      t.request({
        method: 'POST',
        url: '/v1/orders',
        key: shop.key,
        headers: { 'idempotency-key': externalRef },
        payload: { externalRef, orderDate: '2026-12-01', currency: 'USD', lines },
      });
    const resolved = await post('JS-1', [line('1', { buyerPart: 'SHOP-MODEM' }), line('2', { gtin: '00614141000029' })]);
    expect(resolved.statusCode, resolved.body).toBe(201);
    expect(resolved.json()).toMatchObject({ status: 'decomposed' });
    expect(resolved.json().lines.map((l: { sku: string }) => l.sku)).toEqual(['MODEM-X1', 'PORT-ACT']);
    const held = await post('JS-2', [line('1', { buyerPart: 'SHOP-ROUTER' })]);
    expect(held.statusCode).toBe(201);
    expect(held.json().status).toBe('held');
  });

  it('resolves a cXML BuyerPartID through the cross-reference', async () => {
    const buyer = await t.partner('cXML buyer', {
      cxml: { fromDomain: 'NetworkID', fromIdentity: 'AN-XREF-1', sharedSecret: 'xref-shared-secret' },
    });
    await addReferences(buyer.id, [{ partnerItem: 'B-MODEM', sku: 'MODEM-X1' }]);
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.069/cXML.dtd">
<cXML payloadID="xref-1@buyer" timestamp="2026-12-01T10:00:00-05:00">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN-XREF-1</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>ordergate</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>AN-XREF-1</Identity><SharedSecret>xref-shared-secret</SharedSecret></Credential><UserAgent>test</UserAgent></Sender>
  </Header>
  <Request>
    <OrderRequest>
      <OrderRequestHeader orderID="CX-XREF-1" orderDate="2026-12-01T10:00:00-05:00" type="new">
        <Total><Money currency="USD">10.00</Money></Total>
        <BillTo><Address addressID="BT-1"><Name xml:lang="en">Buyer Inc.</Name></Address></BillTo>
      </OrderRequestHeader>
      <ItemOut quantity="1" lineNumber="1">
        <ItemID><SupplierPartID></SupplierPartID><BuyerPartID>B-MODEM</BuyerPartID></ItemID>
        <ItemDetail><UnitPrice><Money currency="USD">10.00</Money></UnitPrice><Description xml:lang="en">Modem</Description><UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">43222609</Classification></ItemDetail>
      </ItemOut>
    </OrderRequest>
  </Request>
</cXML>`;
    const res = await t.request({ method: 'POST', url: '/v1/cxml', headers: { 'content-type': 'text/xml' }, payload: xml });
    expect(res.statusCode, res.body).toBe(200);
    const orders = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=CX-XREF-1', key: buyer.key })).json().orders;
    expect(orders[0]).toMatchObject({ status: 'decomposed', lines: [{ sku: 'MODEM-X1', identifiers: { buyerPart: 'B-MODEM' } }] });
  });

  it('refuses a cross-reference to a SKU the catalog cannot plan only when there is no default plan, and an item number given twice', async () => {
    const partner = await t.partner('Twice');
    const twice = await addReferences(partner.id, [
      { partnerItem: 'A', sku: 'MODEM-X1' },
      { partnerItem: 'A', sku: 'PORT-ACT' },
    ]);
    expect(twice.statusCode).toBe(400);
    expect(twice.json().errors).toEqual([{ in: 'body', pointer: '/references/1/partnerItem', detail: 'also given at /references/0' }]);
    expect((await addReferences('00000000-0000-4000-8000-000000000000', [{ partnerItem: 'A', sku: 'B' }])).statusCode).toBe(404);
  });

  it('lists the cross-references a page at a time, by prefix, and deletes one', async () => {
    const partner = await t.partner('Lister');
    await addReferences(
      partner.id,
      ['P-3', 'P-1', 'Q-1', 'P-2'].map((partnerItem) => ({ partnerItem, sku: 'MODEM-X1' })),
    );
    const first = (
      await t.request({ method: 'GET', url: `/v1/partners/${partner.id}/item-references?prefix=P-&limit=2`, key: adminKey })
    ).json();
    expect(first.references.map((r: { partnerItem: string }) => r.partnerItem)).toEqual(['P-1', 'P-2']);
    const second = (
      await t.request({
        method: 'GET',
        url: `/v1/partners/${partner.id}/item-references?prefix=P-&limit=2&cursor=${first.nextCursor}`,
        key: adminKey,
      })
    ).json();
    expect(second).toEqual({ references: [expect.objectContaining({ partnerItem: 'P-3', sku: 'MODEM-X1' })] });
    expect((await t.request({ method: 'DELETE', url: `/v1/partners/${partner.id}/item-references/P-2`, key: adminKey })).statusCode).toBe(
      204,
    );
    expect((await t.request({ method: 'DELETE', url: `/v1/partners/${partner.id}/item-references/P-2`, key: adminKey })).statusCode).toBe(
      404,
    );
    // A partner's own key does not manage references.
    expect((await t.request({ method: 'GET', url: `/v1/partners/${partner.id}/item-references`, key: partner.key })).statusCode).toBe(403);
  });
});
