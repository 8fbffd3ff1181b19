import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApprovalLevel } from './approval.ts';
import { combineLevels, evaluateApprovals, type ApprovalContext, type ApprovalPolicy, type PartnerFacts } from './approval-policy.ts';

const partner = (facts: Partial<PartnerFacts> = {}): PartnerFacts => ({
  ordersSoFar: 10,
  openOrderValue: 0,
  trusted: false,
  totalMismatch: 'hold',
  contractPrices: new Map(),
  ...facts,
});

const context = (over: Partial<ApprovalContext> = {}): ApprovalContext => ({
  partnerId: 'p1',
  currency: 'USD',
  computedTotal: 100,
  lines: [{ lineNumber: '1', sku: 'MODEM-X1', quantity: 1, unitPrice: 100 }],
  partner: partner(),
  listPrices: new Map(),
  ...over,
});

const level = (role: string, extra: Partial<ApprovalLevel> = {}): ApprovalLevel => ({
  level: 1,
  name: role,
  assignees: [{ role }],
  mode: 'any',
  method: 'click',
  ...extra,
});

const policy = (name: string, conditions: ApprovalPolicy['conditions'], extra: Partial<ApprovalPolicy> = {}): ApprovalPolicy => ({
  name,
  conditions,
  levels: [level('sales-manager')],
  autoApprove: [],
  partners: {},
  ...extra,
});

const reasonsOf = (policies: ApprovalPolicy[], ctx: ApprovalContext) => {
  const verdict = evaluateApprovals(policies, ctx);
  return verdict.required ? verdict.reasons : [];
};

describe('total at or above an amount per currency', () => {
  const large = policy('large', { totalAtLeast: { USD: 10000, '*': 20000 } });
  it('catches at the amount exactly, with both amounts in the reason', () => {
    expect(reasonsOf([large], context({ computedTotal: 10000 }))).toEqual([
      { code: 'total-at-least', policy: 'large', detail: 'computed total 10,000.00 USD is at or above 10,000.00 USD' },
    ]);
  });
  it('lets a total a cent below through', () => {
    expect(evaluateApprovals([large], context({ computedTotal: 9999.99 }))).toEqual({ required: false, autoApproved: [] });
  });
  it('takes * for a currency not named', () => {
    expect(reasonsOf([large], context({ currency: 'EUR', computedTotal: 15000 }))).toEqual([]);
    expect(reasonsOf([large], context({ currency: 'EUR', computedTotal: 20000 }))).toHaveLength(1);
  });
  it('without * a currency not named is never caught', () => {
    expect(reasonsOf([policy('usd', { totalAtLeast: { USD: 1 } })], context({ currency: 'EUR', computedTotal: 1e9 }))).toEqual([]);
  });
});

describe('price deviation from the contract price, else the list price', () => {
  const deviation = policy('prices', { priceDeviation: { percent: 10 } });
  const line = (unitPrice: number) => [{ lineNumber: '3', sku: 'MODEM-X1', quantity: 2, unitPrice }];
  it('names the line, the prices, the percentage and what it was compared with', () => {
    expect(reasonsOf([deviation], context({ lines: line(100), listPrices: new Map([['MODEM-X1', 129]]) }))).toEqual([
      {
        code: 'price-deviation',
        policy: 'prices',
        lineNumber: '3',
        detail: 'line 3 (MODEM-X1): unit price 100.00 USD is 22.48% below the catalog list price 129.00 USD; more than 10% is held',
      },
    ]);
  });
  it('prefers the contract price over the list price', () => {
    const ctx = context({
      lines: line(100),
      listPrices: new Map([['MODEM-X1', 129]]),
      partner: partner({ contractPrices: new Map([['MODEM-X1', 95]]) }),
    });
    expect(reasonsOf([deviation], ctx)).toEqual([]);
    const above = context({ lines: line(120), partner: partner({ contractPrices: new Map([['MODEM-X1', 100]]) }) });
    expect(reasonsOf([deviation], above)[0]?.detail).toBe(
      "line 3 (MODEM-X1): unit price 120.00 USD is 20% above the partner's contract price 100.00 USD; more than 10% is held",
    );
  });
  it('holds more than the percentage, not exactly it', () => {
    const list = new Map([['MODEM-X1', 100]]);
    expect(reasonsOf([deviation], context({ lines: line(110), listPrices: list }))).toEqual([]);
    expect(reasonsOf([deviation], context({ lines: line(90), listPrices: list }))).toEqual([]);
    expect(reasonsOf([deviation], context({ lines: line(110.01), listPrices: list }))).toHaveLength(1);
  });
  it('skips lines without a price, a SKU or a reference price', () => {
    const lines = [
      { lineNumber: '1', quantity: 1, unitPrice: 5 },
      { lineNumber: '2', sku: 'MODEM-X1', quantity: 1 },
      { lineNumber: '3', sku: 'OTHER', quantity: 1, unitPrice: 5 },
    ];
    expect(reasonsOf([deviation], context({ lines, listPrices: new Map([['MODEM-X1', 1]]) }))).toEqual([]);
  });
  it('a reference price of 0 is deviated from by any price', () => {
    expect(reasonsOf([deviation], context({ lines: line(1), listPrices: new Map([['MODEM-X1', 0]]) }))[0]?.detail).toContain(
      'is above a price of 0 the catalog list price 0.00 USD',
    );
  });
  it('never holds a price within the percentage, whatever the prices (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: -999, max: 999 }), (cents, permille) => {
        const reference = cents / 100;
        const price = Math.round(reference * (1 + permille / 10_000) * 100) / 100;
        const held = reasonsOf([deviation], context({ lines: line(price), listPrices: new Map([['MODEM-X1', reference]]) })).length > 0;
        expect(held).toBe(Math.abs(price - reference) / reference > 0.1 + 1e-12);
      }),
    );
  });
});

