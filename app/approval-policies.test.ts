import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { startApprovalPolicies } from './compose.ts';

describe('approval policies at start', () => {
  it('APPROVALS_DIR unset: the demo policies', () => {
    expect(startApprovalPolicies(loadConfig({}).approvalsDir).map((p) => p.name)).toEqual(['large-orders', 'very-large-orders']);
  });
  it('a folder that cannot be read stops the start, naming the setting', () => {
    expect(() => startApprovalPolicies('/nonexistent/approvals')).toThrow(/^APPROVALS_DIR \/nonexistent\/approvals cannot be read: ENOENT/);
  });
  it('a bad policy stops the start, naming the file and the place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'approvals-'));
    writeFileSync(
      join(dir, 'big.yaml'),
      'policies:\n  - name: big\n    when: { totalAtLeast: { USD: lots } }\n    levels: [{ assignees: [{ role: x }] }]\n',
    );
    expect(() => startApprovalPolicies(loadConfig({ APPROVALS_DIR: dir }).approvalsDir)).toThrow(
      `the approval policies have problems: ${join(dir, 'big.yaml')}#/policies/0/when/totalAtLeast/USD: "lots" is not an amount: a number from 0 to 1000000000`,
    );
  });
});
