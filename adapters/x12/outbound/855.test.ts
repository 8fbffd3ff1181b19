import { X12QueryEngine } from 'node-x12';
import { describe, expect, it } from 'vitest';
import type { LineAck, OrderAck } from '../../../domain/acknowledgment.ts';
import { build855 } from './855.ts';
import { envelopeParams, expectRoundTrip, sampleOrder } from './fixtures/sample.ts';
import { writeInterchange } from './index.ts';

const asOrdered = (lineNumber: string): LineAck => {
  const line = sampleOrder.lines.find((l) => l.lineNumber === lineNumber);
  if (line === undefined) throw new Error(`no line ${lineNumber}`);
  return { lineNumber, status: 'accepted', quantity: line.quantity, uom: line.uom };
};

const ackOf = (lines: LineAck[]): OrderAck => ({ order: sampleOrder, lines, ackDate: '2026-11-28' });

/** Plain line accepted, bundle accepted with one component backordered, the cable rejected with a reason. */
const mixed = ackOf([
  { ...asOrdered('1'), expectedDate: '2026-11-30' },
  asOrdered('2'),
  asOrdered('2.1'),
  { ...asOrdered('2.2'), status: 'backordered', expectedDate: '2026-12-14', note: 'port activation waits for the carrier' },
  { ...asOrdered('3'), status: 'rejected', note: 'discontinued; use CAT6-GRY' },
]);

const tags = (ack: OrderAck): string[] => build855(ack).map((s) => s.tag);
const bak02 = (ack: OrderAck): unknown => build855(ack)[0]?.elements[1];

