// The efficiency reports' shapes: their periods, groupings, stages and age buckets, and the
// shaping of the rows the database computes into what the API answers. The figures themselves are
// computed in SQL (adapters/db/reports-*.ts); nothing here reads or counts.

export type Granularity = 'day' | 'week' | 'month';

/** The period a report covers: [from, to), and the granularity of its `period` grouping. */
export interface ReportPeriod {
  from: Date;
  to: Date;
  granularity: Granularity;
}

/** Without `from`/`to`: the 30 days up to now. */
export const defaultReportDays = 30;

/**
 * The period asked for, or why it is refused. A bare date (2026-03-01) is midnight UTC of that day;
 * `to` is exclusive, so `from=2026-03-01&to=2026-04-01` is March.
 */
export function reportPeriod(
  query: { from?: string; to?: string; period?: Granularity },
  now: Date,
): { ok: true; period: ReportPeriod } | { ok: false; detail: string } {
  const to = query.to === undefined ? now : parseInstant(query.to);
  if (to === undefined) return { ok: false, detail: `to: ${query.to} is no ISO 8601 date or date-time` };
  const from = query.from === undefined ? new Date(to.getTime() - defaultReportDays * 86_400_000) : parseInstant(query.from);
  if (from === undefined) return { ok: false, detail: `from: ${query.from} is no ISO 8601 date or date-time` };
  if (from.getTime() >= to.getTime()) return { ok: false, detail: 'from must be before to' };
  return { ok: true, period: { from, to, granularity: query.period ?? 'day' } };
}

