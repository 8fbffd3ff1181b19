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
// of each milestone (domain/reports.ts milestoneCauses), as the order's row keeps them (migration
// 025); the stage histograms find what ended lately through the partial index of migration 023.

const causes = Object.values(milestoneCauses);
const causeList = causes.map((cause) => `'${cause}'`).join(', ');

/** An order's row with its milestones (migration 025 keeps them from its history) under the stage names. */
const milestoneColumns = `o.id, o.partner_id, o.channel, o.created_at AS received, o.approved_at AS approved,
  o.acknowledged_at AS acknowledged, o.first_shipment_at AS first_shipment, o.ready_for_billing_at AS ready_for_billing`;

/** The latest of the earlier milestones reached no later than `at` (received at the least). */
const since = (at: string, earlier: string[]): string =>
  `greatest(r.received${earlier.map((milestone) => `, CASE WHEN r.${milestone} <= ${at} THEN r.${milestone} END`).join('')})`;

/** Each stage as (ended, since): its milestone, and the latest earlier one reached no later (received at the least). */
const stageSpans: readonly [ended: string, since: string][] = [
  ['r.approved', 'r.received'],
  ['r.acknowledged', since('r.acknowledged', ['approved'])],
  ['r.first_shipment', since('r.first_shipment', ['approved', 'acknowledged'])],
  ['r.ready_for_billing', since('r.ready_for_billing', ['approved', 'acknowledged', 'first_shipment'])],
  ['r.ready_for_billing', 'r.received'],
];

/**
 * Each stage an order of `reached` finished: (stage, seconds, ended), the stage as its index in
 * `stages` (a number sorts faster than a name, and the percentiles sort by it).
 */
export const stageTimesSql = (reached: string): string => `
  SELECT st.stage, ${epochSeconds('st.ended', 'st.since')} AS seconds, st.ended
  FROM ${reached} r
  CROSS JOIN LATERAL (VALUES ${stageSpans.map(([ended, from], index) => `(${index}, ${ended}, ${from})`).join(', ')}) AS st(stage, ended, since)
  WHERE st.ended IS NOT NULL`;

/**
 * Each order's stage durations side by side (s0 … s4, null for a stage it did not finish), so that
 * each stage's percentiles sort only its own column within a group, not a row per stage and order.
 */
const stageColumnsSql = (keyed: string): string => `
  SELECT r.key, ${stageSpans.map(([ended, from], index) => `${epochSeconds(ended, from)} AS s${index}`).join(', ')}
  FROM ${keyed} r`;

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
    WITH reached AS (
      SELECT ${milestoneColumns} FROM orders o WHERE ${filter.sql}
    ), keyed AS (
      SELECT r.*, g.key FROM reached r ${groupJoin(scope, groupBy)}
    ), timed AS (${stageColumnsSql('keyed')})
    SELECT key COLLATE "C" AS "group", ${stages
      .map((_, index) => `count(s${index}) AS c${index}, ${percentilesSql(`s${index}`)} AS p${index}`)
      .join(', ')}
    FROM timed GROUP BY key COLLATE "C" ORDER BY 1 NULLS FIRST`;
  const rows = await reportRows<{ group: string | null } & Record<string, unknown>>(db, sql, filter.bindings);
  const groups = rows
    .map((row) => ({
      group: row.group,
      stages: Object.fromEntries(
        stages.map((stage, index) => [
          stage,
          percentilesOf({ count: row[`c${index}`] as number | string, percentiles: row[`p${index}`] as PercentileRow['percentiles'] }),
        ]),
      ) as CycleTimeGroup['stages'],
    }))
    // A group is shown when some stage of it ended (as when it was a row per stage).
    .filter((group) => Object.values(group.stages).some((figures) => figures.count > 0));
  return groups;
}

/** Stage durations that ended since `since`, counted per stage into buckets: the number of `bounds` (seconds) below each. */
export async function recentStageDurations(
  db: Database,
  since: Date,
  bounds: readonly number[],
): Promise<{ stage: Stage; bucket: number; count: number; sum: number }[]> {
  const sql = `
    WITH reached AS (
      SELECT ${milestoneColumns} FROM orders o
      WHERE o.id IN (SELECT e.order_id FROM order_events e WHERE e.cause IN (${causeList}) AND e.at >= ?)
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
