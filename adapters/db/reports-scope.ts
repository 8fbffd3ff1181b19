import type { Knex } from 'knex';
import type { Database } from './connect.ts';
import type { ReportPeriod } from '../../domain/reports.ts';

// What every report's SQL shares: the period and partner it is limited to, and the label of a
// `period` group (the UTC date its day, week or month starts on).

export interface ReportScope {
  period: ReportPeriod;
  /** Only this partner's figures (a partner key's own, or the admin's filter). */
  partnerId?: string;
  /** The moment "overdue" and "age" are measured at. */
  now: Date;
}

/** `column >= from AND column < to`, and the partner when scoped, as SQL with its bindings. */
export function scopeFilter(scope: ReportScope, timeColumn: string, partnerColumn: string): { sql: string; bindings: Knex.RawBinding[] } {
  const bindings: Knex.RawBinding[] = [scope.period.from, scope.period.to];
  let sql = `${timeColumn} >= ? AND ${timeColumn} < ?`;
  if (scope.partnerId !== undefined) {
    sql += ` AND ${partnerColumn} = ?`;
    bindings.push(scope.partnerId);
  }
  return { sql, bindings };
}

/** The label of the period an instant falls in: its UTC start date (weeks start on Monday). */
export const periodLabel = (scope: ReportScope, column: string): string =>
  `to_char(date_trunc('${scope.period.granularity}', ${column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`;

/** percentile_disc: each figure is a duration some item really took, and exact however few there are. */
export const percentilesSql = (expression: string): string =>
  `percentile_disc(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY ${expression})`;

export const epochSeconds = (later: string, earlier: string): string => `extract(epoch FROM ${later} - ${earlier})::float8`;

/**
 * A report's statement, in a transaction of its own with two settings of its own: no JIT (its
 * compilation cost a quarter to half a second of each report over a million orders, more than it
 * saved), and memory enough to sort a month's stage durations without spilling to disk.
 */
export async function reportRows<T>(db: Database, sql: string, bindings: readonly Knex.RawBinding[]): Promise<T[]> {
  return db.transaction(async (trx) => {
    await trx.raw(`SET LOCAL jit = off`);
    await trx.raw(`SET LOCAL work_mem = '64MB'`);
    return ((await trx.raw(sql, bindings as Knex.RawBinding[])) as { rows: T[] }).rows;
  });
}
