import { describe, expect, it } from 'vitest';
import type { Invoice } from '../../../domain/invoice.ts';
import type { X12Profile } from '../../../domain/partner-profile.ts';
import type { Package, Shipment } from '../../../domain/shipment.ts';
import type { OutboundDocument } from '../../../pipeline/outbound.ts';
import { tokenize } from '../tokenize.ts';
import { expectRoundTrip, sampleOrder } from './fixtures/sample.ts';
import { x12AnswerDocument } from './index.ts';

// A strict retailer's guide, checked the way its translator reads our 856 and 810: parsed back,
// segment by segment, with the SSCC check digit computed here from GS1's rule (not our builder's).

const profile: X12Profile = {
  sscc: 'require',
  packagingCode: 'CTN25',
  shipFrom: {
    name: 'Ordergate Fulfilment',
    idQualifier: 'UL',
    id: '0614141000012',
    address: { lines: ['200 Dock Rd'], city: 'Joliet', region: 'IL', postalCode: '60431', country: 'US' },
  },
  remitTo: {
    name: 'Ordergate Receivables',
    idQualifier: '1',
    id: '123456789',
    address: { lines: ['PO Box 77'], city: 'Chicago', region: 'IL', postalCode: '60601', country: 'US' },
  },
  terms: { netDays: 30, discountPercent: 2, discountDays: 10 },
};
const x12 = {
  identities: [{ qualifier: 'ZZ', id: 'ACME', ourQualifier: 'ZZ', ourId: 'ORDERGATE' }],
  version: '004010',
  map: 'default',
  profile,
};
const at = new Date('2026-12-01T16:45:00Z');

const shipment: Shipment = {
  shipmentId: 'SHP-7001',
  shippedAt: '2026-12-01T15:20:00Z',
  carrier: { scac: 'UPSN' },
  trackingNumber: '1Z999AA10123456784',
  packages: [
    // GS1's own example SSCC.
    { sscc: '106141411234567897', items: [{ lineNumber: '1', quantity: 2, uom: 'EA' }] },
    {
      sscc: '006141410000047116',
      items: [
        { lineNumber: '2.1', quantity: 1, uom: 'EA' },
        { lineNumber: '2.2', quantity: 1, uom: 'EA' },
      ],
    },
  ],
};
const invoice: Invoice = {
  invoiceNumber: '1000042',
  invoiceDate: '2026-12-02',
  lines: [{ lineNumber: '1', quantity: 2, uom: 'EA', unitPrice: 49.5 }],
};

/** GS1 General Specifications 7.9.1: from the right, weights 3 and 1 alternately; the check digit brings the sum to a multiple of ten. */
function validCheckDigit(sscc: string): boolean {
  const digits = [...sscc].map(Number);
  const check = digits.pop() as number;
  const sum = digits.reverse().reduce((total, digit, index) => total + digit * (index % 2 === 0 ? 3 : 1), 0);
  return (sum + check) % 10 === 0;
}

async function rendered(document: OutboundDocument | { problems: string }): Promise<string[][]> {
  if ('problems' in document) throw new Error(document.problems);
  const { body } = await document.render(async (counts) => Object.fromEntries(Object.keys(counts).map((kind) => [kind, 7])));
  expectRoundTrip(body);
  return tokenize(body).flatMap((e) => (e.kind === 'segment' ? [[e.segment.tag, ...e.segment.elements]] : []));
}

