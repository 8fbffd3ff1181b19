import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateApprovals, type PartnerFacts } from '../../domain/approval-policy.ts';
import type { PolicyProblem } from '../../domain/approval-policy-check.ts';
import { describePolicyProblems, loadApprovalPolicies } from './index.ts';

const facts: PartnerFacts = { ordersSoFar: 5, openOrderValue: 0, trusted: false, totalMismatch: 'hold', contractPrices: new Map() };

describe('the demo policies (mappings/approvals/demo.yaml)', () => {
  const loaded = loadApprovalPolicies();
  const policies = loaded.ok ? loaded.value : [];
  const verdict = (currency: string, computedTotal: number) =>
    evaluateApprovals(policies, { partnerId: 'p', currency, computedTotal, lines: [], partner: facts, listPrices: new Map() });

  it('load clean', () => {
    expect(loaded.ok ? [] : loaded.error).toEqual([]);
    expect(policies.map((p) => p.name)).toEqual(['large-orders', 'very-large-orders']);
  });
  it('below 10,000 in any currency: no approval', () => {
    expect(verdict('USD', 9999.99).required).toBe(false);
    expect(verdict('JPY', 9999).required).toBe(false);
  });
  it('10,000 or more: the sales-manager role', () => {
    const found = verdict('EUR', 10000);
    expect(found.required && found.levels).toEqual([
      { level: 1, name: 'sales manager', assignees: [{ role: 'sales-manager' }], mode: 'any', method: 'click', sla: 'PT4H' },
    ]);
  });
  it('50,000 or more: then finance, by DocuSign signature', () => {
    const found = verdict('USD', 50000);
    expect(found.required && found.levels.map((l) => [l.level, l.assignees, l.method, l.signatureProvider])).toEqual([
      [1, [{ role: 'sales-manager' }], 'click', undefined],
      [2, [{ role: 'finance' }], 'signature', 'docusign'],
    ]);
    expect(found.required && found.reasons.map((r) => r.detail)).toEqual([
      'computed total 50,000.00 USD is at or above 10,000.00 USD',
      'computed total 50,000.00 USD is at or above 50,000.00 USD',
    ]);
  });
});

/** A directory holding `files` (name → text). */
function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'policies-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const problemsIn = (files: Record<string, string>): (Pick<PolicyProblem, 'pointer' | 'code' | 'detail'> & { file: string })[] => {
  const loaded = loadApprovalPolicies(dirWith(files));
  if (loaded.ok) throw new Error('expected problems, the policies loaded');
  return loaded.error.map((p) => ({ ...p, file: p.file.replace(/^.*[/\\]/, '') }));
};

const oneLevel = `
    levels:
      - assignees: [{ role: sales-manager }]`;

