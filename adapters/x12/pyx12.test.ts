import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { map850For } from './map-850.ts';
import { readX12 } from './read.ts';
import { acknowledge } from './respond.ts';
import { tokenize } from './tokenize.ts';

// pyx12's negative sample: an 837 cut off after GE (no IEA) whose SE01 says 0. Our answer must
// carry the same codes at the same positions as pyx12's own expected acknowledgment.

const expectedDir = new URL('./fixtures/pyx12/', import.meta.url);
const acknowledgmentSegments = ['TA1', 'AK1', 'AK2', 'AK3', 'AK4', 'AK5', 'AK9'];

function meaningful(text: string | Uint8Array): string[][] {
  return tokenize(text)
    .flatMap((e) => (e.kind === 'segment' ? [e.segment] : []))
    .filter((s) => acknowledgmentSegments.includes(s.tag))
    .map((s) => [s.tag, ...s.elements]);
}

describe('pyx12 fail_no_IEA', () => {
  it('gets a TA1 R/023 and a 997 with the same AK3/AK5/AK9 codes and positions as pyx12', () => {
    const input = readFileSync(new URL('pyx12-fail_no_IEA.txt', expectedDir));
    const { interchanges, unreadable } = readX12(input, { map: map850For('default') });
    expect(unreadable).toEqual([]);
    expect(interchanges).toHaveLength(1);
    const outcome = interchanges[0];
    if (outcome === undefined) return;
    expect(outcome.accepted).toEqual([]);
    const ack = acknowledge(outcome, { interchangeControl: 1, groupControl: 1, at: new Date('2026-11-27T12:00:00Z') });
    const expected = meaningful(readFileSync(new URL('pyx12-fail_no_IEA.997.base', expectedDir)));
    expect(meaningful(ack.text)).toEqual(expected);
    expect(expected.map((s) => s[0])).toEqual(['TA1', 'AK1', 'AK2', 'AK3', 'AK3', 'AK5', 'AK9']);
  });
});