const isoInstant = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function parseInstant(text: string): Date | undefined {
  if (!isoInstant.test(text)) return undefined;
  const date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The stages of an order's life the cycle-times report measures, each named by the milestone that
 * ends it. A stage runs from the latest earlier milestone the order reached (received at the least):
 * an order that skipped approval has no `approved` figure, and its `acknowledged` stage runs from
 * received. `total` runs from received to ready for billing.
 */
export const stages = ['approved', 'acknowledged', 'first_shipment', 'ready_for_billing', 'total'] as const;
export type Stage = (typeof stages)[number];

/** The order events that mark each milestone (received is the order's created_at). */
export const milestoneCauses = {
  approved: 'order.approved',
  acknowledged: 'order.acknowledged',
  first_shipment: 'order.shipped',
  ready_for_billing: 'order.ready-for-billing',
} as const;

export const cycleTimeGroupings = ['partner', 'channel', 'sku', 'vendor', 'period'] as const;
export const slaGroupings = ['vendor', 'type', 'role', 'person', 'partner', 'document', 'period'] as const;
export const approvalGroupings = ['level', 'approver', 'policy', 'partner', 'period'] as const;
export type CycleTimeGrouping = (typeof cycleTimeGroupings)[number];
export type SlaGrouping = (typeof slaGroupings)[number];
export type ApprovalGrouping = (typeof approvalGroupings)[number];

/** Which of the SLA report's three sources a grouping applies to (the others are left out: null). */
export const slaSources: Readonly<Record<SlaGrouping | 'none', readonly ('tasks' | 'workItems' | 'deadlines')[]>> = {
  none: ['tasks', 'workItems', 'deadlines'],
  vendor: ['tasks'],
  type: ['tasks', 'workItems'],
  role: ['workItems'],
  person: ['workItems'],
  partner: ['tasks', 'workItems', 'deadlines'],
  document: ['deadlines'],
  period: ['tasks', 'workItems', 'deadlines'],
};

/** Percentiles in seconds, as computed (percentile_disc: always a duration that was observed). */
export interface Percentiles {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export const noFigures: Percentiles = { count: 0, p50: null, p90: null, p99: null };

/** The database's answer for one group and one measure: a count and the [p50, p90, p99] array. */
export interface PercentileRow {
  count: number | string;
  percentiles: (number | string | null)[] | null;
}

const seconds = (value: number | string | null | undefined): number | null =>
  value === null || value === undefined ? null : Math.round(Number(value) * 1000) / 1000;

export function percentilesOf(row: PercentileRow | undefined): Percentiles {
  if (row === undefined || Number(row.count) === 0) return noFigures;
  const [p50, p90, p99] = row.percentiles ?? [];
  return { count: Number(row.count), p50: seconds(p50), p90: seconds(p90), p99: seconds(p99) };
}

/** A share of a total, to four places; null when there is nothing to share. */
export const rate = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

/**
 * Open work's age buckets: within the hour (fresh), the working day (4 h, then 24 h), the
 * week (3 days, 7 days), and older than a week (stuck). Each is [lower, upper) in seconds.
 */
export const ageBuckets = [
  { name: '<1h', upTo: 3_600 },
  { name: '1h-4h', upTo: 4 * 3_600 },
  { name: '4h-24h', upTo: 24 * 3_600 },
  { name: '1d-3d', upTo: 3 * 86_400 },
  { name: '3d-7d', upTo: 7 * 86_400 },
  { name: '>7d', upTo: null },
] as const;
export type AgeBucket = (typeof ageBuckets)[number]['name'];

/** Every bucket of each kind, zeros included, in bucket order. */
export function openWorkByAge(
  rows: readonly { kind: 'order' | 'work-item'; bucket: number; count: number | string }[],
): { kind: 'order' | 'work-item'; age: AgeBucket; count: number }[] {
  return (['order', 'work-item'] as const).flatMap((kind) =>
    ageBuckets.map((bucket, index) => ({
      kind,
      age: bucket.name,
      count: rows.filter((row) => row.kind === kind && Number(row.bucket) === index).reduce((sum, row) => sum + Number(row.count), 0),
    })),
  );
}

/** A report as flat rows for CSV: a header row, then one row per group. */
export interface Table {
  header: string[];
  rows: (string | number | null)[][];
}

const percentileColumns = (prefix: string): string[] => ['count', 'p50', 'p90', 'p99'].map((column) => `${prefix}_${column}`);
const percentileCells = (figures: Percentiles | null): (number | null)[] =>
  figures === null ? [null, null, null, null] : [figures.count, figures.p50, figures.p90, figures.p99];

export interface CycleTimeGroup {
  group: string | null;
  stages: Record<Stage, Percentiles>;
}

export function cycleTimesTable(groups: readonly CycleTimeGroup[]): Table {
  return {
    header: ['group', ...stages.flatMap((stage) => percentileColumns(`${stage}_seconds`))],
    rows: groups.map((group) => [group.group, ...stages.flatMap((stage) => percentileCells(group.stages[stage]))]),
  };
}

export interface SlaTaskFigures {
  total: number;
  done: number;
  late: number;
  overdue: number;
}
export interface SlaWorkItemFigures extends SlaTaskFigures {
  escalated: number;
  timeToEscalation: Percentiles;
}
export interface SlaDeadlineFigures {
  total: number;
  met: number;
  missed: number;
  open: number;
  metRate: number | null;
}
export interface SlaGroup {
  group: string | null;
  tasks: SlaTaskFigures | null;
  workItems: SlaWorkItemFigures | null;
  deadlines: SlaDeadlineFigures | null;
}

export function slaTable(groups: readonly SlaGroup[]): Table {
  return {
    header: [
      'group',
      ...['total', 'done', 'late', 'overdue'].map((column) => `tasks_${column}`),
      ...['total', 'done', 'late', 'overdue', 'escalated'].map((column) => `work_items_${column}`),
      ...percentileColumns('time_to_escalation_seconds'),
      ...['total', 'met', 'missed', 'open', 'met_rate'].map((column) => `deadlines_${column}`),
    ],
    rows: groups.map(({ group, tasks, workItems, deadlines }) => [
      group,
      ...(tasks === null ? [null, null, null, null] : [tasks.total, tasks.done, tasks.late, tasks.overdue]),
      ...(workItems === null
        ? [null, null, null, null, null]
        : [workItems.total, workItems.done, workItems.late, workItems.overdue, workItems.escalated]),
      ...percentileCells(workItems?.timeToEscalation ?? null),
      ...(deadlines === null
        ? [null, null, null, null, null]
        : [deadlines.total, deadlines.met, deadlines.missed, deadlines.open, deadlines.metRate]),
    ]),
  };
}

export interface ApprovalGroup {
  group: string | null;
  total: number;
  approved: number;
  rejected: number;
  pending: number;
  cancelled: number;
  approvalRate: number | null;
  rejectionRate: number | null;
  turnaround: Percentiles;
}

export function approvalsTable(groups: readonly ApprovalGroup[]): Table {
  return {
    header: [
      'group',
      'total',
      'approved',
      'rejected',
      'pending',
      'cancelled',
      'approval_rate',
      'rejection_rate',
      ...percentileColumns('turnaround_seconds'),
    ],
    rows: groups.map((group) => [
      group.group,
      group.total,
      group.approved,
      group.rejected,
      group.pending,
      group.cancelled,
      group.approvalRate,
      group.rejectionRate,
      ...percentileCells(group.turnaround),
    ]),
  };
}

export interface ThroughputReport {
  orders: { period: string; channel: string; status: string; count: number }[];
  openWork: { kind: 'order' | 'work-item'; age: AgeBucket; count: number }[];
}

/** Both of the throughput report's lists in one table, told apart by `section`. */
export function throughputTable(report: ThroughputReport): Table {
  return {
    header: ['section', 'period', 'channel', 'status', 'kind', 'age', 'count'],
    rows: [
      ...report.orders.map((row) => ['orders', row.period, row.channel, row.status, null, null, row.count]),
      ...report.openWork.map((row) => ['open-work', null, null, null, row.kind, row.age, row.count]),
    ],
  };
}

/** The stage histogram's upper bounds, in seconds: a minute to a month. */
export const stageBucketBounds = [
  60,
  300,
  900,
  3_600,
  4 * 3_600,
  8 * 3_600,
  86_400,
  2 * 86_400,
  3 * 86_400,
  7 * 86_400,
  14 * 86_400,
  30 * 86_400,
];

export interface StageHistogram {
  stage: Stage;
  /** Cumulative counts, one per bound (le), then +Inf. */
  buckets: number[];
  count: number;
  sum: number;
}

/**
 * Per-bucket counts (bucket i: durations above bound i-1 and at most bound i; the last one past
 * every bound) as a Prometheus histogram per stage, every stage present, zeros included.
 */
export function stageHistograms(
  rows: readonly { stage: Stage; bucket: number; count: number; sum: number }[],
  bounds: readonly number[] = stageBucketBounds,
): StageHistogram[] {
  return stages.map((stage) => {
    const mine = rows.filter((row) => row.stage === stage);
    const perBucket = Array.from({ length: bounds.length + 1 }, (_, index) =>
      mine.filter((row) => row.bucket === index).reduce((sum, row) => sum + row.count, 0),
    );
    let running = 0;
    const buckets = perBucket.map((count) => (running += count));
    return { stage, buckets, count: running, sum: mine.reduce((sum, row) => sum + row.sum, 0) };
  });
}
