import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectGolden } from '../../test/support/golden.ts';
import { draft850For } from './map-850.ts';
import { readX12 } from './read.ts';
import { acknowledge } from './respond.ts';

// Golden files: each public sample → the canonical drafts it maps to and the acknowledgment it gets.
// A missing golden file fails; regenerate after a deliberate change with UPDATE_GOLDEN=1 and review the diff.

const samples = new URL('./fixtures/samples/', import.meta.url);
const golden = new URL('./fixtures/golden/', import.meta.url);
const control = { interchangeControl: 1, groupControl: 1, at: new Date('2026-11-27T12:00:00Z') };

function translate(file: string) {
  const { interchanges, unreadable } = readX12(readFileSync(new URL(file, samples)), { map: draft850For('default') });
  return {
    unreadable,
    interchanges: interchanges.map((outcome) => ({
      rejection: outcome.rejection ?? null,
      orders: outcome.accepted.map((a) => a.value),
      ack: acknowledge(outcome, control).text.split('\n').filter(Boolean),
    })),
  };
}

describe('X12 samples against their golden files', () => {
  for (const file of readdirSync(samples)) {
    it(file, () => {
      expectGolden(translate(file), new URL(`${file}.json`, golden));
    });
  }

  it('one golden file per sample, and none left over', () => {
    expect(readdirSync(golden).sort()).toEqual(
      readdirSync(samples)
        .map((file) => `${file}.json`)
        .sort(),
    );
  });

  it('every 850 sample is accepted and mapped; 855 and 856 are answered as not taken here', () => {
    for (const file of readdirSync(samples)) {
      const { unreadable, interchanges } = translate(file);
      expect(unreadable).toEqual([]);
      const is850 = /850/.test(file);
      for (const interchange of interchanges) {
        expect(interchange.rejection).toBeNull();
        if (is850) expect(interchange.orders.length).toBeGreaterThan(0);
        else expect(interchange.ack.some((s) => /^AK5\*R\*1~$/.test(s))).toBe(true);
      }
    }
  });
});
