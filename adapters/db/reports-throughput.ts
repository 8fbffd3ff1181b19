import { ageBuckets, openWorkByAge, type ThroughputReport } from '../../domain/reports.ts';
import type { Database } from './connect.ts';
import { periodLabel, reportRows, scopeFilter, type ReportScope } from './reports-scope.ts';

// Orders received per period by channel and (current) status; open work now by age. An order is
// open until it is ready for billing or has ended (billed, rejected, cancelled, failed).

export const closedOrderStatuses = ['ready_for_billing', 'billed', 'rejected', 'cancelled', 'failed'] as const;
const closedList = closedOrderStatuses.map((status) => `'${status}'`).join(', ');
const bounds = `'{${ageBuckets.flatMap((bucket) => (bucket.upTo === null ? [] : [bucket.upTo])).join(',')}}'::float8[]`;

export async function throughputReport(db: Database, scope: ReportScope): Promise<ThroughputReport> {
  const filter = scopeFilter(scope, 'o.created_at', 'o.partner_id');
  const partner = scope.partnerId === undefined ? [] : [scope.partnerId];
  const [orders, open] = await Promise.all([
    reportRows<{ period: string; channel: string; status: string; count: string }>(
      db,
      `SELECT ${periodLabel(scope, 'o.created_at')} AS period, o.channel, o.status, count(*) AS count
       FROM orders o WHERE ${filter.sql} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      filter.bindings,
    ),
    reportRows<{ kind: 'order' | 'work-item'; bucket: number; count: string }>(
      db,
      `SELECT 'order' AS kind, width_bucket(extract(epoch FROM ?::timestamptz - o.created_at)::float8, ${bounds}) AS bucket, count(*) AS count
       FROM orders o WHERE o.status NOT IN (${closedList}) ${scope.partnerId === undefined ? '' : 'AND o.partner_id = ?'} GROUP BY 2
       UNION ALL
       SELECT 'work-item', width_bucket(extract(epoch FROM ?::timestamptz - w.created_at)::float8, ${bounds}), count(*)
       FROM work_items w WHERE w.status = 'open' ${scope.partnerId === undefined ? '' : 'AND w.partner_id = ?'} GROUP BY 2`,
      [scope.now, ...partner, scope.now, ...partner],
    ),
  ]);
  return {
    orders: orders.map((row) => ({ ...row, count: Number(row.count) })),
    openWork: openWorkByAge(open),
  };
}
