import type { Knex } from 'knex';
import {
  percentilesOf,
  rate,
  slaSources,
  type PercentileRow,
  type SlaDeadlineFigures,
  type SlaGroup,
  type SlaGrouping,
  type SlaTaskFigures,
  type SlaWorkItemFigures,
} from '../../domain/reports.ts';
import type { Database } from './connect.ts';
import { epochSeconds, percentilesSql, periodLabel, reportRows, scopeFilter, type ReportScope } from './reports-scope.ts';

// Work done late, from three sources, each limited to what started in the period: vendor tasks
// (created_at; done late: marked done after its due time, updated_at being when it was), work items
// (created_at; done late: completed after due_at) and partner deadlines (started_at).

type Counts = Record<string, string | number>;
type Keyed<T> = { group: string | null } & T;

const rowsOf = <T>(db: Database, sql: string, bindings: Knex.RawBinding[]): Promise<Keyed<T>[]> => reportRows<Keyed<T>>(db, sql, bindings);

const taskKeys: Partial<Record<SlaGrouping, string>> = { vendor: 't.vendor_id', type: 't.type', partner: 'o.partner_id' };
const workItemKeys: Partial<Record<SlaGrouping, string>> = {
  type: 'w.kind',
  role: 'r.role',
  person: 'coalesce(w.completed_by, w.claimed_by)',
  partner: 'w.partner_id',
};
const deadlineKeys: Partial<Record<SlaGrouping, string>> = { document: 'd.document', partner: 'd.partner_id' };

function keyOf(
  scope: ReportScope,
  keys: Partial<Record<SlaGrouping, string>>,
  groupBy: SlaGrouping | undefined,
  timeColumn: string,
): string {
  if (groupBy === undefined) return 'NULL::text';
  if (groupBy === 'period') return periodLabel(scope, timeColumn);
  const key = keys[groupBy];
  if (key === undefined) throw new Error(`no ${groupBy} key for this source`);
  return key;
}

async function taskFigures(db: Database, scope: ReportScope, groupBy: SlaGrouping | undefined) {
  const filter = scopeFilter(scope, 't.created_at', 'o.partner_id');
  // The task's partner is its order's: read only when asked for (a month of tasks joined to a
  // million orders costs more than the rest of the report).
  const partnerNeeded = groupBy === 'partner' || scope.partnerId !== undefined;
  return rowsOf<Counts>(
    db,
    `SELECT ${keyOf(scope, taskKeys, groupBy, 't.created_at')} AS "group", count(*) AS total,
       count(*) FILTER (WHERE t.status = 'done') AS done,
       count(*) FILTER (WHERE t.status = 'done' AND t.updated_at > t.due_at) AS late,
       count(*) FILTER (WHERE t.status NOT IN ('done', 'failed', 'cancelled') AND t.due_at < ?) AS overdue
     FROM tasks t ${partnerNeeded ? 'JOIN orders o ON o.id = t.order_id' : ''}
     WHERE NOT t.person AND ${filter.sql} GROUP BY 1`,
    [scope.now, ...filter.bindings],
  );
}

async function workItemFigures(db: Database, scope: ReportScope, groupBy: SlaGrouping | undefined) {
  const filter = scopeFilter(scope, 'w.created_at', 'w.partner_id');
  // An item on two roles' lists counts in each role.
  const roles = groupBy === 'role' ? 'LEFT JOIN LATERAL unnest(w.assigned_roles) AS r(role) ON true' : '';
  return rowsOf<Counts & PercentileRow>(
    db,
    `SELECT ${keyOf(scope, workItemKeys, groupBy, 'w.created_at')} AS "group", count(*) AS total,
       count(*) FILTER (WHERE w.status = 'done') AS done,
       count(*) FILTER (WHERE w.status = 'done' AND w.completed_at > w.due_at) AS late,
       count(*) FILTER (WHERE w.status = 'open' AND w.due_at < ?) AS overdue,
       count(w.escalated_at) AS escalated, count(w.escalated_at) AS count,
       ${percentilesSql(epochSeconds('w.escalated_at', 'w.created_at'))} FILTER (WHERE w.escalated_at IS NOT NULL) AS percentiles
     FROM work_items w ${roles}
     WHERE ${filter.sql} GROUP BY 1`,
    [scope.now, ...filter.bindings],
  );
}

async function deadlineFigures(db: Database, scope: ReportScope, groupBy: SlaGrouping | undefined) {
  const filter = scopeFilter(scope, 'd.started_at', 'd.partner_id');
  // Met: the document went out in time; missed: it did not (whether or not it went out later).
  return rowsOf<Counts>(
    db,
    `SELECT ${keyOf(scope, deadlineKeys, groupBy, 'd.started_at')} AS "group", count(*) AS total,
       count(*) FILTER (WHERE d.met_at IS NOT NULL AND d.missed_at IS NULL) AS met,
       count(d.missed_at) AS missed,
       count(*) FILTER (WHERE d.met_at IS NULL AND d.missed_at IS NULL) AS open
     FROM order_deadlines d WHERE ${filter.sql} GROUP BY 1`,
    filter.bindings,
  );
}

const n = (value: string | number | undefined): number => Number(value ?? 0);

export async function slaReport(db: Database, scope: ReportScope, groupBy: SlaGrouping | undefined): Promise<SlaGroup[]> {
  const sources = slaSources[groupBy ?? 'none'];
  const [tasks, workItems, deadlines] = await Promise.all([
    sources.includes('tasks') ? taskFigures(db, scope, groupBy) : [],
    sources.includes('workItems') ? workItemFigures(db, scope, groupBy) : [],
    sources.includes('deadlines') ? deadlineFigures(db, scope, groupBy) : [],
  ]);
  const keys = [...new Set([...tasks, ...workItems, ...deadlines].map((row) => row.group))].sort((a, b) =>
    a === null ? -1 : b === null ? 1 : a < b ? -1 : a > b ? 1 : 0,
  );
  // Without grouping there is one group, figures of zero included.
  if (groupBy === undefined && keys.length === 0) keys.push(null);
  const byGroup = <T extends { group: string | null }>(rows: T[]) => new Map(rows.map((row) => [row.group, row] as const));
  const [taskRows, itemRows, deadlineRows] = [byGroup(tasks), byGroup(workItems), byGroup(deadlines)];
  return keys.map((group): SlaGroup => {
    const task = taskRows.get(group);
    const item = itemRows.get(group);
    const deadline = deadlineRows.get(group);
    const taskFigures: SlaTaskFigures = { total: n(task?.total), done: n(task?.done), late: n(task?.late), overdue: n(task?.overdue) };
    const itemFigures: SlaWorkItemFigures = {
      total: n(item?.total),
      done: n(item?.done),
      late: n(item?.late),
      overdue: n(item?.overdue),
      escalated: n(item?.escalated),
      timeToEscalation: percentilesOf(item),
    };
    const met = n(deadline?.met);
    const missed = n(deadline?.missed);
    const deadlineFigures: SlaDeadlineFigures = {
      total: n(deadline?.total),
      met,
      missed,
      open: n(deadline?.open),
      metRate: rate(met, met + missed),
    };
    return {
      group,
      tasks: sources.includes('tasks') ? taskFigures : null,
      workItems: sources.includes('workItems') ? itemFigures : null,
      deadlines: sources.includes('deadlines') ? deadlineFigures : null,
    };
  });
}