describe('stated total, items, SKUs, quantities', () => {
  it('a stated total off by a cent or more', () => {
    const mismatch = policy('mismatch', { statedTotalMismatch: true });
    expect(reasonsOf([mismatch], context({ statedTotal: 100.009 }))).toEqual([]);
    expect(reasonsOf([mismatch], context({ statedTotal: 99 }))).toEqual([
      {
        code: 'stated-total-mismatch',
        policy: 'mismatch',
        detail: "stated total 99.00 USD is not the lines' total 100.00 USD (off by 1.00 USD)",
      },
    ]);
    expect(reasonsOf([mismatch], context({ statedTotal: 99, partner: partner({ totalMismatch: 'accept' }) }))).toEqual([]);
  });
  it('unresolved items, restricted SKUs and quantities above the maximum, line by line', () => {
    const lines = [
      { lineNumber: '1', quantity: 1, unresolved: true },
      { lineNumber: '2', sku: 'GUN', quantity: 500 },
      { lineNumber: '3', sku: 'MODEM-X1', quantity: 100 },
    ];
    const all = policy('lines', { unresolvedItems: true, restrictedSkus: ['GUN'], quantityAbove: 100 });
    expect(reasonsOf([all], context({ lines }))).toEqual([
      { code: 'unresolved-items', policy: 'lines', lineNumber: '1', detail: 'line 1: its item resolves to no SKU of ours' },
      { code: 'restricted-sku', policy: 'lines', lineNumber: '2', detail: 'line 2: SKU GUN is restricted' },
      { code: 'quantity-above', policy: 'lines', lineNumber: '2', detail: 'line 2: quantity 500 is above the maximum of 100' },
    ]);
  });
});

describe("the partner's first orders and its credit limit", () => {
  it('holds the first N orders, counting this one', () => {
    const first = policy('new-partner', { firstOrders: 3 });
    expect(reasonsOf([first], context({ partner: partner({ ordersSoFar: 2 }) }))).toEqual([
      { code: 'first-orders', policy: 'new-partner', detail: 'order 3 of the partner; its first 3 are held' },
    ]);
    expect(reasonsOf([first], context({ partner: partner({ ordersSoFar: 3 }) }))).toEqual([]);
  });
  it('holds an order that takes the open order value above the limit', () => {
    const credit = policy('credit', { overCreditLimit: true });
    const limit = { amount: 1000, currency: 'USD' };
    expect(reasonsOf([credit], context({ partner: partner({ openOrderValue: 900, creditLimit: limit }) }))).toEqual([]);
    expect(reasonsOf([credit], context({ partner: partner({ openOrderValue: 900.01, creditLimit: limit }) }))).toEqual([
      {
        code: 'credit-limit',
        policy: 'credit',
        detail: 'open orders 900.01 USD and this order 100.00 USD come to 1,000.01 USD, above the credit limit of 1,000.00 USD',
      },
    ]);
  });
  it('a limit in another currency cannot be compared, and holds; no limit never holds', () => {
    const credit = policy('credit', { overCreditLimit: true });
    expect(reasonsOf([credit], context({ partner: partner({ creditLimit: { amount: 1e6, currency: 'EUR' } }) }))[0]?.detail).toBe(
      'the credit limit is 1,000,000.00 EUR and the order is in USD: they cannot be compared',
    );
    expect(reasonsOf([credit], context({ partner: partner({ openOrderValue: 1e9 }) }))).toEqual([]);
  });
});

describe('auto-approval and per-partner overrides', () => {
  const large = policy('large', { totalAtLeast: { '*': 10000 } }, { autoApprove: [{ trusted: true, totalBelow: { USD: 20000 } }] });
  it('lets a trusted partner below the amount through, and says which policy did', () => {
    expect(evaluateApprovals([large], context({ computedTotal: 15000, partner: partner({ trusted: true }) }))).toEqual({
      required: false,
      autoApproved: ['large'],
    });
  });
  it('every field of a rule must hold', () => {
    expect(evaluateApprovals([large], context({ computedTotal: 15000 })).required).toBe(true);
    expect(evaluateApprovals([large], context({ computedTotal: 20000, partner: partner({ trusted: true }) })).required).toBe(true);
    expect(
      evaluateApprovals([large], context({ currency: 'EUR', computedTotal: 15000, partner: partner({ trusted: true }) })).required,
    ).toBe(true);
  });
  it('an override turns the policy off for one partner, changes its amounts, or trusts the partner', () => {
    const ctx = context({ computedTotal: 15000 });
    const off = { ...large, partners: { p1: { disabled: true } } };
    expect(evaluateApprovals([off], ctx).required).toBe(false);
    expect(evaluateApprovals([off], { ...ctx, partnerId: 'p2' }).required).toBe(true);
    const higher = { ...large, partners: { p1: { conditions: { totalAtLeast: { USD: 50000 } } } } };
    expect(evaluateApprovals([higher], ctx).required).toBe(false);
    const trusted = { ...large, partners: { p1: { trusted: true } } };
    expect(evaluateApprovals([trusted], ctx)).toEqual({ required: false, autoApproved: ['large'] });
  });
});

