import type { FastifyReply, FastifyRequest } from 'fastify';
import { stringify } from 'csv-stringify/sync';
import { approvalsReport, cycleTimesReport, slaReport, throughputReport, type Database, type ReportScope } from '../adapters/db/index.ts';
import {
  approvalsTable,
  cycleTimesTable,
  reportPeriod,
  slaTable,
  throughputTable,
  type ReportPeriod,
  type Table,
} from '../domain/reports.ts';
import { principalOf } from './auth.ts';
import type { operations } from './openapi.gen.ts';
import { ProblemError } from './problems.ts';

// GET /v1/reports/*: the period and partner scope from the query and the key, the figures from
// adapters/db/reports-*.ts, answered as JSON or, when the request accepts text/csv (and not JSON
// first), as CSV through csv-stringify (quoting and escaping done by a library that is kept).

type Query<K extends keyof operations> = NonNullable<operations[K]['parameters']['query']>;

function scopeOf(request: FastifyRequest<{ Querystring: Query<'reportThroughput'> }>, now: Date): ReportScope {
  const principal = principalOf(request);
  const { partnerId } = request.query;
  if (principal.partnerId !== null && partnerId !== undefined && partnerId !== principal.partnerId)
    throw new ProblemError('forbidden', "a partner key sees only its own partner's figures; leave partnerId out");
  const period = reportPeriod(request.query, now);
  if (!period.ok) throw new ProblemError('invalid-request', period.detail);
  const scoped = principal.partnerId ?? partnerId;
  return { period: period.period, now, ...(scoped === undefined ? {} : { partnerId: scoped }) };
}

/** CSV when text/csv is asked for ahead of (or without) JSON. */
function wantsCsv(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  const csv = accept.indexOf('text/csv');
  const json = accept.indexOf('application/json');
  return csv >= 0 && (json < 0 || csv < json);
}

const header = (period: ReportPeriod) => ({ from: period.from.toISOString(), to: period.to.toISOString(), period: period.granularity });

async function answer<T extends object>(request: FastifyRequest, reply: FastifyReply, json: T, table: () => Table, name: string) {
  if (!wantsCsv(request)) return json;
  const { header: columns, rows } = table();
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(stringify([columns, ...rows]));
}

export function reportHandlers(db: Database, now: () => Date = () => new Date()) {
  return {
    async reportCycleTimes(request: FastifyRequest<{ Querystring: Query<'reportCycleTimes'> }>, reply: FastifyReply) {
      const scope = scopeOf(request, now());
      const groups = await cycleTimesReport(db, scope, request.query.groupBy);
      const json = { ...header(scope.period), groupBy: request.query.groupBy ?? null, percentile: 'percentile_disc' as const, groups };
      return answer(request, reply, json, () => cycleTimesTable(groups), 'cycle-times');
    },
    async reportSla(request: FastifyRequest<{ Querystring: Query<'reportSla'> }>, reply: FastifyReply) {
      const scope = scopeOf(request, now());
      const groups = await slaReport(db, scope, request.query.groupBy);
      return answer(
        request,
        reply,
        { ...header(scope.period), groupBy: request.query.groupBy ?? null, groups },
        () => slaTable(groups),
        'sla',
      );
    },
    async reportApprovals(request: FastifyRequest<{ Querystring: Query<'reportApprovals'> }>, reply: FastifyReply) {
      const scope = scopeOf(request, now());
      const groups = await approvalsReport(db, scope, request.query.groupBy);
      const json = { ...header(scope.period), groupBy: request.query.groupBy ?? null, groups };
      return answer(request, reply, json, () => approvalsTable(groups), 'approvals');
    },
    async reportThroughput(request: FastifyRequest<{ Querystring: Query<'reportThroughput'> }>, reply: FastifyReply) {
      const scope = scopeOf(request, now());
      const report = await throughputReport(db, scope);
      return answer(request, reply, { ...header(scope.period), ...report }, () => throughputTable(report), 'throughput');
    },
  };
}