describe('build855', () => {
  it('writes the golden 855', async () => {
    await expect(writeInterchange(envelopeParams, '855', build855(mixed))).toMatchFileSnapshot('./fixtures/855.x12');
  });

  it('reads back cleanly with node-x12 and our tokenizer, BAK03 being the PO number', () => {
    const parsed = expectRoundTrip(writeInterchange(envelopeParams, '855', build855(mixed)));
    const query = new X12QueryEngine(false);
    expect(query.querySingle(parsed, 'BAK03')?.value).toBe('PO-1001');
    expect(query.querySingle(parsed, 'BAK04')?.value).toBe('20261127');
    expect(query.querySingle(parsed, 'BAK09')?.value).toBe('20261128');
  });

  it('chooses BAK02 from the line answers', () => {
    const all = sampleOrder.lines.map((l) => asOrdered(l.lineNumber));
    expect(bak02(ackOf(all))).toBe('AD');
    expect(bak02(ackOf(all.map((a) => ({ ...a, status: 'rejected' }))))).toBe('RD');
    expect(bak02(mixed)).toBe('AC');
    expect(bak02(ackOf(all.map((a) => (a.lineNumber === '2.1' ? { ...a, status: 'changed' } : a))))).toBe('AC');
  });

  it('acknowledges each component in an SLN loop of its bundle, after the bundle’s own ACK', () => {
    expect(tags(mixed)).toEqual([
      'BAK',
      'PO1',
      'ACK',
      'PO1',
      'ACK',
      'SLN',
      'ACK',
      'SLN',
      'ACK',
      'N9',
      'MSG',
      'PO1',
      'ACK',
      'N9',
      'MSG',
      'CTT',
    ]);
    const body = build855(mixed);
    expect(body.filter((s) => s.tag === 'SLN').map((s) => s.elements.slice(0, 5))).toEqual([
      ['1', '', 'I', '1', 'EA'],
      ['2', '', 'I', '1', 'EA'],
    ]);
    expect(body.at(-1)?.elements).toEqual(['3']);
  });

  it('writes the status code, quantity and expected ship date of each line', () => {
    const acks = build855(mixed)
      .filter((s) => s.tag === 'ACK')
      .map((s) => s.elements);
    expect(acks).toEqual([
      ['IA', '2', 'EA', '068', '20261130'],
      ['IA', '1', 'EA'],
      ['IA', '1', 'EA'],
      ['IB', '1', 'EA', '068', '20261214'],
      ['IR', '10', 'FT'],
    ]);
  });

  it('echoes the line as ordered in PO1 and carries a new price in CTP, the portion being IP', () => {
    const changed = ackOf(
      sampleOrder.lines.map((l) =>
        l.lineNumber === '3' ? { ...asOrdered('3'), status: 'changed', unitPrice: 0.31 } : asOrdered(l.lineNumber),
      ),
    );
    const body = build855(changed);
    const po1s = body.filter((s) => s.tag === 'PO1');
    expect(po1s[0]?.elements).toEqual(['1', '2', 'EA', '49.5', '', 'VN', 'MODEM-X1', 'BP', 'AC-778']);
    expect(po1s.at(-1)?.elements).toEqual(['3', '10', 'FT', '0.3333', '', 'VN', 'CAT6-BLU', 'UK', '00012345678905', 'MN', 'C6-25']);
    const last = body.slice(body.indexOf(po1s.at(-1) as (typeof body)[number]));
    expect(last.map((s) => s.tag)).toEqual(['PO1', 'CTP', 'ACK', 'CTT']);
    expect(last[1]?.elements).toEqual(['', 'UCP', '0.31', '10', 'FT']);
    expect(last[2]?.elements).toEqual(['IP', '10', 'FT']);
  });

  describe('a line answered in portions', () => {
    const withLine1 = (portions: Omit<LineAck, 'lineNumber' | 'uom'>[]): OrderAck =>
      ackOf([
        ...portions.map((p) => ({ lineNumber: '1', uom: 'EA', ...p })),
        ...sampleOrder.lines.filter((l) => l.lineNumber !== '1').map((l) => asOrdered(l.lineNumber)),
      ]);
    const line1 = (ack: OrderAck) => {
      const body = build855(ack);
      const start = body.findIndex((s) => s.tag === 'PO1');
      const end = body.findIndex((s, i) => i > start && s.tag === 'PO1');
      return body.slice(start, end);
    };
    const acksOf = (ack: OrderAck) =>
      line1(ack)
        .filter((s) => s.tag === 'ACK')
        .map((s) => s.elements);

    it('writes one ACK per portion, adding up to PO102: 1 accepted, 1 backordered with its date', () => {
      const ack = withLine1([
        { status: 'accepted', quantity: 1 },
        { status: 'backordered', quantity: 1, expectedDate: '2026-12-20' },
      ]);
      expect(line1(ack)[0]?.elements.slice(0, 4)).toEqual(['1', '2', 'EA', '49.5']);
      expect(acksOf(ack)).toEqual([
        ['IA', '1', 'EA'],
        ['IB', '1', 'EA', '068', '20261220'],
      ]);
      expect(bak02(ack)).toBe('AC');
    });

    it('names a smaller quantity IQ beside the IR of the rest; a new price and a smaller quantity IC; a new date alone DR', () => {
      expect(
        acksOf(
          withLine1([
            { status: 'changed', quantity: 1 },
            { status: 'rejected', quantity: 1 },
          ]),
        ),
      ).toEqual([
        ['IQ', '1', 'EA'],
        ['IR', '1', 'EA'],
      ]);
      expect(
        acksOf(
          withLine1([
            { status: 'changed', quantity: 1, unitPrice: 45 },
            { status: 'rejected', quantity: 1 },
          ]),
        ),
      ).toEqual([
        ['IC', '1', 'EA'],
        ['IR', '1', 'EA'],
      ]);
      expect(acksOf(withLine1([{ status: 'changed', quantity: 2, expectedDate: '2026-12-24' }]))).toEqual([
        ['DR', '2', 'EA', '068', '20261224'],
      ]);
    });

    it('carries each portion’s note after the ACKs, referring to the line', () => {
      const ack = withLine1([
        { status: 'accepted', quantity: 1, note: 'from stock' },
        { status: 'rejected', quantity: 1, note: 'discontinued' },
      ]);
      expect(line1(ack).map((s) => [s.tag, s.elements.join('*')])).toEqual([
        ['PO1', '1*2*EA*49.5**VN*MODEM-X1*BP*AC-778'],
        ['ACK', 'IA*1*EA'],
        ['ACK', 'IR*1*EA'],
        ['N9', 'L1*1'],
        ['MSG', 'from stock'],
        ['MSG', 'discontinued'],
      ]);
    });
  });

  it('writes the SKU as SK when VN carries another vendor part, and numbers a component from another channel by its line number', () => {
    const order = {
      ...sampleOrder,
      lines: sampleOrder.lines.map(({ extras: _extras, ...l }) =>
        l.lineNumber === '1' ? { ...l, identifiers: { vendorPart: 'V-0042' } } : l,
      ),
    };
    const body = build855({ order, lines: order.lines.map((l) => asOrdered(l.lineNumber)), ackDate: '2026-11-28' });
    expect(body.find((s) => s.tag === 'PO1')?.elements.slice(5)).toEqual(['SK', 'MODEM-X1', 'VN', 'V-0042']);
    expect(body.filter((s) => s.tag === 'SLN').map((s) => s.elements[0])).toEqual(['2.1', '2.2']);
  });

  it('keeps a note with delimiters and line breaks from breaking the interchange', () => {
    const noisy = ackOf(
      sampleOrder.lines.map((l) => ({ ...asOrdered(l.lineNumber), note: l.lineNumber === '1' ? 'ships 2*1~\nsee >mail<' : undefined })),
    );
    const text = writeInterchange(envelopeParams, '855', build855(noisy));
    expect(text).toContain('MSG*ships 2 1  see  mail<~');
    expectRoundTrip(text);
  });

  it('refuses answers that leave a line out, or whose portions do not add up to it', () => {
    const all = sampleOrder.lines.map((l) => asOrdered(l.lineNumber));
    expect(() => build855(ackOf(all.filter((a) => a.lineNumber !== '2.2')))).toThrow('does not answer line "2.2"');
    expect(() => build855(ackOf([...all, asOrdered('1')]))).toThrow(
      'line 1 is ordered 2 EA; its portions (accepted 2 + accepted 2) add up to 4',
    );
    expect(() => build855(ackOf([...all, { ...asOrdered('1'), lineNumber: '9' }]))).toThrow('names line "9"');
  });
});
