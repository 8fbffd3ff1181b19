import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { pdfTextLines as textLines, pdfTextX as xOf } from '../../test/support/pdf.ts';
import { renderOrderPdf } from './pdf.ts';
import { sampleSummary } from './test-support.ts';

describe('the order as a PDF', () => {
  it('is a PDF another library loads, with its title', async () => {
    const pdf = await renderOrderPdf(sampleSummary(), { anchor: '/sn1/' });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const loaded = await PDFDocument.load(pdf);
    expect(loaded.getPageCount()).toBeGreaterThanOrEqual(1);
    expect(loaded.getTitle()).toBe('Order PO-77001 for approval');
  });

  it('shows the partner, reference, totals, lines, reasons, level, history and the signature anchor', async () => {
    const text = (await textLines(await renderOrderPdf(sampleSummary(), { anchor: '/sn1/' }))).join('\n');
    for (const expected of [
      'Order PO-77001: approval requested',
      'Partner: Acme Outdoor (p-acme)',
      'Level 2 of 2: finance',
      'Computed total: 61,234.50 USD',
      'Stated total: 61,300.00 USD',
      '1 MODEM-X1 Cable modem 1000 EA at 49.50 USD',
      '2 INTERNET-100 200 EA at 59.99 USD',
      '2.1 MODEM-X1 1 EA',
      '2.2 PORT-ACT 1 EA',
      'computed total 61,234.50 USD is at least 50,000 USD [demo: total-at-least]',
      '2026-12-06T10:00:00Z level 1 approve by Sam Sales (link): known customer',
      '/sn1/',
    ])
      expect(text).toContain(expected);
  });

  it('lists bundle components under their parent, indented, whatever order they came in', async () => {
    const pdf = await renderOrderPdf(sampleSummary(), { anchor: '/sn1/' });
    const lines = (await textLines(pdf)).filter((line) => /^\d/.test(line) && line.includes(' EA'));
    expect(lines.map((line) => line.split(' ')[0])).toEqual(['1', '2', '2.1', '2.2']);
    expect(await xOf(pdf, '2.1')).toBeGreaterThan(await xOf(pdf, '2 INTERNET'));
  });

  it('says when nobody has decided yet, and leaves a missing stated total out', async () => {
    const { statedTotal: _stated, ...withoutStated } = sampleSummary({ history: [] });
    const text = (await textLines(await renderOrderPdf(withoutStated, { anchor: '/sn1/' }))).join('\n');
    expect(text).toContain('No decision yet.');
    expect(text).not.toContain('Stated total');
  });
});
