import { X12QueryEngine } from 'node-x12';
import { describe, expect, it } from 'vitest';
import { invoiceTotalCents, type Invoice } from '../../../domain/invoice.ts';
import { build810 } from './810.ts';
import { envelopeParams, expectRoundTrip, sampleOrder } from './fixtures/sample.ts';
import { writeInterchange } from './index.ts';

/** The plain line, the bundle at its own price (its components are not billed), and the cable at a four-decimal price. */
const invoice: Invoice = {
  invoiceNumber: 'INV-9001',
  invoiceDate: '2026-12-02',
  termsNetDays: 30,
  lines: [
    { lineNumber: '1', quantity: 2, uom: 'EA', unitPrice: 49.5 },
    { lineNumber: '2', quantity: 1, uom: 'EA', unitPrice: 59.99 },
    { lineNumber: '3', quantity: 10, uom: 'FT', unitPrice: 0.3333 },
  ],
};

describe('build810', () => {
  it('writes the golden 810', async () => {
    await expect(writeInterchange(envelopeParams, '810', build810(sampleOrder, invoice))).toMatchFileSnapshot('./fixtures/810.x12');
  });

  it('reads back cleanly with node-x12 and our tokenizer', () => {
    const parsed = expectRoundTrip(writeInterchange(envelopeParams, '810', build810(sampleOrder, invoice)));
    const query = new X12QueryEngine(false);
    expect(query.querySingle(parsed, 'BIG02')?.value).toBe('INV-9001');
    expect(query.querySingle(parsed, 'BIG04')?.value).toBe('PO-1001');
    expect(query.querySingle(parsed, 'TDS01')?.value).toBe('16232');
  });

  it('bills a component on its own line, by the SLN01 the partner gave it, naming its bundle', () => {
    const component = { ...invoice, lines: [{ lineNumber: '2.2', quantity: 1, uom: 'EA', unitPrice: 15 }] };
    const it1 = build810(sampleOrder, component).find((s) => s.tag === 'IT1');
    expect(it1?.elements).toEqual(['2', '1', 'EA', '15', '', 'VN', 'PORT-ACT', 'PL', '2']);
  });

  it('leaves out what the order and invoice do not have', () => {
    const bare = { ...sampleOrder, billTo: undefined, shipTo: undefined };
    const { termsNetDays: _terms, ...untermed } = invoice;
    expect(build810(bare, untermed).map((s) => s.tag)).toEqual(['BIG', 'IT1', 'IT1', 'IT1', 'TDS', 'CTT']);
  });

  it('cuts the invoice number to the 22 characters BIG02 takes', () => {
    const long = { ...invoice, invoiceNumber: 'INV-PO-2026-0000000000000001' };
    expect(build810(sampleOrder, long)[0]?.elements[1]).toBe('INV-PO-2026-0000000000');
  });

  it('refuses a line the order does not have', () => {
    expect(() => build810(sampleOrder, { ...invoice, lines: [{ lineNumber: '4', quantity: 1, uom: 'EA', unitPrice: 1 }] })).toThrow(
      'the invoice names line "4"',
    );
  });
});

describe('invoiceTotalCents', () => {
  it('sums in exact units and rounds once, on the total', () => {
    expect(invoiceTotalCents(invoice)).toBe(16232);
    // 0.1 + 0.2 in floats is 0.30000000000000004.
    const drift = { ...invoice, lines: [0.1, 0.2].map((p, i) => ({ lineNumber: String(i), quantity: 1, uom: 'EA', unitPrice: p })) };
    expect(invoiceTotalCents(drift)).toBe(30);
    // Three lines at 0.3333 make 0.9999: 1.00 rounded once, 0.99 if each line were rounded first.
    const thirds = { ...invoice, lines: [1, 2, 3].map((n) => ({ lineNumber: String(n), quantity: 1, uom: 'EA', unitPrice: 0.3333 })) };
    expect(invoiceTotalCents(thirds)).toBe(100);
  });
});
