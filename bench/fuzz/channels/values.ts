import type { Random } from '../random.ts';

// Values every generator draws from: the demo catalog's SKUs (and some it does not know), line counts
// up to the schema's 5,000, dates and ids that look right and are not.

const skus = ['MODEM-X1', 'INTERNET-100', 'PORT-ACT', 'TRUCK-ROLL', 'UNKNOWN-SKU-1', 'BOTTLE-750-SAGE'];

export const sku = (rng: Random): string => rng.pick(skus);

/** Mostly a few lines; sometimes dozens or hundreds; rarely up to the schema's maximum of 5,000. */
export function lineCount(rng: Random): number {
  return rng.weighted([
    [80, () => rng.int(1, 5)],
    [15, () => rng.int(6, 60)],
    [4, () => rng.int(61, 1000)],
    [1, () => rng.int(1001, 5000)],
  ] as const)();
}

export const badDates = [
  '2026-02-30',
  '2026-13-01',
  '0000-00-00',
  '9999-12-31',
  '275760-09-13',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '2026-11-27T24:00:00Z',
  '2026-11-27T23:59:60Z',
  '1970-01-01T00:00:00+99:99',
  'infinity',
  '-infinity',
  'epoch',
  'now',
  '2026-11-27 12:00',
  '20261127',
  '2026-11-27T00:00:00.0000000001Z',
  'Sun Dec 06 2026',
  '1',
  '',
];

export const badIds = [
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'not-a-uuid',
  '1',
  "' OR 1=1 --",
  'a'.repeat(300),
  '00000000-0000-0000-0000-00000000000g',
];
