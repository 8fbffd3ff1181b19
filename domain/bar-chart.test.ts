import { describe, expect, it } from 'vitest';
import { barChart, niceTicks } from './bar-chart.ts';

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 times a power of ten, from 0 to at least the maximum', () => {
    expect(niceTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(130)).toEqual([0, 50, 100, 150]);
    expect(niceTicks(0.3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(86_400)).toEqual([0, 20_000, 40_000, 60_000, 80_000, 100_000]);
  });

  it('steps by whole numbers for counts', () => {
    expect(niceTicks(1, 5, true)).toEqual([0, 1]);
    expect(niceTicks(3, 5, true)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(0, 5, true)).toEqual([0, 1]);
    expect(niceTicks(12, 5, true)).toEqual([0, 5, 10, 15]);
  });

  it('gives an empty chart a 0..1 axis', () => {
    expect(niceTicks(0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});

describe('barChart', () => {
  const chart = barChart({
    categories: ['a', 'b'],
    series: [
      { name: 'met', values: [4, 10] },
      { name: 'missed', values: [0, 5] },
    ],
    width: 400,
    height: 200,
  });

  it('puts the bars of a group side by side inside its slot, heights in proportion to the top tick', () => {
    const plotHeight = chart.plot.bottom - chart.plot.top;
    const [a, b] = chart.groups;
    expect(chart.ticks.at(-1)?.value).toBe(10);
    expect(b?.bars[0]?.height).toBeCloseTo(plotHeight);
    expect(a?.bars[0]?.height).toBeCloseTo(plotHeight * 0.4);
    expect(a?.bars[1]).toMatchObject({ value: 0, height: 0, y: chart.plot.bottom });
    expect(a?.bars[1]?.x).toBeCloseTo((a?.bars[0]?.x ?? 0) + (a?.bars[0]?.width ?? 0));
    // Bars stay within the plot and groups do not overlap.
    for (const group of chart.groups)
      for (const bar of group.bars) {
        expect(bar.x).toBeGreaterThanOrEqual(chart.plot.left);
        expect(bar.x + bar.width).toBeLessThanOrEqual(chart.plot.right);
        expect(bar.y).toBeGreaterThanOrEqual(chart.plot.top);
      }
    expect((a?.bars[1]?.x ?? 0) + (a?.bars[1]?.width ?? 0)).toBeLessThan(b?.bars[0]?.x ?? 0);
  });

  it('places ticks from the bottom of the plot (0) to its top (the largest)', () => {
    expect(chart.ticks[0]).toEqual({ value: 0, y: chart.plot.bottom });
    expect(chart.ticks.at(-1)?.y).toBe(chart.plot.top);
  });

  it('keeps a lone bar narrow, centred in its slot', () => {
    const lone = barChart({ categories: ['today'], series: [{ name: 'orders', values: [3] }], width: 400 });
    const bar = lone.groups[0]?.bars[0];
    expect(bar?.width).toBeLessThanOrEqual(48);
    expect((bar?.x ?? 0) + (bar?.width ?? 0) / 2).toBeCloseTo(lone.groups[0]?.x ?? 0);
  });

  it('labels every group when there is room, and only some on a crowded axis', () => {
    expect(chart.groups.every((g) => g.labelled)).toBe(true);
    const crowded = barChart({ categories: Array.from({ length: 60 }, (_, i) => `day ${i}`), series: [{ name: 'orders', values: [] }] });
    const labelled = crowded.groups.filter((g) => g.labelled);
    expect(labelled.length).toBeGreaterThan(1);
    expect(labelled.length).toBeLessThan(60);
    expect(crowded.groups[0]?.labelled).toBe(true);
    // A missing value is drawn as nothing, not as NaN.
    expect(crowded.groups[3]?.bars[0]).toMatchObject({ value: 0, height: 0 });
  });
});