describe("a retail partner's guide profile", () => {
  it('856: every carton level carries MAN*GM with application identifier 00 and a valid SSCC-18', async () => {
    const segments = await rendered(x12AnswerDocument(sampleOrder, { kind: 'shipment', shipment }, x12, at));
    const cartons = segments.flatMap((s, i) => (s[0] === 'HL' && s[3] === 'P' ? [i] : []));
    expect(cartons).toHaveLength(2);
    for (const start of cartons) {
      const next = segments.findIndex((s, i) => i > start && s[0] === 'HL');
      const man = segments.slice(start + 1, next).find((s) => s[0] === 'MAN');
      expect(man?.[1]).toBe('GM');
      expect(man?.[2]).toMatch(/^00[0-9]{18}$/);
      expect(validCheckDigit((man?.[2] as string).slice(2))).toBe(true);
    }
  });

  it('856: TD1 names the packaging code and N1*SF the ship-from party with its GLN and address', async () => {
    const segments = await rendered(x12AnswerDocument(sampleOrder, { kind: 'shipment', shipment }, x12, at));
    expect(segments.find((s) => s[0] === 'TD1')?.slice(1, 3)).toEqual(['CTN25', '2']);
    const sf = segments.findIndex((s) => s[0] === 'N1' && s[1] === 'SF');
    expect(segments.slice(sf, sf + 3)).toEqual([
      ['N1', 'SF', 'Ordergate Fulfilment', 'UL', '0614141000012'],
      ['N3', '200 Dock Rd'],
      ['N4', 'Joliet', 'IL', '60431', 'US'],
    ]);
    // Both parties belong to the shipment level, before the order level.
    const orderLevel = segments.findIndex((s) => s[0] === 'HL' && s[3] === 'O');
    expect(sf).toBeLessThan(orderLevel);
  });

  it('856: a component item names itself by the SLN01 the partner sent and its bundle by PL', async () => {
    const segments = await rendered(x12AnswerDocument(sampleOrder, { kind: 'shipment', shipment }, x12, at));
    const components = segments.filter((s) => s[0] === 'LIN' && s.includes('PL'));
    expect(components.map((s) => [s[1], s.at(-1)])).toEqual([
      ['1', '2'],
      ['2', '2'],
    ]);
  });

  it('856: a carton without an SSCC, or with a wrong check digit, is never written under require or assign', () => {
    const [labelled, other] = shipment.packages as [Package, Package];
    const bare: Shipment = { ...shipment, packages: [{ marks: 'BOX 1', items: labelled.items }, other] };
    const wrong: Shipment = { ...shipment, packages: [labelled, { ...other, sscc: '006141410000047117' }] };
    for (const sscc of ['require', 'assign'] as const) {
      const strict = { ...x12, profile: { ...profile, sscc, gs1CompanyPrefix: '0614141' } };
      expect(x12AnswerDocument(sampleOrder, { kind: 'shipment', shipment: bare }, strict, at)).toEqual({
        problems: `the partner's profile requires an SSCC-18 on every carton: shipment SHP-7001 has carton 1 without an SSCC`,
      });
      expect(x12AnswerDocument(sampleOrder, { kind: 'shipment', shipment: wrong }, strict, at)).toHaveProperty('problems');
    }
    // The vendor's way: its marks as MAN*SM, as before.
    expect(
      x12AnswerDocument(sampleOrder, { kind: 'shipment', shipment: bare }, { ...x12, profile: { ...profile, sscc: 'vendor' } }, at),
    ).not.toHaveProperty('problems');
  });

  it('810: ITD with the discount and net terms, and N1*RI the remit-to party', async () => {
    const segments = await rendered(x12AnswerDocument(sampleOrder, { kind: 'invoice', invoice }, x12, at));
    // ITD01 08 basic discount offered, ITD02 3 invoice date, ITD03 2 %, ITD05 10 days, ITD07 net 30.
    expect(segments.find((s) => s[0] === 'ITD')).toEqual(['ITD', '08', '3', '2', '', '10', '', '30']);
    const ri = segments.findIndex((s) => s[0] === 'N1' && s[1] === 'RI');
    expect(segments.slice(ri, ri + 3)).toEqual([
      ['N1', 'RI', 'Ordergate Receivables', '1', '123456789'],
      ['N3', 'PO Box 77'],
      ['N4', 'Chicago', 'IL', '60601', 'US'],
    ]);
    expect(segments.find((s) => s[0] === 'BIG')?.[2]).toBe('1000042');
  });

  it('810: net terms alone are ITD01 01; without a profile the documents are as before', async () => {
    const net = { ...x12, profile: { sscc: 'vendor' as const, terms: { netDays: 45 } } };
    const segments = await rendered(x12AnswerDocument(sampleOrder, { kind: 'invoice', invoice }, net, at));
    expect(segments.find((s) => s[0] === 'ITD')).toEqual(['ITD', '01', '3', '', '', '', '', '45']);
    const { profile: _profile, ...plain } = x12;
    const bare = await rendered(x12AnswerDocument(sampleOrder, { kind: 'invoice', invoice }, plain, at));
    expect(bare.some((s) => s[0] === 'ITD' || (s[0] === 'N1' && s[1] === 'RI'))).toBe(false);
    const asn = await rendered(x12AnswerDocument(sampleOrder, { kind: 'shipment', shipment }, plain, at));
    expect(asn.find((s) => s[0] === 'TD1')?.[1]).toBe('');
    expect(asn.some((s) => s[0] === 'N1' && s[1] === 'SF')).toBe(false);
  });
});
