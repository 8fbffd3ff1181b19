import type { ApprovalSummary } from '../../domain/approval.ts';

/** An order as the lead's summary builder would give it: a plain line and a bundle with two components. */
export function sampleSummary(overrides: Partial<ApprovalSummary> = {}): ApprovalSummary {
  return {
    approvalId: 'apr-1',
    orderId: 'ord-1',
    externalRef: 'PO-77001',
    partner: { id: 'p-acme', name: 'Acme Outdoor' },
    currency: 'USD',
    computedTotal: 61234.5,
    statedTotal: 61300,
    lines: [
      { lineNumber: '2.2', parentLineNumber: '2', sku: 'PORT-ACT', quantity: 1, uom: 'EA' },
      { lineNumber: '1', sku: 'MODEM-X1', description: 'Cable modem', quantity: 1000, uom: 'EA', unitPrice: 49.5 },
      { lineNumber: '2', sku: 'INTERNET-100', quantity: 200, uom: 'EA', unitPrice: 59.99 },
      { lineNumber: '2.1', parentLineNumber: '2', sku: 'MODEM-X1', quantity: 1, uom: 'EA' },
    ],
    reasons: [{ code: 'total-at-least', policy: 'demo', detail: 'computed total 61,234.50 USD is at least 50,000 USD' }],
    level: { level: 2, name: 'finance', of: 2 },
    history: [{ at: '2026-12-06T10:00:00Z', by: 'Sam Sales', decision: 'approve', comment: 'known customer', via: 'link', level: 1 }],
    ...overrides,
  };
}
