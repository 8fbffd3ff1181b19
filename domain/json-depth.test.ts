import { describe, expect, it } from 'vitest';
import { firstTooDeep } from './json-depth.ts';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('firstTooDeep', () => {
  it('takes a body exactly at the limit and names the first container past it', () => {
    expect(firstTooDeep(nested(64))).toBeUndefined();
    expect(firstTooDeep(nested(65))).toBe('/0'.repeat(64));
  });

  it('counts objects and arrays alike and escapes the keys of the pointer', () => {
    const body = { 'a/b': { 'c~d': [{ e: 1 }] } };
    expect(firstTooDeep(body, 4)).toBeUndefined();
    expect(firstTooDeep(body, 3)).toBe('/a~1b/c~0d/0');
  });

  it('walks a million levels without running out of stack', () => {
    expect(firstTooDeep(nested(1_000_000))).toHaveLength('/0'.length * 64);
  });

  it('ignores scalars, however many', () => {
    expect(firstTooDeep('text')).toBeUndefined();
    expect(firstTooDeep(Array.from({ length: 100_000 }, (_, i) => i))).toBeUndefined();
  });
});