describe('several policies: reasons in policy order, levels concatenated, the same assignees asked once', () => {
  const manager = level('sales-manager', { sla: 'PT4H' });
  const finance = level('finance', { method: 'signature', signatureProvider: 'docusign', level: 2 });
  const large = policy('large', { totalAtLeast: { '*': 10000 } }, { levels: [manager] });
  const veryLarge = policy('very-large', { totalAtLeast: { '*': 50000 } }, { levels: [{ ...manager, sla: 'P1D' }, finance] });

  it('the demo shape: 10,000 → the sales manager; 50,000 → the sales manager, then finance by signature', () => {
    const mid = evaluateApprovals([large, veryLarge], context({ computedTotal: 12000 }));
    expect(mid.required && mid.levels).toEqual([{ ...manager, level: 1 }]);
    const big = evaluateApprovals([large, veryLarge], context({ computedTotal: 60000 }));
    expect(big.required && big.reasons.map((r) => r.policy)).toEqual(['large', 'very-large']);
    expect(big.required && big.levels).toEqual([
      { ...manager, level: 1 },
      { ...finance, level: 2 },
    ]);
  });
  it('assignees compared as a set; another mode or method is another level', () => {
    const pair = level('x', { assignees: [{ role: 'a' }, { person: 'p-9' }] });
    const same = level('y', { assignees: [{ person: 'p-9' }, { role: 'a' }] });
    const all = { ...same, mode: 'all' as const };
    const levels = combineLevels([policy('one', {}, { levels: [pair] }), policy('two', {}, { levels: [same, all] })]);
    expect(levels.map((l) => [l.level, l.name, l.mode])).toEqual([
      [1, 'x', 'any'],
      [2, 'y', 'all'],
    ]);
  });
  it('levels are numbered 1..n without gaps (property)', () => {
    const roles = fc.constantFrom('a', 'b', 'c', 'd');
    fc.assert(
      fc.property(fc.array(fc.array(roles, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }), (plan) => {
        const policies = plan.map((list, i) => policy(`p${i}`, {}, { levels: list.map((role) => level(role)) }));
        const levels = combineLevels(policies);
        expect(levels.map((l) => l.level)).toEqual(levels.map((_, i) => i + 1));
        expect(new Set(levels.map((l) => l.name)).size).toBe(levels.length);
        expect(new Set(levels.map((l) => l.name))).toEqual(new Set(plan.flat()));
      }),
    );
  });
});

describe("a stated total the partner's setting holds", () => {
  it('no policy names it: the order desk decides', () => {
    const verdict = evaluateApprovals([], context({ statedTotal: 90 }));
    expect(verdict).toEqual({
      required: true,
      autoApproved: [],
      reasons: [
        {
          code: 'stated-total-mismatch',
          policy: 'stated-total-mismatch',
          detail: "stated total 90.00 USD is not the lines' total 100.00 USD (off by 10.00 USD)",
        },
      ],
      levels: [{ level: 1, name: 'order desk', assignees: [{ role: 'order-desk' }], mode: 'any', method: 'click' }],
    });
  });
  it("a policy's condition names who decides, and the fallback stays out", () => {
    const verdict = evaluateApprovals([policy('mismatch', { statedTotalMismatch: true })], context({ statedTotal: 90 }));
    expect(verdict.required && verdict.levels.map((l) => l.name)).toEqual(['sales-manager']);
  });
  it('a policy that lets it through (auto-approval, an override turning it off) does not: the setting holds it', () => {
    const lenient = policy(
      'mismatch',
      { statedTotalMismatch: true },
      { autoApprove: [{ trusted: true }], partners: { p2: { disabled: true } } },
    );
    const trusted = evaluateApprovals([lenient], context({ statedTotal: 90, partner: partner({ trusted: true }) }));
    expect(trusted.required && [trusted.autoApproved, trusted.reasons.map((r) => r.policy), trusted.levels.map((l) => l.name)]).toEqual([
      ['mismatch'],
      ['stated-total-mismatch'],
      ['order desk'],
    ]);
    const off = evaluateApprovals([lenient], context({ partnerId: 'p2', statedTotal: 90 }));
    expect(off.required && off.reasons.map((r) => r.policy)).toEqual(['stated-total-mismatch']);
  });
  it('accept lets it through', () => {
    expect(evaluateApprovals([], context({ statedTotal: 90, partner: partner({ totalMismatch: 'accept' }) })).required).toBe(false);
  });
});
