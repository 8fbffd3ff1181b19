import { barChart, type BarChart } from '../../domain/bar-chart.ts';
import { stages, type ApprovalGroup, type CycleTimeGroup, type SlaGroup, type ThroughputReport } from '../../domain/reports.ts';

// The reports page's charts and tables, shaped from the API's JSON (GET /v1/reports/*): what each
// chart says in words (its title), its bars, its axis labels, and the table of the same figures.

export interface ChartView {
  id: string;
  title: string;
  chart: BarChart;
  series: string[];
  tickLabels: string[];
  categoryLabels: string[];
  table: { head: string[]; rows: { name: string; cells: string[] }[] };
}

const cut = (label: string): string => (label.length > 12 ? `${label.slice(0, 11)}…` : label);

function chartView(
  id: string,
  title: string,
  categories: string[],
  series: { name: string; values: number[] }[],
  format: (value: number) => string,
  table: ChartView['table'],
  integers = true,
): ChartView {
  const chart = barChart({ categories, series, integers });
  return {
    id,
    title,
    chart,
    series: series.map((s) => s.name),
    tickLabels: chart.ticks.map((tick) => format(tick.value)),
    categoryLabels: categories.map(cut),
    table,
  };
}

const units = [
  { name: 'seconds', seconds: 1, upTo: 120 },
  { name: 'minutes', seconds: 60, upTo: 2 * 3_600 },
  { name: 'hours', seconds: 3_600, upTo: 2 * 86_400 },
  { name: 'days', seconds: 86_400, upTo: Infinity },
];

/** The unit the longest duration reads best in. */
export const durationUnit = (maxSeconds: number) => units.find((unit) => maxSeconds < unit.upTo) ?? (units[3] as (typeof units)[number]);

const figure = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits });
const percent = (rate: number | null): string => (rate === null ? '–' : `${(rate * 100).toFixed(1)} %`);

export function throughputCharts(report: ThroughputReport, granularity: string): ChartView[] {
  const periods = [...new Set(report.orders.map((row) => row.period))].sort();
  const perPeriod = periods.map((period) => report.orders.filter((row) => row.period === period).reduce((sum, row) => sum + row.count, 0));
  const channels = [...new Set(report.orders.map((row) => row.channel))].sort();
  const count = (period: string, channel: string) =>
    report.orders.filter((row) => row.period === period && row.channel === channel).reduce((sum, row) => sum + row.count, 0);
  const ages = [...new Set(report.openWork.map((row) => row.age))];
  const open = (kind: 'order' | 'work-item') =>
    ages.map((age) => report.openWork.find((row) => row.kind === kind && row.age === age)?.count ?? 0);
  return [
    chartView(
      'throughput',
      `Orders received per ${granularity}: ${figure(perPeriod.reduce((a, b) => a + b, 0))} in the period`,
      periods,
      [{ name: 'Orders received', values: perPeriod }],
      (v) => figure(v),
      {
        head: ['Period', 'Orders', ...channels],
        rows: periods.map((period, index) => ({
          name: period,
          cells: [figure(perPeriod[index]), ...channels.map((channel) => figure(count(period, channel)))],
        })),
      },
    ),
    chartView(
      'open-work',
      'Open orders and work items now, by age',
      ages,
      [
        { name: 'Orders', values: open('order') },
        { name: 'Work items', values: open('work-item') },
      ],
      (v) => figure(v),
      {
        head: ['Age', 'Orders', 'Work items'],
        rows: ages.map((age, index) => ({ name: age, cells: [figure(open('order')[index]), figure(open('work-item')[index])] })),
      },
    ),
  ];
}

export function cycleTimesChart(groups: readonly CycleTimeGroup[]): ChartView {
  const figures = groups[0]?.stages;
  const values = (key: 'p50' | 'p90' | 'p99') => stages.map((stage) => figures?.[stage][key] ?? 0);
  const unit = durationUnit(Math.max(0, ...values('p99')));
  const inUnit = (key: 'p50' | 'p90' | 'p99') => values(key).map((v) => v / unit.seconds);
  const shown = (v: number | null | undefined) => (v === null || v === undefined ? '–' : figure(v / unit.seconds, 1));
  return chartView(
    'cycle-times',
    `Cycle time per stage in ${unit.name}: median, 90th and 99th percentile`,
    stages.map((stage) => stage.replace(/_/g, ' ')),
    [
      { name: 'p50', values: inUnit('p50') },
      { name: 'p90', values: inUnit('p90') },
      { name: 'p99', values: inUnit('p99') },
    ],
    (v) => figure(v, 1),
    {
      head: ['Stage', 'Orders', `p50 (${unit.name})`, `p90 (${unit.name})`, `p99 (${unit.name})`],
      rows: stages.map((stage) => {
        const f = figures?.[stage];
        return { name: stage.replace(/_/g, ' '), cells: [figure(f?.count ?? 0), shown(f?.p50), shown(f?.p90), shown(f?.p99)] };
      }),
    },
    false,
  );
}

export function slaChart(groups: readonly SlaGroup[], nameOf: (group: string | null) => string): ChartView {
  const names = groups.map((g) => nameOf(g.group));
  return chartView(
    'sla',
    'Partner deadlines met and missed, per partner',
    names,
    [
      { name: 'Met', values: groups.map((g) => g.deadlines?.met ?? 0) },
      { name: 'Missed', values: groups.map((g) => g.deadlines?.missed ?? 0) },
    ],
    (v) => figure(v),
    {
      head: ['Partner', 'Deadlines met', 'Missed', 'Open', 'Met rate', 'Vendor tasks late', 'Overdue', 'Work items late', 'Escalated'],
      rows: groups.map((g, index) => ({
        name: names[index] as string,
        cells: [
          figure(g.deadlines?.met),
          figure(g.deadlines?.missed),
          figure(g.deadlines?.open),
          percent(g.deadlines?.metRate ?? null),
          figure(g.tasks?.late),
          figure(g.tasks?.overdue),
          figure(g.workItems?.late),
          figure(g.workItems?.escalated),
        ],
      })),
    },
  );
}

export function approvalsChart(groups: readonly ApprovalGroup[], nameOf: (group: string | null) => string): ChartView {
  const names = groups.map((g) => nameOf(g.group));
  const hours = (seconds: number | null) => (seconds === null ? '–' : figure(seconds / 3_600, 1));
  return chartView(
    'approvals',
    'Approvals approved, rejected and pending, per partner',
    names,
    [
      { name: 'Approved', values: groups.map((g) => g.approved) },
      { name: 'Rejected', values: groups.map((g) => g.rejected) },
      { name: 'Pending', values: groups.map((g) => g.pending) },
    ],
    (v) => figure(v),
    {
      head: ['Partner', 'Approvals', 'Approved', 'Rejected', 'Pending', 'Approval rate', 'Turnaround p50 (hours)', 'p90 (hours)'],
      rows: groups.map((g, index) => ({
        name: names[index] as string,
        cells: [
          figure(g.total),
          figure(g.approved),
          figure(g.rejected),
          figure(g.pending),
          percent(g.approvalRate),
          hours(g.turnaround.p50),
          hours(g.turnaround.p90),
        ],
      })),
    },
  );
}
