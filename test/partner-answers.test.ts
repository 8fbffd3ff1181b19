import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenize } from '../adapters/x12/tokenize.ts';
import { startTestApp, type TestApp } from './support/app.ts';
import { validateAgainstDtd } from './support/dtd.ts';
import { partnerAnswers, partnerFindings } from './support/partner-answers.ts';
import { answerByScript, type LineScript } from './support/scripted-vendor.ts';

// What a strict trading partner receives when its vendors answer every mix: all accepted, part
// backordered (with its date), a smaller quantity, a new price, part rejected, a line rejected, and
// an order failed. Each document is read as the partner reads it, from the standard.

const identity = { qualifier: 'ZZ', id: 'MIXBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };

/** An 850 from MIXBUYER with one PO1 per [sku, quantity, price]. */
function purchaseOrder(po: string, control: number, lines: [string, number, number][]): string {
  const isa = `ISA*00*          *00*          *ZZ*${'MIXBUYER'.padEnd(15)}*ZZ*${'ORDERGATE'.padEnd(15)}*261206*1000*U*00401*${String(control).padStart(9, '0')}*0*P*>`;
  const body = [
    'ST*850*0001',
    `BEG*00*SA*${po}**20261206`,
    ...lines.map(([sku, quantity, price], i) => `PO1*${i + 1}*${quantity}*EA*${price}**VN*${sku}`),
    `CTT*${lines.length}`,
  ];
  return [
    isa,
    `GS*PO*MIXBUYER*ORDERGATE*20261206*1000*${control}*X*004010`,
    ...body,
    `SE*${body.length + 1}*0001`,
    `GE*1*${control}`,
    `IEA*1*${String(control).padStart(9, '0')}`,
  ]
    .map((segment) => `${segment}~`)
    .join('\n');
}

/** A cXML OrderRequest from AN01000000077 with one ItemOut per [sku, quantity, price]. */
function orderRequest(po: string, lines: [string, number, number][]): string {
  const total = lines.reduce((sum, [, quantity, price]) => sum + quantity * price, 0);
  const items = lines.map(
    ([sku, quantity, price], i) => `
      <ItemOut quantity="${quantity}" lineNumber="${i + 1}">
        <ItemID><SupplierPartID>${sku}</SupplierPartID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="USD">${price}</Money></UnitPrice>
          <Description xml:lang="en">${sku}</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
          <Classification domain="UNSPSC">43222609</Classification>
        </ItemDetail>
      </ItemOut>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.063/cXML.dtd">
<cXML payloadID="${po}.1@buyer.example" timestamp="2026-12-06T10:14:00-05:00" xml:lang="en-US">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN01000000077</Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN09999999999</Identity></Credential></To>
    <Sender>
      <Credential domain="NetworkID"><Identity>AN01000000077</Identity><SharedSecret>mix-secret-77</SharedSecret></Credential>
      <UserAgent>Buyer Procurement 1.0</UserAgent>
    </Sender>
  </Header>
  <Request deploymentMode="production">
    <OrderRequest>
      <OrderRequestHeader orderID="${po}" orderDate="2026-12-06T10:14:00-05:00" type="new">
        <Total><Money currency="USD">${total}</Money></Total>
        <BillTo>
          <Address addressID="HQ">
            <Name xml:lang="en">Mix Corp</Name>
            <PostalAddress><Street>2 Main St</Street><City>Springfield</City><Country isoCountryCode="US">United States</Country></PostalAddress>
          </Address>
        </BillTo>
      </OrderRequestHeader>${items.join('')}
    </OrderRequest>
  </Request>
</cXML>`;
}

const segments = (text: string): string[][] =>
  tokenize(text).flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, ...e.segment.elements]] : []));

const mix: Record<string, LineScript & { ordered: number; price: number }> = {
  'ALL-OK': { ordered: 6, price: 10, portions: [{ status: 'accepted', quantity: 6 }], shipments: [6] },
  BACKORDER: {
    ordered: 6,
    price: 10,
    portions: [
      { status: 'accepted', quantity: 4 },
      { status: 'backordered', quantity: 2, expectedDate: '2026-12-20' },
    ],
    shipments: [4, 2],
  },
  'LESS-QTY': {
    ordered: 10,
    price: 4,
    portions: [
      { status: 'changed', quantity: 8 },
      { status: 'rejected', quantity: 2, note: 'only 8 left' },
    ],
    shipments: [8],
  },
  'NEW-PRICE': { ordered: 5, price: 20, portions: [{ status: 'changed', quantity: 5, unitPrice: 21.5 }], shipments: [5] },
  'PART-REJECT': {
    ordered: 6,
    price: 7,
    portions: [
      { status: 'accepted', quantity: 3 },
      { status: 'rejected', quantity: 3, note: 'discontinued colour' },
    ],
    shipments: [3],
  },
  'ALL-REJECT': { ordered: 2, price: 3, portions: [{ status: 'rejected', quantity: 2, note: 'not sold any more' }], shipments: [] },
};

