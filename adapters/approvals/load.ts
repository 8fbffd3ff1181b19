import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { ApprovalPolicy } from '../../domain/approval-policy.ts';
import { checkApprovalPolicies, type PolicyProblem } from '../../domain/approval-policy-check.ts';
import { err, type Result } from '../../domain/result.ts';
import { packageFile } from '../../package-files.ts';

export const defaultApprovalsDir = fileURLToPath(packageFile('mappings/approvals'));

/**
 * Reads every `*.yaml` in `dir` (sorted by name: the order policies combine in) and checks them
 * together. A file that is not YAML is a `not-yaml` problem; a directory that cannot be read is
 * thrown (a failure, not an outcome).
 */
export function loadApprovalPolicies(dir: string = defaultApprovalsDir): Result<ApprovalPolicy[], PolicyProblem[]> {
  const names = readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .sort();
  const files: { file: string; data: unknown }[] = [];
  const problems: PolicyProblem[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    try {
      files.push({ file, data: parse(text) });
    } catch (error) {
      problems.push({ file, pointer: '', code: 'not-yaml', detail: `not YAML: ${(error as Error).message}` });
    }
  }
  const checked = checkApprovalPolicies(files);
  if (problems.length > 0) return err([...problems, ...(checked.ok ? [] : checked.error)]);
  return checked;
}

/** One line per problem: file, pointer, what is wrong. */
export const describePolicyProblems = (problems: readonly PolicyProblem[]): string =>
  problems.map((problem) => `${problem.file}#${problem.pointer}: ${problem.detail}`).join('; ');
