import { percentilesOf, rate, type ApprovalGroup, type ApprovalGrouping, type PercentileRow } from '../../domain/reports.ts';
import type { Database } from './connect.ts';
import { epochSeconds, percentilesSql, periodLabel, reportRows, scopeFilter, type ReportScope } from './reports-scope.ts';

// Approvals created in the period. A level starts when the approval is created (level 1) or when
// the level before it is decided (its last decision; for the level deciding now, level_started_at),
// and ends with its last decision (the approval's decided_at for the level that ended it).

// A fixed series joined (rather than one per approval) so the planner knows it is short: estimated
// at its default thousand rows a row, the plan looked costly enough to be JIT-compiled, for 0.6 s.
const maxLevels = 20;

const levelsSql = `
  SELECT a.id AS approval_id, l.level,
    CASE WHEN l.level = 1 THEN a.created_at
         WHEN l.level = a.current_level THEN a.level_started_at
         ELSE (SELECT max(d.created_at) FROM approval_decisions d WHERE d.approval_id = a.id AND d.level = l.level - 1) END AS started,
    CASE WHEN l.level < a.current_level - 1 THEN (SELECT max(d.created_at) FROM approval_decisions d WHERE d.approval_id = a.id AND d.level = l.level)
         WHEN l.level = a.current_level - 1 THEN a.level_started_at
         WHEN a.status IN ('approved', 'rejected') THEN a.decided_at END AS ended,
    CASE WHEN l.level < a.current_level THEN 'approved' ELSE a.status END AS outcome
  FROM scoped a JOIN generate_series(1, ${maxLevels}) AS l(level) ON l.level <= a.current_level`;

const outcomeCounts = (column: string) => `count(*) AS total,
  count(*) FILTER (WHERE ${column} = 'approved') AS approved, count(*) FILTER (WHERE ${column} = 'rejected') AS rejected,
  count(*) FILTER (WHERE ${column} = 'pending') AS pending, count(*) FILTER (WHERE ${column} = 'cancelled') AS cancelled`;

function groupedSql(scope: ReportScope, groupBy: ApprovalGrouping | undefined): string {
  switch (groupBy) {
    case 'level': {
      const over = `l.ended IS NOT NULL AND l.outcome IN ('approved', 'rejected')`;
      return `, levels AS (${levelsSql})
        SELECT l.level::text AS "group", ${outcomeCounts('l.outcome')},
          count(*) FILTER (WHERE ${over}) AS count,
          ${percentilesSql(epochSeconds('l.ended', 'l.started'))} FILTER (WHERE ${over}) AS percentiles
        FROM levels l GROUP BY l.level ORDER BY l.level`;
    }
    case 'approver':
      // A signature level's decision has no person: the provider signed for them.
      return `, levels AS (${levelsSql})
        SELECT coalesce(d.person_id, 'signature:' || coalesce(d.provider, 'unknown')) AS "group", count(*) AS total,
          count(*) FILTER (WHERE d.decision = 'approve') AS approved, count(*) FILTER (WHERE d.decision = 'reject') AS rejected,
          0 AS pending, 0 AS cancelled, count(*) AS count,
          ${percentilesSql(epochSeconds('d.created_at', 'l.started'))} AS percentiles
        FROM levels l JOIN approval_decisions d ON d.approval_id = l.approval_id AND d.level = l.level
        GROUP BY 1 ORDER BY 1`;
    default: {
      const key =
        groupBy === undefined
          ? 'CROSS JOIN LATERAL (SELECT NULL::text AS key) g'
          : groupBy === 'partner'
            ? 'CROSS JOIN LATERAL (SELECT a.partner_id AS key) g'
            : groupBy === 'period'
              ? `CROSS JOIN LATERAL (SELECT ${periodLabel(scope, 'a.created_at')} AS key) g`
              : // An approval that two policies asked for counts for each.
                `CROSS JOIN LATERAL (SELECT DISTINCT reason ->> 'policy' AS key FROM jsonb_array_elements(a.reasons) AS reason) g`;
      const over = `a.decided_at IS NOT NULL AND a.status IN ('approved', 'rejected')`;
      return `
        SELECT g.key AS "group", ${outcomeCounts('a.status')},
          count(*) FILTER (WHERE ${over}) AS count,
          ${percentilesSql(epochSeconds('a.decided_at', 'a.created_at'))} FILTER (WHERE ${over}) AS percentiles
        FROM scoped a ${key} GROUP BY g.key ORDER BY g.key NULLS FIRST`;
    }
  }
}

type Row = { group: string | null; total: string; approved: string; rejected: string; pending: string; cancelled: string } & PercentileRow;

export async function approvalsReport(db: Database, scope: ReportScope, groupBy: ApprovalGrouping | undefined): Promise<ApprovalGroup[]> {
  const filter = scopeFilter(scope, 'a.created_at', 'a.partner_id');
  const sql = `WITH scoped AS (SELECT a.* FROM approvals a WHERE ${filter.sql})${groupedSql(scope, groupBy)}`;
  const rows = await reportRows<Row>(db, sql, filter.bindings);
  return rows.map((row) => {
    const [approved, rejected] = [Number(row.approved), Number(row.rejected)];
    return {
      group: row.group,
      total: Number(row.total),
      approved,
      rejected,
      pending: Number(row.pending),
      cancelled: Number(row.cancelled),
      approvalRate: rate(approved, approved + rejected),
      rejectionRate: rate(rejected, approved + rejected),
      turnaround: percentilesOf(row),
    };
  });
}
