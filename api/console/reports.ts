import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApprovalGroup, CycleTimeGroup, SlaGroup, ThroughputReport } from '../../domain/reports.ts';
import { apiFor, problemText, type ApiAnswer } from './api-call.ts';
import { partnerNames } from './partner-names.ts';
import { refusalOf, refusedPage, render } from './render.ts';
import { approvalsChart, cycleTimesChart, slaChart, throughputCharts, type ChartView } from './report-view.ts';

// The reports (/console/reports) as charts with their tables, for a period the form picks, and each
// report as CSV (/console/reports/<name>.csv): the API's own CSV (Accept: text/csv), sent on as a
// download. The page and the CSV ask the API the same question, so they hold the same rows.

interface PeriodQuery {
  from?: string;
  to?: string;
  period?: string;
}

/** Each report with the grouping its chart shows. */
const reports = {
  throughput: '',
  'cycle-times': '',
  sla: 'partner',
  approvals: 'partner',
} as const;
type ReportName = keyof typeof reports;

const day = (date: Date): string => date.toISOString().slice(0, 10);

/** The form's period: what it says, else the last 30 days, today included (`to` is exclusive). */
function periodOf(query: PeriodQuery, now: Date): { from: string; to: string; period: string } {
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const text = (value: unknown, otherwise: string) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : otherwise);
  return {
    from: text(query.from, day(new Date(tomorrow.getTime() - 30 * 86_400_000))),
    to: text(query.to, day(tomorrow)),
    period: text(query.period, 'day'),
  };
}

const reportUrl = (name: ReportName, period: { from: string; to: string; period: string }): string => {
  const params = new URLSearchParams(period);
  if (reports[name] !== '') params.set('groupBy', reports[name]);
  return `/v1/reports/${name}?${params.toString()}`;
};

export function reportPages(now: () => Date) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/console/reports', async (request: FastifyRequest<{ Querystring: PeriodQuery }>, reply) => {
      const api = apiFor(request);
      const period = periodOf(request.query, now());
      const admin = request.consoleSession?.principal.role === 'admin';
      const [throughput, cycleTimes, sla, approvals, names] = await Promise.all([
        api<ThroughputReport>('GET', reportUrl('throughput', period)),
        api<{ groups: CycleTimeGroup[] }>('GET', reportUrl('cycle-times', period)),
        api<{ groups: SlaGroup[] }>('GET', reportUrl('sla', period)),
        api<{ groups: ApprovalGroup[] }>('GET', reportUrl('approvals', period)),
        partnerNames(api, admin),
      ]);
      const answers: ApiAnswer[] = [throughput, cycleTimes, sla, approvals];
      const failed = answers.find((answer) => !answer.ok);
      const own = request.consoleSession?.name ?? 'this partner';
      const nameOf = (group: string | null) => (group === null ? 'all' : admin ? (names.get(group) ?? group) : own);
      const charts: { name: ReportName; views: ChartView[] }[] =
        failed === undefined
          ? [
              { name: 'throughput', views: throughputCharts(throughput.body, period.period) },
              { name: 'cycle-times', views: [cycleTimesChart(cycleTimes.body.groups)] },
              { name: 'sla', views: [slaChart(sla.body.groups, nameOf)] },
              { name: 'approvals', views: [approvalsChart(approvals.body.groups, nameOf)] },
            ]
          : [];
      return render(
        request,
        reply,
        'reports',
        {
          title: 'Reports',
          section: '/console/reports',
          period,
          reports: charts.map(({ name, views }) => ({
            name,
            views,
            csv: `/console/reports/${name}.csv?${new URLSearchParams(period).toString()}`,
          })),
          ...(failed === undefined ? {} : { notice: { kind: 'problem' as const, text: problemText(failed) } }),
        },
        failed === undefined ? 200 : failed.status,
      );
    });

    for (const name of Object.keys(reports) as ReportName[])
      app.get(`/console/reports/${name}.csv`, async (request: FastifyRequest<{ Querystring: PeriodQuery }>, reply) => {
        const period = periodOf(request.query, now());
        const answer = await apiFor(request)('GET', reportUrl(name, period), undefined, 'text/csv');
        if (!answer.ok)
          return refusedPage(request, reply, refusalOf(answer), { section: '/console/reports', title: 'The report could not be made' });
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}-${period.from}-${period.to}.csv"`)
          .send(answer.text);
      });
  };
}
