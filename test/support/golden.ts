import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

// Golden files: what a test computes, compared as JSON with a file committed beside it. A missing
// file fails; UPDATE_GOLDEN=1 (re)writes it instead, to be reviewed in the diff and committed.

export function expectGolden(actual: unknown, file: URL): void {
  const json: unknown = JSON.parse(JSON.stringify(actual));
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, `${JSON.stringify(json, null, 1)}\n`);
  else if (!existsSync(file))
    throw new Error(
      `golden file ${fileURLToPath(file)} is missing: run the test with UPDATE_GOLDEN=1 to write it, review it and commit it`,
    );
  expect(json).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}
