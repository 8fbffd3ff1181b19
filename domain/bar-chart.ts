// The geometry of the console's bar charts, drawn as inline SVG by the reports page: a value scale
// with round ticks, and one group of bars per category (one bar per series). Pure numbers in the
// SVG's user units; the template only draws them.

export interface BarSeries {
  name: string;
  values: readonly number[];
}

export interface BarChartInput {
  categories: readonly string[];
  series: readonly BarSeries[];
  width?: number;
  height?: number;
  /** Counts: ticks on whole numbers only. */
  integers?: boolean;
}

export interface Tick {
  value: number;
  y: number;
}

export interface Bar {
  series: number;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface BarGroup {
  label: string;
  /** The centre of the group, where its label goes. */
  x: number;
  /** Crowded axes label every nth group only. */
  labelled: boolean;
  bars: Bar[];
}

export interface BarChart {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  ticks: Tick[];
  groups: BarGroup[];
}

const margin = { left: 64, right: 12, top: 12, bottom: 36 };
/** The width a category label needs, roughly, in user units (labels are cut to 12 characters). */
const labelWidth = 84;

/** A bar no wider than this, however few there are: one bar across the whole chart reads as a block. */
const maxBarWidth = 48;

/**
 * Round ticks from 0 covering `max`: steps of 1, 2 or 5 times a power of ten, about `count` of
 * them (whole numbers for counts). Nothing to show (max 0) still gets a 0..1 axis.
 */
export function niceTicks(max: number, count = 5, integers = false): number[] {
  const top = max > 0 ? max : 1;
  const rough = integers ? Math.max(1, top / count) : top / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power) as number;
  const steps = Math.ceil(top / step - 1e-9);
  return Array.from({ length: steps + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

export function barChart(input: BarChartInput): BarChart {
  const width = input.width ?? 720;
  const height = input.height ?? 240;
  const plot = { left: margin.left, top: margin.top, right: width - margin.right, bottom: height - margin.bottom };
  const values = input.series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  const ticks = niceTicks(Math.max(0, ...values), 5, input.integers === true);
  const top = ticks[ticks.length - 1] as number;
  const y = (value: number) => plot.bottom - (Math.max(0, value) / top) * (plot.bottom - plot.top);
  const slot = input.categories.length === 0 ? 0 : (plot.right - plot.left) / input.categories.length;
  const barWidth = input.series.length === 0 ? 0 : Math.min(maxBarWidth, (slot * 0.8) / input.series.length);
  const inner = barWidth * input.series.length;
  const every = Math.max(1, Math.ceil(labelWidth / Math.max(slot, 1)));
  const groups = input.categories.map((label, index) => {
    const start = plot.left + index * slot + (slot - inner) / 2;
    return {
      label,
      x: plot.left + index * slot + slot / 2,
      labelled: index % every === 0,
      bars: input.series.map((s, seriesIndex) => {
        const value = Number.isFinite(s.values[index]) ? (s.values[index] as number) : 0;
        return {
          series: seriesIndex,
          value,
          x: start + seriesIndex * barWidth,
          y: y(value),
          width: barWidth,
          height: plot.bottom - y(value),
        };
      }),
    };
  });
  return { width, height, plot, ticks: ticks.map((value) => ({ value, y: y(value) })), groups };
}
