import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectGolden } from './golden.ts';

describe('expectGolden', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ordergate-golden-'));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string) => pathToFileURL(join(dir, name));

  it('fails on a missing golden file, naming it and UPDATE_GOLDEN, and writes nothing', () => {
    vi.stubEnv('UPDATE_GOLDEN', '');
    expect(() => expectGolden({ a: 1 }, file('missing.json'))).toThrow(
      `golden file ${join(dir, 'missing.json')} is missing: run the test with UPDATE_GOLDEN=1`,
    );
    expect(() => readFileSync(join(dir, 'missing.json'))).toThrow(/ENOENT/);
  });

  it('with UPDATE_GOLDEN=1 writes the file, then compares with it', () => {
    vi.stubEnv('UPDATE_GOLDEN', '1');
    expectGolden({ a: 1, b: [undefined, 2], c: undefined }, file('new.json'));
    expect(readFileSync(join(dir, 'new.json'), 'utf8')).toBe('{\n "a": 1,\n "b": [\n  null,\n  2\n ]\n}\n');
  });

  it('compares what is computed with the committed file', () => {
    vi.stubEnv('UPDATE_GOLDEN', '');
    writeFileSync(join(dir, 'kept.json'), '{ "a": 1 }\n');
    expectGolden({ a: 1 }, file('kept.json'));
    expect(() => expectGolden({ a: 2 }, file('kept.json'))).toThrow(/expected/);
  });
});
