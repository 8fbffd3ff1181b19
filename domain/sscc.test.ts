import { describe, expect, it } from 'vitest';
import { isSscc, serialCapacity, ssccOf } from './sscc.ts';

describe('SSCC-18', () => {
  it("checks GS1's published examples", () => {
    // GS1 General Specifications: SSCC 1 0614141 123456789 7.
    expect(isSscc('106141411234567897')).toBe(true);
    expect(isSscc('106141411234567898')).toBe(false);
    expect(isSscc('10614141123456789')).toBe(false);
  });

  it('makes one from extension digit, company prefix and serial reference, padded to seventeen digits before the check digit', () => {
    expect(ssccOf('1', '0614141', 123456789)).toBe('106141411234567897');
    // 0 0614141 000000001: weighted sum 48, so the check digit is 2.
    expect(ssccOf('0', '0614141', 1)).toBe('006141410000000012');
    expect(isSscc(ssccOf('0', '061414112345', 9999) as string)).toBe(true);
  });

  it('gives nothing for a serial the prefix leaves no room for', () => {
    expect(serialCapacity('061414112345')).toBe(10_000);
    expect(ssccOf('0', '061414112345', 10_000)).toBeUndefined();
  });
});