describe('answers to a partner whose vendors answer every mix', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp('postgres');
    key = (await t.partner('Mix', { x12: identity })).key;
  });
  afterAll(async () => t?.close());

  const outbound = async (orderId: string): Promise<{ type: string; body: string }[]> => {
    const docs = (await t.request({ method: 'GET', url: '/v1/documents?direction=outbound', key })).json().documents as {
      id: string;
      type: string;
      orderId: string | null;
    }[];
    return Promise.all(
      docs
        .filter((doc) => doc.orderId === orderId)
        .map(async (doc) => ({
          type: doc.type,
          body: (await t.request({ method: 'GET', url: `/v1/documents/${doc.id}`, key, headers: { accept: 'application/edi-x12' } })).body,
        })),
    );
  };

  /** Posts an 850 as the partner, which must be accepted. */
  const postX12 = async (x12: string): Promise<void> => {
    const posted = await t.request({
      method: 'POST',
      url: '/v1/x12',
      key,
      headers: { 'content-type': 'application/edi-x12' },
      payload: x12,
    });
    expect(posted.statusCode, posted.body).toBe(200);
  };

  const orderOf = async (po: string): Promise<{ id: string; status: string }> =>
    (await t.request({ method: 'GET', url: `/v1/orders?externalRef=${po}`, key })).json().orders[0];

  it('X12: the 855 answers each line in portions that add up to PO102, the 856s ship no more, the 810 bills what shipped', async () => {
    const x12 = purchaseOrder(
      'PO-MIX-1',
      501,
      Object.entries(mix).map(([sku, line]) => [sku, line.ordered, line.price]),
    );
    await postX12(x12);
    await answerByScript(t, mix);
    const order = await orderOf('PO-MIX-1');
    expect(order.status).toBe('ready_for_billing');
    const docs = await outbound(order.id);
    expect(docs.map((d) => d.type)).toEqual(['855', '856', '856', '856', '856', '856', '856', '810']);
    const ack = segments(docs[0]?.body ?? '');
    expect(ack.find((s) => s[0] === 'BAK')?.[2]).toBe('AC');
    // Each PO1 as ordered, followed by its CTP and ACKs.
    const byLine = new Map<string, string[][]>();
    let current = '';
    for (const s of ack) {
      if (s[0] === 'PO1') current = s[1] ?? '';
      if (current !== '' && ['PO1', 'CTP', 'ACK'].includes(s[0] ?? '')) byLine.set(current, [...(byLine.get(current) ?? []), s]);
    }
    expect([...byLine.values()].map((line) => line.map((s) => s.slice(0, 6).join('*')))).toEqual([
      ['PO1*1*6*EA*10*', 'ACK*IA*6*EA'],
      ['PO1*2*6*EA*10*', 'ACK*IA*4*EA', 'ACK*IB*2*EA*068*20261220'],
      ['PO1*3*10*EA*4*', 'ACK*IQ*8*EA', 'ACK*IR*2*EA'],
      ['PO1*4*5*EA*20*', 'CTP**UCP*21.5*5*EA', 'ACK*IP*5*EA'],
      ['PO1*5*6*EA*7*', 'ACK*IA*3*EA', 'ACK*IR*3*EA'],
      ['PO1*6*2*EA*3*', 'ACK*IR*2*EA'],
    ]);
    const shipped = new Map<string, number>();
    for (const doc of docs.filter((d) => d.type === '856')) {
      let line = '';
      for (const s of segments(doc.body)) {
        if (s[0] === 'LIN') line = s[1] ?? '';
        if (s[0] === 'SN1') shipped.set(line, (shipped.get(line) ?? 0) + Number(s[2]));
      }
    }
    expect(Object.fromEntries(shipped)).toEqual({ '1': 6, '2': 6, '3': 8, '4': 5, '5': 3 });
    const invoice = segments(docs.at(-1)?.body ?? '');
    expect(invoice.filter((s) => s[0] === 'IT1').map((s) => s.slice(1, 5).join('*'))).toEqual([
      '1*6*EA*10',
      '2*6*EA*10',
      '3*8*EA*4',
      '4*5*EA*21.5',
      '5*3*EA*7',
    ]);
    expect(invoice.find((s) => s[0] === 'TDS')?.[1]).toBe(String((60 + 60 + 32 + 107.5 + 21) * 100));
    expect(await partnerFindings(t, key, order.id, x12)).toEqual([]);
  });

  it('X12: an order whose vendor fails for good after a shipment is refused to the partner for what will not come', async () => {
    const failing = {
      ...mix,
      'FAILS-LATER': {
        ordered: 4,
        price: 9,
        portions: [{ status: 'accepted' as const, quantity: 4 }],
        shipments: [1],
        fail: true as const,
      },
    };
    const x12 = purchaseOrder('PO-MIX-2', 502, [
      ['ALL-OK', 6, 10],
      ['FAILS-LATER', 4, 9],
      ['PART-REJECT', 6, 7],
    ]);
    await postX12(x12);
    await answerByScript(t, failing);
    const order = await orderOf('PO-MIX-2');
    expect(order.status).toBe('failed');
    const docs = await outbound(order.id);
    // Line 1 was done and line 2 had shipped 1 of 4 before the failure; line 3 never got its answer.
    expect(docs.map((d) => d.type)).toEqual(['855', '856', '856']);
    const refusal = segments(docs[0]?.body ?? '');
    expect(refusal.find((s) => s[0] === 'BAK')?.slice(1, 3)).toEqual(['00', 'AC']);
    expect(refusal.filter((s) => s[0] === 'PO1' || s[0] === 'ACK').map((s) => s.slice(0, 4).join('*'))).toEqual([
      'PO1*1*6*EA',
      'ACK*IA*6*EA',
      'PO1*2*4*EA',
      'ACK*IA*1*EA',
      'ACK*IR*3*EA',
      'PO1*3*6*EA',
      'ACK*IR*6*EA',
    ]);
    expect(refusal.filter((s) => s[0] === 'MSG').map((s) => s[1])).toEqual([
      'the address cannot be served (not-serviceable)',
      'the address cannot be served (not-serviceable)',
    ]);
    expect(docs.some((d) => d.type === '810')).toBe(false);
    expect(await partnerFindings(t, key, order.id, x12)).toEqual([]);
  });

  it('X12: a failure after the acknowledgment is told in a replacement 855 (BAK01 05), the shipped part accepted', async () => {
    const x12 = purchaseOrder('PO-MIX-3', 503, [
      ['ALL-OK', 6, 10],
      ['PART-REJECT', 6, 7],
      ['FAILS-LATER', 4, 9],
    ]);
    await postX12(x12);
    await answerByScript(t, {
      ...mix,
      'FAILS-LATER': { portions: [{ status: 'accepted', quantity: 4 }], shipments: [1], fail: true },
    });
    const order = await orderOf('PO-MIX-3');
    expect(order.status).toBe('failed');
    const docs = await outbound(order.id);
    expect(docs.map((d) => d.type)).toEqual(['855', '856', '856', '856', '855']);
    const replacement = segments(docs.at(-1)?.body ?? '');
    expect(replacement.find((s) => s[0] === 'BAK')?.slice(1, 3)).toEqual(['05', 'AC']);
    expect(replacement.filter((s) => s[0] === 'ACK').map((s) => s.slice(1, 3).join('*'))).toEqual(['IA*6', 'IA*3', 'IR*3', 'IA*1', 'IR*3']);
    expect(await partnerFindings(t, key, order.id, x12)).toEqual([]);
  });

  describe('cXML', () => {
    let cxmlKey: string;
    beforeAll(async () => {
      const ourCredential = { domain: 'NetworkID', identity: 'AN09999999999', sharedSecret: 'our-secret-with-mixc' };
      const cxml = { fromDomain: 'NetworkID', fromIdentity: 'AN01000000077', sharedSecret: 'mix-secret-77', ourCredential };
      cxmlKey = (await t.partner('MixC', { cxml })).key;
    });
    const post = (payload: string) => t.request({ method: 'POST', url: '/v1/cxml', headers: { 'content-type': 'text/xml' }, payload });
    const orderOfC = async (po: string): Promise<{ id: string; status: string }> =>
      (await t.request({ method: 'GET', url: `/v1/orders?externalRef=${po}`, key: cxmlKey })).json().orders[0];

    it('confirms each line in portions that add up to its quantity, and ships no more than it confirmed', async () => {
      const xml = orderRequest(
        'PO-MIXC-1',
        Object.entries(mix).map(([sku, line]) => [sku, line.ordered, line.price]),
      );
      const posted = await post(xml);
      expect(posted.statusCode, posted.body).toBe(200);
      await answerByScript(t, mix);
      const order = await orderOfC('PO-MIXC-1');
      expect(order.status).toBe('ready_for_billing');
      const answers = await partnerAnswers(t, cxmlKey, order.id);
      expect(answers.map((body) => /<(ConfirmationRequest|ShipNoticeRequest)>/.exec(body)?.[1])).toEqual([
        'ConfirmationRequest',
        ...Array.from({ length: 6 }, () => 'ShipNoticeRequest'),
      ]);
      for (const body of answers) expect(validateAgainstDtd(body, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });
      const statuses = [...(answers[0] ?? '').matchAll(/<ConfirmationStatus quantity="([\d.]+)" type="(\w+)"/g)].map(
        (m) => `${m[2]} ${m[1]}`,
      );
      expect(statuses).toEqual([
        'accept 6',
        'accept 4',
        'backordered 2',
        'accept 8',
        'reject 2',
        'detail 5',
        'accept 3',
        'reject 3',
        'reject 2',
      ]);
      expect(await partnerFindings(t, cxmlKey, order.id, xml)).toEqual([]);
    });

    it('tells a failed order: a reject for what will not come', async () => {
      const xml = orderRequest('PO-MIXC-2', [
        ['ALL-OK', 6, 10],
        ['FAILS-LATER', 4, 9],
      ]);
      expect((await post(xml)).statusCode).toBe(200);
      await answerByScript(t, { ...mix, 'FAILS-LATER': { portions: [{ status: 'accepted', quantity: 4 }], shipments: [], fail: true } });
      const order = await orderOfC('PO-MIXC-2');
      expect(order.status).toBe('failed');
      const answers = await partnerAnswers(t, cxmlKey, order.id);
      const confirmations = answers.filter((body) => body.includes('<ConfirmationRequest>'));
      // The order was confirmed in full; the failure's confirmation follows, refusing what will not come.
      expect(confirmations).toHaveLength(2);
      for (const body of answers) expect(validateAgainstDtd(body, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });
      const statuses = [...(confirmations[1] ?? '').matchAll(/<ConfirmationStatus quantity="([\d.]+)" type="(\w+)"/g)].map(
        (m) => `${m[2]} ${m[1]}`,
      );
      expect(statuses).toEqual(['accept 6', 'reject 4']);
      expect(confirmations[1]).toContain('the address cannot be served (not-serviceable)');
      expect(await partnerFindings(t, cxmlKey, order.id, xml)).toEqual([]);
    });

    it('withholds the ship notices of an order whose confirmation could not be written, and raises each as document.not-written.v1', async () => {
      // No credential of ours with this buyer: nothing can be addressed to it.
      const bare = await t.partner('BareC', {
        cxml: { fromDomain: 'NetworkID', fromIdentity: 'AN01000000078', sharedSecret: 'bare-secret-78' },
      });
      const xml = orderRequest('PO-MIXC-3', [['BACKORDER', 6, 10]])
        .replaceAll('AN01000000077', 'AN01000000078')
        .replace('mix-secret-77', 'bare-secret-78');
      expect((await post(xml)).statusCode).toBe(200);
      await answerByScript(t, mix);
      const order = (await t.request({ method: 'GET', url: '/v1/orders?externalRef=PO-MIXC-3', key: bare.key })).json().orders[0];
      expect(order.status).toBe('ready_for_billing');
      expect(await partnerAnswers(t, bare.key, order.id)).toEqual([]);
      const events = await t.database
        .db('outbox')
        .where({ correlation_id: order.id, type: 'document.not-written.v1' })
        .orderBy('id')
        .pluck('payload');
      expect(events.map((e: { answer: string; shipmentId?: string }) => [e.answer, e.shipmentId])).toEqual([
        ['acknowledgment', undefined],
        ['shipment', 'SH-BACKORDER-1'],
        ['shipment', 'SH-BACKORDER-2'],
      ]);
      expect(events[0].problems).toContain('cxml.ourCredential');
      expect(events[1].problems).toBe("withheld: the order's acknowledgment was not written, and no ship notice goes out without it");
      const history = (await t.request({ method: 'GET', url: `/v1/orders/${order.id}/events`, key: bare.key })).json().events;
      expect(history.filter((e: { cause: string }) => e.cause === 'answer.not-written')).toHaveLength(3);
    });
  });
});