describe('a policy file with a problem names the file, the pointer and what is wrong', () => {
  it('not YAML', () => {
    const [problem] = problemsIn({ 'a.yaml': 'policies: [\n' });
    expect(problem).toMatchObject({ file: 'a.yaml', pointer: '', code: 'not-yaml' });
  });
  it('an unknown condition', () => {
    expect(problemsIn({ 'a.yaml': `policies:\n  - name: x\n    when:\n      totalAbove: { USD: 1 }${oneLevel}` })).toEqual([
      {
        file: 'a.yaml',
        pointer: '/policies/0/when/totalAbove',
        code: 'unknown-condition',
        detail:
          'unknown condition "totalAbove"; known conditions: totalAtLeast, priceDeviation, statedTotalMismatch, unresolvedItems, restrictedSkus, quantityAbove, firstOrders, overCreditLimit',
      },
    ]);
  });
  it('a bad amount and a bad currency', () => {
    expect(problemsIn({ 'a.yaml': `policies:\n  - name: x\n    when:\n      totalAtLeast: { USD: -5, usd: 3 }${oneLevel}` })).toEqual([
      {
        file: 'a.yaml',
        pointer: '/policies/0/when/totalAtLeast/USD',
        code: 'bad-amount',
        detail: '-5 is not an amount: a number from 0 to 1000000000',
      },
      {
        file: 'a.yaml',
        pointer: '/policies/0/when/totalAtLeast/usd',
        code: 'bad-currency',
        detail: '"usd" is not a currency code (three capital letters, ISO 4217: USD, EUR) or * for every currency',
      },
    ]);
  });
  it('a bad duration', () => {
    const text = `policies:\n  - name: x\n    when: { firstOrders: 2 }\n    levels:\n      - assignees: [{ role: a }]\n        sla: 4 hours`;
    expect(problemsIn({ 'a.yaml': text })).toEqual([
      {
        file: 'a.yaml',
        pointer: '/policies/0/levels/0/sla',
        code: 'bad-duration',
        detail: 'sla "4 hours" is not a non-zero ISO 8601 duration in days, hours and minutes such as PT4H, P1D or P1DT12H',
      },
    ]);
  });
  it('a level without an assignee, and a policy without levels', () => {
    const text = `policies:\n  - name: x\n    when: { firstOrders: 2 }\n    levels:\n      - name: nobody\n  - name: y\n    when: { firstOrders: 1 }`;
    expect(problemsIn({ 'a.yaml': text }).map((p) => [p.pointer, p.code])).toEqual([
      ['/policies/0/levels/0/assignees', 'level-without-assignee'],
      ['/policies/1/levels', 'no-levels'],
    ]);
  });
  it('a signature without a provider, an unknown provider, a provider without a signature', () => {
    const text = `policies:
  - name: x
    when: { firstOrders: 2 }
    levels:
      - assignees: [{ role: finance }]
        method: signature
      - assignees: [{ role: finance }]
        method: signature
        signatureProvider: hellosign
      - assignees: [{ person: p-1 }]
        signatureProvider: docusign`;
    expect(problemsIn({ 'a.yaml': text }).map((p) => [p.pointer, p.code, p.detail])).toEqual([
      [
        '/policies/0/levels/0/signatureProvider',
        'signature-without-provider',
        'a signature level needs a signatureProvider: docusign or acrobat-sign',
      ],
      [
        '/policies/0/levels/1/signatureProvider',
        'unknown-signature-provider',
        'signatureProvider "hellosign" is not one of docusign, acrobat-sign',
      ],
      ['/policies/0/levels/2/signatureProvider', 'provider-without-signature', 'a signatureProvider needs method: signature'],
    ]);
  });
  it('the same policy name twice, across files, says where the first is', () => {
    const policy = `policies:\n  - name: big\n    when: { firstOrders: 2 }${oneLevel}`;
    const dir = dirWith({ 'a.yaml': policy, 'b.yaml': policy });
    const loaded = loadApprovalPolicies(dir);
    expect(loaded.ok ? [] : loaded.error).toEqual([
      {
        file: join(dir, 'b.yaml'),
        pointer: '/policies/0/name',
        code: 'duplicate-policy-name',
        detail: `policy "big" is already defined at ${join(dir, 'a.yaml')}#/policies/0`,
      },
    ]);
  });
  it('bad assignees, modes, methods, percentages, counts, overrides and rules, each at its place', () => {
    const text = `policies:
  - name: Big Orders
    when: { priceDeviation: { percent: 0 }, firstOrders: 0, restrictedSkus: [], overCreditLimit: yes }
    levels:
      - assignees: [{ team: x }]
        mode: some
        method: fax
        escalateTo: { role: '' }
    autoApprove:
      - { totalBelow: { USD: x } }
    partners:
      p-1: { disabled: 'no', when: { nope: 1 } }
    extra: 1`;
    expect(problemsIn({ 'a.yaml': text }).map((p) => [p.pointer, p.code])).toEqual([
      ['/policies/0/extra', 'unknown-field'],
      ['/policies/0/name', 'bad-name'],
      ['/policies/0/when/priceDeviation/percent', 'bad-percent'],
      ['/policies/0/when/firstOrders', 'bad-count'],
      ['/policies/0/when/restrictedSkus', 'wrong-type'],
      ['/policies/0/when/overCreditLimit', 'wrong-type'],
      ['/policies/0/levels/0/assignees/0', 'bad-assignee'],
      ['/policies/0/levels/0/mode', 'bad-mode'],
      ['/policies/0/levels/0/escalateTo', 'bad-assignee'],
      ['/policies/0/levels/0/method', 'bad-method'],
      ['/policies/0/autoApprove/0/totalBelow/USD', 'bad-amount'],
      ['/policies/0/partners/p-1/disabled', 'wrong-type'],
      ['/policies/0/partners/p-1/when/nope', 'unknown-condition'],
    ]);
  });
  it("no conditions, a missing name, and the gateway's own name", () => {
    const text = `policies:\n  - when: {}${oneLevel}\n  - name: stated-total-mismatch\n    when: { statedTotalMismatch: true }${oneLevel}`;
    expect(problemsIn({ 'a.yaml': text }).map((p) => [p.pointer, p.code])).toEqual([
      ['/policies/0/name', 'missing-field'],
      ['/policies/0/when', 'no-conditions'],
      ['/policies/1/name', 'reserved-name'],
    ]);
  });
  it('the start-up line names each problem with file#pointer', () => {
    const dir = dirWith({ 'a.yaml': `policies:\n  - name: x\n    when: { firstOrders: 1 }` });
    const loaded = loadApprovalPolicies(dir);
    expect(loaded.ok ? '' : describePolicyProblems(loaded.error)).toBe(
      `${join(dir, 'a.yaml')}#/policies/0/levels: a policy needs at least one level: who decides`,
    );
  });
});

describe('what a good file gives', () => {
  it('overrides, auto-approval and levels with defaults filled in; files in name order', () => {
    const dir = dirWith({
      'b.yaml': `policies:
  - name: credit
    when: { overCreditLimit: true, quantityAbove: 500, restrictedSkus: [GUN] }
    levels:
      - assignees: [{ person: p-7 }, { role: finance }]
        mode: all
        escalateTo: { role: cfo }
    autoApprove:
      - { trusted: true, totalBelow: { '*': 1000 } }
    partners:
      acme: { when: { quantityAbove: 1000 }, trusted: true }
      other: { disabled: true }`,
      'a.yaml': `policies:\n  - name: first\n    when: { firstOrders: 3, unresolvedItems: true }${oneLevel}`,
      'notes.txt': 'not a policy file',
    });
    const loaded = loadApprovalPolicies(dir);
    expect(loaded.ok && loaded.value).toEqual([
      {
        name: 'first',
        conditions: { firstOrders: 3, unresolvedItems: true },
        levels: [{ level: 1, name: 'level 1', assignees: [{ role: 'sales-manager' }], mode: 'any', method: 'click' }],
        autoApprove: [],
        partners: {},
      },
      {
        name: 'credit',
        conditions: { overCreditLimit: true, quantityAbove: 500, restrictedSkus: ['GUN'] },
        levels: [
          {
            level: 1,
            name: 'level 1',
            assignees: [{ person: 'p-7' }, { role: 'finance' }],
            mode: 'all',
            method: 'click',
            escalateTo: { role: 'cfo' },
          },
        ],
        autoApprove: [{ trusted: true, totalBelow: { '*': 1000 } }],
        partners: { acme: { conditions: { quantityAbove: 1000 }, trusted: true }, other: { disabled: true } },
      },
    ]);
  });
});
