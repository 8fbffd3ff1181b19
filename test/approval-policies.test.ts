import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApprovalPolicies, startCatalog } from '../app/compose.ts';
import { policyGate } from '../pipeline/approval-gate.ts';
import { adminKey, sampleOrder, startTestApp, type TestApp } from './support/app.ts';

// The policies as data, through the order flow on the real PostgreSQL: the demo policy's
// thresholds, and a policy file of the partner-fact conditions fed by the partner API.

const modems = (ref: string, quantity: number, unitPrice: number) => ({
  ...sampleOrder,
  externalRef: ref,
  lines: [{ lineNumber: '1', sku: 'MODEM-X1', quantity, uom: 'EA', unitPrice }],
});

type Approval = { reasons: { code: string; policy: string; detail: string; lineNumber?: string }[]; levels: Record<string, unknown>[] };

async function submit(t: TestApp, key: string, body: { externalRef: string }) {
  const res = await t.request({ method: 'POST', url: '/v1/orders', key, headers: { 'idempotency-key': body.externalRef }, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  const { id, status } = res.json() as { id: string; status: string };
  const approvals = (await t.request({ method: 'GET', url: `/v1/orders/${id}/approvals`, key })).json().approvals as Approval[];
  return { id, status, approval: approvals[0] };
}

describe('the demo policy (mappings/approvals/demo.yaml) in the order flow', () => {
  let t: TestApp;
  let shop: { id: string; key: string };
  beforeAll(async () => {
    const catalog = startCatalog();
    t = await startTestApp('postgres', { catalog, server: { approvals: { gate: policyGate(startApprovalPolicies(undefined), catalog) } } });
    shop = await t.partner('Demo Shop');
  });
  afterAll(async () => t?.close());

  it('below 10,000: planned at once, no approval', async () => {
    const order = await submit(t, shop.key, modems('PO-D1', 77, 129));
    expect([order.status, order.approval]).toEqual(['decomposed', undefined]);
  });
  it('10,000 or more: the sales manager', async () => {
    const order = await submit(t, shop.key, modems('PO-D2', 100, 100));
    expect(order.status).toBe('pending_approval');
    expect(order.approval?.reasons).toEqual([
      { code: 'total-at-least', policy: 'large-orders', detail: 'computed total 10,000.00 USD is at or above 10,000.00 USD' },
    ]);
    expect(order.approval?.levels).toEqual([
      { level: 1, name: 'sales manager', assignees: [{ role: 'sales-manager' }], mode: 'any', method: 'click', sla: 'PT4H' },
    ]);
  });
  it('a stated total off its lines: held for the order desk by default, refused or let through as the partner chose', async () => {
    const mismatched = (ref: string) => ({ ...modems(ref, 2, 100), total: 250 });
    const held = await submit(t, shop.key, mismatched('PO-TOTAL-1'));
    expect(held.status).toBe('pending_approval');
    expect(held.approval?.reasons.map((r) => r.code)).toEqual(['stated-total-mismatch']);
    expect(held.approval?.levels.map((l) => l.assignees)).toEqual([[{ role: 'order-desk' }]]);
    const patch = (totalMismatch: string) =>
      t.request({ method: 'PATCH', url: `/v1/partners/${shop.id}`, key: adminKey, payload: { totalMismatch } });
    expect((await patch('refuse')).statusCode).toBe(200);
    const refused = await t.request({
      method: 'POST',
      url: '/v1/orders',
      key: shop.key,
      headers: { 'idempotency-key': 'PO-TOTAL-2' },
      payload: mismatched('PO-TOTAL-2'),
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors[0]).toMatchObject({ pointer: '/total', code: 'total-mismatch' });
    expect((await patch('accept')).statusCode).toBe(200);
    expect((await submit(t, shop.key, mismatched('PO-TOTAL-3'))).status).toBe('decomposed');
    expect((await patch('hold')).statusCode).toBe(200);
  });

  it('50,000 or more: the sales manager, then finance by DocuSign signature', async () => {
    const order = await submit(t, shop.key, modems('PO-D3', 500, 100));
    expect(order.approval?.levels.map((l) => [l.level, l.assignees, l.method, l.signatureProvider])).toEqual([
      [1, [{ role: 'sales-manager' }], 'click', undefined],
      [2, [{ role: 'finance' }], 'signature', 'docusign'],
    ]);
  });
});

describe('policies on partner facts: contract prices, first orders, credit limit, trust', () => {
  let t: TestApp;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'approvals-'));
    writeFileSync(
      join(dir, 'partners.yaml'),
      `policies:
  - name: off-contract
    when: { priceDeviation: { percent: 10 } }
    levels: [{ name: pricing, assignees: [{ role: pricing }] }]
  - name: credit
    when: { overCreditLimit: true }
    levels: [{ name: finance, assignees: [{ role: finance }] }]
  - name: new-partner
    when: { firstOrders: 1 }
    levels: [{ name: sales, assignees: [{ role: sales-manager }] }]
    autoApprove: [{ trusted: true }]
`,
    );
    const catalog = startCatalog();
    t = await startTestApp('postgres', { catalog, server: { approvals: { gate: policyGate(startApprovalPolicies(dir), catalog) } } });
  });
  afterAll(async () => t?.close());

  const admin = (method: 'PATCH' | 'PUT', url: string, payload: object) => t.request({ method, url, key: adminKey, payload });

  it("a new partner's first order waits for sales, unless the partner is trusted", async () => {
    const fresh = await t.partner('Fresh Buyer');
    const first = await submit(t, fresh.key, modems('PO-N1', 1, 129));
    expect(first.approval?.reasons).toEqual([
      { code: 'first-orders', policy: 'new-partner', detail: 'order 1 of the partner; its first 1 are held' },
    ]);
    expect((await submit(t, fresh.key, modems('PO-N2', 1, 129))).status).toBe('decomposed');
    const trusted = await t.partner('Trusted Newcomer');
    await admin('PATCH', `/v1/partners/${trusted.id}`, { trusted: true });
    expect((await submit(t, trusted.key, modems('PO-T1', 1, 129))).status).toBe('decomposed');
  });

  it('a unit price off the contract price (else the list price) by more than 10% waits for pricing, the line named', async () => {
    const buyer = await t.partner('Contract Buyer');
    await admin('PATCH', `/v1/partners/${buyer.id}`, { trusted: true });
    // The list price of MODEM-X1 is 129.00 USD: 100 is 22.48% below it.
    const offList = await submit(t, buyer.key, modems('PO-P1', 1, 100));
    expect(offList.approval?.reasons.map((r) => r.detail)).toEqual([
      'line 1 (MODEM-X1): unit price 100.00 USD is 22.48% below the catalog list price 129.00 USD; more than 10% is held',
    ]);
    await admin('PUT', `/v1/partners/${buyer.id}/prices`, { prices: [{ sku: 'MODEM-X1', currency: 'USD', unitPrice: 95 }] });
    expect((await submit(t, buyer.key, modems('PO-P2', 1, 100))).status).toBe('decomposed');
    const offContract = await submit(t, buyer.key, modems('PO-P3', 1, 120));
    expect(offContract.approval?.reasons).toEqual([
      {
        code: 'price-deviation',
        policy: 'off-contract',
        lineNumber: '1',
        detail: "line 1 (MODEM-X1): unit price 120.00 USD is 26.32% above the partner's contract price 95.00 USD; more than 10% is held",
      },
    ]);
  });

  it('an order that takes the open orders above the credit limit waits for finance', async () => {
    const buyer = await t.partner('Credit Buyer');
    await admin('PATCH', `/v1/partners/${buyer.id}`, { trusted: true, creditLimit: { amount: 1000, currency: 'USD' } });
    expect((await submit(t, buyer.key, modems('PO-C1', 5, 129))).status).toBe('decomposed');
    const over = await submit(t, buyer.key, modems('PO-C2', 3, 129));
    expect(over.approval?.reasons).toEqual([
      {
        code: 'credit-limit',
        policy: 'credit',
        detail: 'open orders 645.00 USD and this order 387.00 USD come to 1,032.00 USD, above the credit limit of 1,000.00 USD',
      },
    ]);
    expect(over.approval?.levels.map((l) => l.name)).toEqual(['finance']);
  });
});
