import { describe, expect, it } from 'vitest';
import { approvalContext } from './approval-context.ts';
import type { PartnerFacts } from './approval-policy.ts';
import { checkCatalog } from './catalog.ts';
import { validateOrder } from './order.ts';

describe('the context, from the canonical order, the partner facts and the catalog', () => {
  it("carries the computed and stated totals, each line, and the list prices in the order's currency", () => {
    const catalog = checkCatalog({
      vendors: { v: { name: 'V' } },
      skus: {},
      default: { tasks: [{ name: 'ship', type: 'ship', vendor: 'v', sla: 'P1D' }] },
      listPrices: { 'MODEM-X1': { USD: 129, EUR: 119 }, 'PORT-ACT': { EUR: 23 } },
    });
    const order = validateOrder({
      channel: 'api',
      externalRef: 'PO-9',
      orderType: 'new',
      orderDate: '2026-12-06',
      currency: 'EUR',
      statedTotal: 261,
      lines: [
        { lineNumber: '1', sku: 'BUNDLE', quantity: 1, uom: 'EA', origin: '/lines/0' },
        { lineNumber: '1.1', parentLineNumber: '1', sku: 'MODEM-X1', quantity: 2, uom: 'EA', unitPrice: 119, origin: '/lines/1' },
        { lineNumber: '1.2', parentLineNumber: '1', sku: 'PORT-ACT', quantity: 1, uom: 'EA', unitPrice: 23, origin: '/lines/2' },
        { lineNumber: '2', quantity: 1, uom: 'EA', origin: '/lines/3' },
      ],
    });
    if (!order.ok || !catalog.ok) throw new Error('fixture does not validate');
    const partner: PartnerFacts = { ordersSoFar: 0, openOrderValue: 0, trusted: false, totalMismatch: 'hold', contractPrices: new Map() };
    const context = approvalContext(order.value, 'p-1', partner, catalog.value, ['2']);
    expect(context).toEqual({
      partnerId: 'p-1',
      currency: 'EUR',
      computedTotal: 261,
      statedTotal: 261,
      lines: [
        { lineNumber: '1', sku: 'BUNDLE', quantity: 1 },
        { lineNumber: '1.1', parentLineNumber: '1', sku: 'MODEM-X1', quantity: 2, unitPrice: 119 },
        { lineNumber: '1.2', parentLineNumber: '1', sku: 'PORT-ACT', quantity: 1, unitPrice: 23 },
        { lineNumber: '2', quantity: 1, unresolved: true },
      ],
      partner,
      listPrices: new Map([
        ['MODEM-X1', 119],
        ['PORT-ACT', 23],
      ]),
    });
  });
});
