import { describe, expect, it } from 'vitest';
import type { OrderDraft } from './order.ts';
import { judgeStatedTotal } from './stated-total.ts';

const draft = (statedTotal: number | undefined, extra: Partial<OrderDraft> = {}): OrderDraft => ({
  channel: 'cxml',
  externalRef: 'PO-1',
  orderType: 'new',
  orderDate: '2026-12-06',
  currency: 'USD',
  ...(statedTotal === undefined ? {} : { statedTotal }),
  lines: [
    { lineNumber: '1', sku: 'MODEM-X1', quantity: 2, uom: 'EA', unitPrice: 129, origin: '/lines/0' },
    { lineNumber: '2', sku: 'PORT-ACT', quantity: 1, uom: 'EA', unitPrice: 25, origin: '/lines/1' },
  ],
  ...extra,
});

describe('a stated total that is not the lines total, by the partner setting', () => {
  it('matching: valid whatever the setting', () => {
    for (const setting of ['refuse', 'hold', 'accept'] as const) expect(judgeStatedTotal(draft(283), setting).kind).toBe('valid');
  });
  it('refuse: the problem validateOrder has always given (the 400/422 of today)', () => {
    expect(judgeStatedTotal(draft(300), 'refuse')).toEqual({
      kind: 'refused',
      problems: [{ pointer: '/total', code: 'total-mismatch', detail: "stated total 300 does not match the lines' total 283" }],
    });
  });
  it('hold: the order, stated total kept, and the reason for approval', () => {
    const judged = judgeStatedTotal(draft(300), 'hold');
    expect(judged.kind).toBe('held');
    if (judged.kind !== 'held') return;
    expect(judged.order.statedTotal).toBe(300);
    expect(judged.order.totals).toEqual({ lineCount: 2, amount: 283 });
    expect(judged.reason).toEqual({
      code: 'stated-total-mismatch',
      policy: 'stated-total-mismatch',
      detail: "stated total 300.00 USD is not the lines' total 283.00 USD (off by 17.00 USD)",
    });
  });
  it('accept: the order goes on, the mismatch in words', () => {
    const judged = judgeStatedTotal(draft(280), 'accept');
    expect(judged.kind === 'accepted' && [judged.order.statedTotal, judged.detail]).toEqual([
      280,
      "stated total 280.00 USD is not the lines' total 283.00 USD (off by 3.00 USD)",
    ]);
  });
  it('any other problem refuses whatever the setting, every problem listed', () => {
    const broken = draft(300, { lines: [{ lineNumber: '1', quantity: 0, uom: 'EA', unitPrice: 1, origin: '/lines/0' }] });
    const judged = judgeStatedTotal(broken, 'hold');
    expect(judged.kind === 'refused' && judged.problems.map((p) => p.code)).toEqual(['invalid-quantity', 'total-mismatch']);
  });
});
