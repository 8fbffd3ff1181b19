import { describe, expect, it } from 'vitest';
import type { ApprovalSummary } from './approval.ts';
import { approvalSms, escapeHtml, summaryHtml } from './approval-messages.ts';

const summary: ApprovalSummary = {
  approvalId: 'ap1',
  orderId: 'o1',
  externalRef: 'PO-'.padEnd(40, '9'),
  partner: { id: 'p1', name: 'A partner with a very long name indeed, Inc.' },
  currency: 'EUR',
  computedTotal: 1_234_567.891,
  lines: [
    { lineNumber: '1', sku: '<script>', quantity: 1, uom: 'EA', unitPrice: 1 },
    { lineNumber: '1.1', parentLineNumber: '1', sku: 'PART', quantity: 1, uom: 'EA' },
  ],
  reasons: [{ code: 'total-at-least', policy: 'p"olicy', detail: 'a & b' }],
  level: { level: 1, name: 'sales', of: 1 },
  history: [],
};

describe('approval messages', () => {
  it('fit an SMS in one segment with the short link whole', () => {
    const link = 'https://orders.example.com/a/AbCdEfGh12';
    const sms = approvalSms(summary, link);
    expect(sms.length).toBeLessThanOrEqual(160);
    expect(sms.endsWith(link)).toBe(true);
    expect(sms).toContain('EUR 1,234,567.89');
  });

  it("escape every value from the order in HTML, and indent a bundle's components", () => {
    const html = summaryHtml(summary);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('a &amp; b (p&quot;olicy)');
    expect(html).toContain('<li style="margin-left:1.5em">1.1. PART: 1 EA</li>');
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
