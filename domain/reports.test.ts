import { describe, expect, it } from 'vitest';
import { openWorkByAge, rate, reportPeriod, stageHistograms } from './reports.ts';

describe('reportPeriod', () => {
  const now = new Date('2026-12-06T12:00:00Z');

  it('is the 30 days up to now without from and to, and a bare date is midnight UTC', () => {
    expect(reportPeriod({}, now)).toEqual({
      ok: true,
      period: { from: new Date('2026-11-06T12:00:00Z'), to: now, granularity: 'day' },
    });
    expect(reportPeriod({ from: '2026-03-01', to: '2026-04-01T00:00:00+02:00', period: 'week' }, now)).toEqual({
      ok: true,
      period: { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-31T22:00:00Z'), granularity: 'week' },
    });
  });

  it('refuses what is no ISO date or date-time, an impossible date, and a period that ends before it starts', () => {
    expect(reportPeriod({ from: 'last week' }, now)).toMatchObject({ ok: false, detail: expect.stringMatching(/^from: /) });
    expect(reportPeriod({ to: '2026-02-30T25:00:00Z' }, now)).toMatchObject({ ok: false, detail: expect.stringMatching(/^to: /) });
    expect(reportPeriod({ from: '2026-04-01', to: '2026-04-01' }, now)).toEqual({ ok: false, detail: 'from must be before to' });
  });
});

describe('stageHistograms', () => {
  it('turns per-bucket counts into cumulative buckets per stage, every stage present', () => {
    // Bounds 60 and 300: bucket 0 is ≤ 60, 1 is ≤ 300, 2 past both. approved: 2 in ≤ 60 (sum 50), 1 past 300 (sum 400).
    const histograms = stageHistograms(
      [
        { stage: 'approved', bucket: 0, count: 2, sum: 50 },
        { stage: 'approved', bucket: 2, count: 1, sum: 400 },
      ],
      [60, 300],
    );
    expect(histograms.find((h) => h.stage === 'approved')).toEqual({ stage: 'approved', buckets: [2, 2, 3], count: 3, sum: 450 });
    expect(histograms.find((h) => h.stage === 'total')).toEqual({ stage: 'total', buckets: [0, 0, 0], count: 0, sum: 0 });
    expect(histograms.map((h) => h.stage)).toEqual(['approved', 'acknowledged', 'first_shipment', 'ready_for_billing', 'total']);
  });
});

describe('openWorkByAge and rate', () => {
  it('fills every bucket of both kinds, zeros included', () => {
    const rows = openWorkByAge([{ kind: 'work-item', bucket: 5, count: '3' }]);
    expect(rows).toHaveLength(12);
    expect(rows.filter((row) => row.count > 0)).toEqual([{ kind: 'work-item', age: '>7d', count: 3 }]);
  });

  it('gives a share to four places, and none of nothing', () => {
    expect(rate(2, 3)).toBe(0.6667);
    expect(rate(0, 0)).toBeNull();
  });
});
