import { X12QueryEngine } from 'node-x12';
import { describe, expect, it } from 'vitest';
import type { Shipment } from '../../../domain/shipment.ts';
import type { OutSegment } from '../serialize.ts';
import { build856 } from './856.ts';
import { envelopeParams, expectRoundTrip, sampleOrder } from './fixtures/sample.ts';
import { writeInterchange } from './index.ts';

const asnDate = new Date('2026-12-01T16:45:00Z');

/** Two packages: the modems, and the cable with the bundle's port activation kit; the bundle's components travel apart. */
const shipment: Shipment = {
  shipmentId: 'SHP-5001',
  shippedAt: '2026-12-01T15:20:00Z',
  carrier: { scac: 'UPSN', name: 'UPS' },
  trackingNumber: '1Z999AA10123456784',
  serviceLevel: 'G2',
  packages: [
    {
      sscc: '006141411234567890',
      weightKg: 2.2,
      items: [
        { lineNumber: '1', quantity: 2, uom: 'EA' },
        { lineNumber: '2.1', quantity: 1, uom: 'EA' },
      ],
    },
    {
      marks: 'BOX 2 OF 2',
      weightKg: 1.1,
      items: [
        { lineNumber: '2.2', quantity: 1, uom: 'EA' },
        { lineNumber: '3', quantity: 10, uom: 'FT' },
      ],
    },
  ],
};

const levels = (body: OutSegment[]): string[][] => body.filter((s) => s.tag === 'HL').map((s) => s.elements as string[]);
const first = (body: OutSegment[], tag: string): readonly unknown[] | undefined => body.find((s) => s.tag === tag)?.elements;

describe('build856', () => {
  it('writes the golden 856', async () => {
    await expect(writeInterchange(envelopeParams, '856', build856(sampleOrder, shipment, asnDate))).toMatchFileSnapshot(
      './fixtures/856.x12',
    );
  });

  it('reads back cleanly with node-x12 and our tokenizer', () => {
    const parsed = expectRoundTrip(writeInterchange(envelopeParams, '856', build856(sampleOrder, shipment, asnDate)));
    const query = new X12QueryEngine(false);
    expect(query.querySingle(parsed, 'BSN02')?.value).toBe('SHP-5001');
    expect(query.querySingle(parsed, 'PRF01')?.value).toBe('PO-1001');
    expect(query.querySingle(parsed, 'REF02:REF01["CN"]')?.value).toBe('1Z999AA10123456784');
  });

  it('numbers the levels shipment > order > pack > item, each naming its parent', () => {
    const body = build856(sampleOrder, shipment, asnDate);
    expect(levels(body)).toEqual([
      ['1', '', 'S', '1'],
      ['2', '1', 'O', '1'],
      ['3', '2', 'P', '1'],
      ['4', '3', 'I', '0'],
      ['5', '3', 'I', '0'],
      ['6', '2', 'P', '1'],
      ['7', '6', 'I', '0'],
      ['8', '6', 'I', '0'],
    ]);
    expect(body.at(-1)?.elements).toEqual(['8']);
  });

  it('names a shipped component by the SLN01 the partner gave it and its bundle by a PL pair in its LIN', () => {
    const lins = build856(sampleOrder, shipment, asnDate)
      .filter((s) => s.tag === 'LIN')
      .map((s) => s.elements);
    expect(lins).toEqual([
      ['1', 'VN', 'MODEM-X1', 'BP', 'AC-778'],
      ['1', 'VN', 'MODEM-X1', 'PL', '2'],
      ['2', 'VN', 'PORT-ACT', 'PL', '2'],
      ['3', 'VN', 'CAT6-BLU', 'UK', '00012345678905', 'MN', 'C6-25'],
    ]);
  });

  it('names a component that came without an SLN (another channel) by its own line number', () => {
    const plain = { ...sampleOrder, lines: sampleOrder.lines.map((l) => (l.lineNumber === '2.2' ? { ...l, extras: {} } : l)) };
    const lin = build856(plain, shipment, asnDate).find((s) => s.tag === 'LIN' && s.elements.includes('PORT-ACT'));
    expect(lin?.elements).toEqual(['2.2', 'VN', 'PORT-ACT', 'PL', '2']);
  });

  it('keeps a component’s bundle within the ten product ID pairs an item has room for', () => {
    const identifiers = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`Q${i}`, `id-${i}`]));
    const crowded = { ...sampleOrder, lines: sampleOrder.lines.map((l) => (l.lineNumber === '2.1' ? { ...l, identifiers } : l)) };
    const lin = build856(crowded, shipment, asnDate).find((s) => s.tag === 'LIN' && s.elements.includes('Q0'));
    expect(lin?.elements).toHaveLength(21);
    expect(lin?.elements.slice(-4)).toEqual(['Q7', 'id-7', 'PL', '2']);
  });

  it('marks packages by SSCC or by the shipper’s marks', () => {
    const marks = build856(sampleOrder, shipment, asnDate)
      .filter((s) => s.tag === 'MAN')
      .map((s) => s.elements);
    expect(marks).toEqual([
      ['GM', '00006141411234567890'],
      ['SM', 'BOX 2 OF 2'],
    ]);
  });

  it('states the gross weight only when every package has one', () => {
    expect(first(build856(sampleOrder, shipment, asnDate), 'TD1')).toEqual(['', '2', '', '', '', 'G', '3.3', 'KG']);
    const unweighed = { ...shipment, packages: shipment.packages.map((p, i) => (i === 0 ? p : { ...p, weightKg: undefined })) };
    expect(first(build856(sampleOrder, unweighed, asnDate), 'TD1')).toEqual(['', '2', '', '', '']);
  });

  it('gives the estimated delivery as DTM 017 when the vendor gave one, after the shipped date', () => {
    const dtms = (s: Shipment) =>
      build856(sampleOrder, s, asnDate)
        .filter((segment) => segment.tag === 'DTM')
        .map((segment) => segment.elements.slice(0, 2));
    expect(dtms({ ...shipment, estimatedDeliveryDate: '2026-12-03' })).toEqual([
      ['011', expect.any(String)],
      ['017', '20261203'],
    ]);
    const { estimatedDeliveryDate: _eta, ...without } = shipment;
    expect(dtms(without)).toEqual([['011', expect.any(String)]]);
  });

  it('refuses an item the order does not have', () => {
    const stray = { ...shipment, packages: [{ items: [{ lineNumber: '7', quantity: 1, uom: 'EA' }] }] };
    expect(() => build856(sampleOrder, stray, asnDate)).toThrow('the shipment names line "7", which order PO-1001 does not have');
  });
});
