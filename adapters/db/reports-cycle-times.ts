import {
  milestoneCauses,
  percentilesOf,
  stages,
  type CycleTimeGroup,
  type CycleTimeGrouping,
  type PercentileRow,
  type Stage,
} from '../../domain/reports.ts';
import type { Database } from './connect.ts';
import { epochSeconds, percentilesSql, periodLabel, reportRows, scopeFilter, type ReportScope } from './reports-scope.ts';

// Cycle times per stage, from the order's received time (orders.created_at) and the first event
// of each milestone (domain/reports.ts milestoneCauses), read through the partial index of
// migration 023 that holds only those events.

const causes = Object.values(milestoneCauses);
const causeList = causes.map((cause) => `'${cause}'`).join(', ');

/**
 * The milestones of the orders in `scoped` (id, received, …): one row per order. No milestone
 * precedes its order's receipt, so only events since `since` (the period's start) are read: the
 * planner may then read the period's milestones in time order (index on at) rather than look up
 * each order's (index on order_id), whichever is cheaper — a month of every partner, or one partner's.
 * `since` is that bound as SQL: the period's start (a binding), or each order's own receipt.
 */
const reachedSql = (scoped: string, columns: string, since = '?'): string => `
  SELECT ${columns
    .split(', ')
    .map((column) => `s.${column}`)
    .join(', ')},
    min(e.at) FILTER (WHERE e.cause = '${milestoneCauses.approved}') AS approved,
    min(e.at) FILTER (WHERE e.cause = '${milestoneCauses.acknowledged}') AS acknowledged,
    min(e.at) FILTER (WHERE e.cause = '${milestoneCauses.first_shipment}') AS first_shipment,
    min(e.at) FILTER (WHERE e.cause = '${milestoneCauses.ready_for_billing}') AS ready_for_billing
  FROM ${scoped} s LEFT JOIN order_events e ON e.order_id = s.id AND e.cause IN (${causeList}) AND e.at >= ${since}
  GROUP BY ${columns
    .split(', ')
    .map((column) => `s.${column}`)
    .join(', ')}`;

/** The latest of the earlier milestones reached no later than `at` (received at the least). */
const since = (at: string, earlier: string[]): string =>
  `greatest(r.received${earlier.map((milestone) => `, CASE WHEN r.${milestone} <= ${at} THEN r.${milestone} END`).join('')})`;

/**
 * Each stage an order of `reached` finished: (stage, seconds, ended), the stage as its index in
 * `stages` (a number sorts faster than a name, and the percentiles sort by it).
 */
export const stageTimesSql = (reached: string): string => `
  SELECT r.*, st.stage, ${epochSeconds('st.ended', 'st.since')} AS seconds, st.ended
  FROM ${reached} r
  CROSS JOIN LATERAL (VALUES
    (0, r.approved, r.received),
    (1, r.acknowledged, ${since('r.acknowledged', ['approved'])}),
    (2, r.first_shipment, ${since('r.first_shipment', ['approved', 'acknowledged'])}),
    (3, r.ready_for_billing, ${since('r.ready_for_billing', ['approved', 'acknowledged', 'first_shipment'])}),
    (4, r.ready_for_billing, r.received)
  ) AS st(stage, ended, since)
  WHERE st.ended IS NOT NULL`;

/** The group an order falls in; an order with several SKUs (vendors) counts once in each. */
function groupJoin(scope: ReportScope, groupBy: CycleTimeGrouping | undefined): string {
  switch (groupBy) {
    // Keys compare byte by byte (COLLATE "C"): the percentiles sort by them, and a locale's rules cost more.
    case undefined:
      return 'CROSS JOIN LATERAL (SELECT NULL::text AS key) g';
    case 'partner':
      return 'CROSS JOIN LATERAL (SELECT r.partner_id AS key) g';
    case 'channel':
      return 'CROSS JOIN LATERAL (SELECT r.channel AS key) g';
    case 'period':
      return `CROSS JOIN LATERAL (SELECT ${periodLabel(scope, 'r.received')} AS key) g`;
    case 'sku':
      return 'CROSS JOIN LATERAL (SELECT DISTINCT l.sku AS key FROM order_lines l WHERE l.order_id = r.id AND l.sku IS NOT NULL) g';
    case 'vendor':
      return 'CROSS JOIN LATERAL (SELECT DISTINCT t.vendor_id AS key FROM tasks t WHERE t.order_id = r.id AND t.vendor_id IS NOT NULL) g';
  }
}

export async function cycleTimesReport(
  db: Database,
  scope: ReportScope,
  groupBy: CycleTimeGrouping | undefined,
): Promise<CycleTimeGroup[]> {
  const filter = scopeFilter(scope, 'o.created_at', 'o.partner_id');
  const sql = `
    WITH scoped AS (
      SELECT o.id, o.partner_id, o.channel, o.created_at AS received FROM orders o WHERE ${filter.sql}
    ), reached AS (${reachedSql('scoped', 'id, partner_id, channel, received')}
    ), keyed AS (
      SELECT r.*, g.key FROM reached r ${groupJoin(scope, groupBy)}
    ), timed AS (${stageTimesSql('keyed')})
    SELECT key COLLATE "C" AS "group", stage, count(*) AS count, ${percentilesSql('seconds')} AS percentiles
    FROM timed GROUP BY key COLLATE "C", stage ORDER BY 1 NULLS FIRST, stage`;
  const rows = (
    await reportRows<{ group: string | null; stage: number } & PercentileRow>(db, sql, [...filter.bindings, scope.period.from])
  ).map((row) => ({ ...row, stage: stages[row.stage] as Stage }));
  const groups = new Map<string | null, CycleTimeGroup>();
  for (const row of rows) {
    const group = groups.get(row.group) ?? {
      group: row.group,
      stages: Object.fromEntries(stages.map((stage) => [stage, percentilesOf(undefined)])) as CycleTimeGroup['stages'],
    };
    group.stages[row.stage] = percentilesOf(row);
    groups.set(row.group, group);
  }
  return [...groups.values()];
}

/** Stage durations that ended since `since`, counted per stage into buckets: the number of `bounds` (seconds) below each. */
export async function recentStageDurations(
  db: Database,
  since: Date,
  bounds: readonly number[],
): Promise<{ stage: Stage; bucket: number; count: number; sum: number }[]> {
  const sql = `
    WITH scoped AS (
      SELECT o.id, o.created_at AS received FROM orders o
      WHERE o.id IN (SELECT e.order_id FROM order_events e WHERE e.cause IN (${causeList}) AND e.at >= ?)
    ), reached AS (${reachedSql('scoped', 'id, received', 's.received')}
    ), timed AS (${stageTimesSql('reached')})
    SELECT stage, (SELECT count(*) FROM unnest(?::float8[]) AS bound WHERE bound < seconds) AS bucket, count(*) AS count, sum(seconds) AS sum
    FROM timed WHERE ended >= ? GROUP BY stage, bucket`;
  const rows = await reportRows<{ stage: number; bucket: number; count: string | number; sum: string | number }>(db, sql, [
    since,
    `{${bounds.join(',')}}`,
    since,
  ]);
  return rows.map((row) => ({
    stage: stages[row.stage] as Stage,
    bucket: Number(row.bucket),
    count: Number(row.count),
    sum: Number(row.sum),
  }));
}
