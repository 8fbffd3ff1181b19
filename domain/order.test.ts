import { describe, expect, it } from 'vitest';
import { validateOrder, type LineDraft, type OrderDraft } from './order.ts';

const line = (lineNumber: string, extra: Partial<LineDraft> = {}): LineDraft => ({
  lineNumber,
  quantity: 1,
  uom: 'EA',
  origin: `/lines/${lineNumber}`,
  ...extra,
});
const draft = (lines: LineDraft[], extra: Partial<OrderDraft> = {}): OrderDraft => ({
  channel: 'api',
  externalRef: 'PO-1',
  orderType: 'new',
  orderDate: '2026-11-27',
  currency: 'USD',
  lines,
  ...extra,
});

describe('validateOrder', () => {
  it('marks a bundle: the parent and each component carry the bundle line number', () => {
    const result = validateOrder(
      draft([line('1'), line('2', { unitPrice: 10 }), line('2.1', { parentLineNumber: '2' }), line('2.2', { parentLineNumber: '2' })]),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const byNumber = Object.fromEntries(result.value.lines.map((l) => [l.lineNumber, l]));
    expect(byNumber['1']?.bundleLineNumber).toBeUndefined();
    expect(byNumber['2']?.bundleLineNumber).toBe('2');
    expect(byNumber['2.1']).toMatchObject({ parentLineNumber: '2', bundleLineNumber: '2' });
    expect(result.value.lines.every((l) => !('origin' in l))).toBe(true);
  });

  it('totals priced top-level lines exactly, and an unpriced bundle by its priced components', () => {
    const result = validateOrder(
      draft([
        line('1', { quantity: 3, unitPrice: 0.1 }),
        line('2'),
        line('2.1', { parentLineNumber: '2', quantity: 2, unitPrice: 1.005 }),
        line('3', { unitPrice: 5 }),
        line('3.1', { parentLineNumber: '3', unitPrice: 99 }),
      ]),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    // 0.3 + 2.01 + 5: the priced parent 3 carries its bundle's price, its component's price is not added.
    expect(result.value.totals).toEqual({ lineCount: 5, amount: 7.31 });
    expect(result.value.lines[0]?.amount).toBe(0.3);
  });

  it('accepts a stated total within a cent and refuses one that is off', () => {
    expect(validateOrder(draft([line('1', { quantity: 3, unitPrice: 0.1 })], { statedTotal: 0.30000000001 })).ok).toBe(true);
    const off = validateOrder(draft([line('1', { unitPrice: 10 })], { statedTotal: 10.01 }));
    expect(off).toEqual({ ok: false, error: [expect.objectContaining({ pointer: '/total', code: 'total-mismatch' })] });
  });

  it('lists every problem with a pointer to where it is', () => {
    const result = validateOrder(
      draft([
        line('1'),
        line('1'),
        line('2', { quantity: 0 }),
        line('3', { parentLineNumber: '9' }),
        line('4', { parentLineNumber: '5' }),
        line('5', { parentLineNumber: '1' }),
      ]),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.map((p) => [p.pointer, p.code])).toEqual([
      ['/lines/1/lineNumber', 'duplicate-line-number'],
      ['/lines/2/quantity', 'invalid-quantity'],
      ['/lines/3/parentLineNumber', 'unknown-parent-line'],
      ['/lines/4/parentLineNumber', 'nested-bundle'],
    ]);
  });

  it('lets a channel whose acknowledgment is about syntax take a quantity of 0, never a negative one', () => {
    expect(validateOrder(draft([line('1', { quantity: 0 })]), { allowZeroQuantity: true }).ok).toBe(true);
    const negative = validateOrder(draft([line('1', { quantity: -1 })]), { allowZeroQuantity: true });
    expect(negative.ok ? [] : negative.error.map((p) => p.code)).toEqual(['invalid-quantity']);
  });

  it('refuses an order without lines', () => {
    expect(validateOrder(draft([]))).toEqual({ ok: false, error: [expect.objectContaining({ pointer: '/lines', code: 'no-lines' })] });
  });

  it('refuses a quantity that is not a finite number', () => {
    const result = validateOrder(draft([line('1', { quantity: Number.NaN })]));
    expect(result.ok).toBe(false);
  });
});
