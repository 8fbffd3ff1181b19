import { loadavg } from 'node:os';
import {
  approvalsReport,
  connectDatabase,
  cycleTimesReport,
  migrateToLatest,
  recentStageDurations,
  slaReport,
  throughputReport,
  type Database,
  type ReportScope,
} from '../adapters/db/index.ts';
import { stageBucketBounds, type Granularity } from '../domain/reports.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { generateHistory } from './reports-data.ts';
import { fmt, log, processCpuMs, runMain, summarize, table } from './support.ts';

// npm run bench:reports — every report over a million orders of history (bench/reports-data.ts)
// in a PostgreSQL database of its own, timed as the API runs it (the same functions, in process,
// without HTTP): each several times, the median and the worst printed. Goal: each under 1 s.
//   BENCH_ORDERS (1000000), BENCH_RUNS (7), BENCH_KEEP=1 keeps the database and prints its URL,
//   BENCH_DATABASE_URL reuses one kept before (no generation), BENCH_ONLY=cycle times only the
//   reports whose name holds it.

const orders = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const runs = Number(process.env.BENCH_RUNS ?? 7);
const goalMs = 1000;

interface Case {
  report: string;
  query: string;
  run: (db: Database, scope: ReportScope) => Promise<unknown>;
  days: number;
  partner?: boolean;
  granularity?: Granularity;
}

const cases: Case[] = [
  { report: 'cycle-times', query: '(30 days)', days: 30, run: (db, scope) => cycleTimesReport(db, scope, undefined) },
  { report: 'cycle-times', query: 'groupBy=partner', days: 30, run: (db, scope) => cycleTimesReport(db, scope, 'partner') },
  { report: 'cycle-times', query: 'groupBy=sku', days: 30, run: (db, scope) => cycleTimesReport(db, scope, 'sku') },
  { report: 'cycle-times', query: 'groupBy=vendor', days: 30, run: (db, scope) => cycleTimesReport(db, scope, 'vendor') },
  { report: 'cycle-times', query: 'groupBy=period (day)', days: 30, run: (db, scope) => cycleTimesReport(db, scope, 'period') },
  { report: 'cycle-times', query: 'partner key', days: 30, partner: true, run: (db, scope) => cycleTimesReport(db, scope, undefined) },
  { report: 'cycle-times', query: 'groupBy=channel, 90 days', days: 90, run: (db, scope) => cycleTimesReport(db, scope, 'channel') },
  { report: 'sla', query: '(30 days)', days: 30, run: (db, scope) => slaReport(db, scope, undefined) },
  { report: 'sla', query: 'groupBy=vendor', days: 30, run: (db, scope) => slaReport(db, scope, 'vendor') },
  { report: 'sla', query: 'groupBy=role', days: 30, run: (db, scope) => slaReport(db, scope, 'role') },
  { report: 'sla', query: 'groupBy=person', days: 30, run: (db, scope) => slaReport(db, scope, 'person') },
  { report: 'sla', query: 'groupBy=document', days: 30, run: (db, scope) => slaReport(db, scope, 'document') },
  { report: 'sla', query: 'groupBy=partner, 90 days', days: 90, run: (db, scope) => slaReport(db, scope, 'partner') },
  { report: 'approvals', query: '(30 days)', days: 30, run: (db, scope) => approvalsReport(db, scope, undefined) },
  { report: 'approvals', query: 'groupBy=level', days: 30, run: (db, scope) => approvalsReport(db, scope, 'level') },
  { report: 'approvals', query: 'groupBy=approver', days: 30, run: (db, scope) => approvalsReport(db, scope, 'approver') },
  { report: 'approvals', query: 'groupBy=policy, 90 days', days: 90, run: (db, scope) => approvalsReport(db, scope, 'policy') },
  { report: 'throughput', query: '(30 days)', days: 30, run: (db, scope) => throughputReport(db, scope) },
  { report: 'throughput', query: 'period=week, 90 days', days: 90, granularity: 'week', run: (db, scope) => throughputReport(db, scope) },
  { report: 'throughput', query: 'partner key', days: 30, partner: true, run: (db, scope) => throughputReport(db, scope) },
  {
    report: '/metrics stage histogram',
    query: '(last 24 h)',
    days: 1,
    run: (db, scope) => recentStageDurations(db, new Date(scope.now.getTime() - 86_400_000), stageBucketBounds),
  },
];

async function main(): Promise<number> {
  const now = new Date();
  let url = process.env.BENCH_DATABASE_URL;
  let drop: (() => Promise<void>) | undefined;
  if (url === undefined) {
    const created = await createPostgresDatabase();
    url = created.url;
    drop = created.drop;
  }
  const db = connectDatabase({ url, dataDir: '', poolMax: 4 });
  try {
    if (process.env.BENCH_DATABASE_URL === undefined) {
      await migrateToLatest(db);
      log(`generating ${orders.toLocaleString('en')} orders of history in ${url}`);
      const started = performance.now();
      await generateHistory(db, url, orders, now);
      log(`generated in ${fmt((performance.now() - started) / 1000)} s`);
    }
    const counts = await db.raw(
      `SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM order_events) AS events, (SELECT count(*) FROM order_lines) AS lines,
         (SELECT count(*) FROM tasks) AS tasks, (SELECT count(*) FROM approvals) AS approvals, (SELECT count(*) FROM work_items) AS work_items,
         (SELECT count(*) FROM order_deadlines) AS deadlines, (SELECT max(created_at) FROM orders) AS latest`,
    );
    const sizes = counts.rows[0] as Record<string, string>;
    const latest = new Date(sizes.latest as string);
    log(
      `history: ${Object.entries(sizes)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}`,
    );

    // The machine is shared: besides the wall time, the CPU time the query took in its database
    // backend (one connection, so one backend: /proc/<pid>/stat), which other work does not inflate.
    const single = connectDatabase({ url, dataDir: '', poolMax: 1 });
    const backend = Number(((await single.raw('SELECT pg_backend_pid() AS pid')) as { rows: { pid: number }[] }).rows[0]?.pid);
    const rows: string[][] = [['report', 'query', 'median ms', 'worst ms', 'db CPU ms (median)', `< ${goalMs} ms`]];
    let missed = 0;
    const loadBefore = loadavg()[0] ?? 0;
    const partnerSeven = String((await db('partners').where({ name: 'Partner 7' }).first('id'))?.id);
    for (const bench of cases.filter((candidate) => candidate.report.includes(process.env.BENCH_ONLY ?? ''))) {
      const scope: ReportScope = {
        period: { from: new Date(latest.getTime() - bench.days * 86_400_000), to: latest, granularity: bench.granularity ?? 'day' },
        now: latest,
        ...(bench.partner === true ? { partnerId: partnerSeven } : {}),
      };
      await bench.run(db, scope); // warm-up: plans and pages in the cache
      const timings: number[] = [];
      for (let run = 0; run < runs; run += 1) {
        const started = performance.now();
        await bench.run(db, scope);
        timings.push(performance.now() - started);
      }
      const cpu: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        const before = processCpuMs(backend);
        await bench.run(single, scope);
        cpu.push(processCpuMs(backend) - before);
      }
      const { p50, max } = summarize(timings);
      if (max >= goalMs) missed += 1;
      rows.push([bench.report, bench.query, fmt(p50), fmt(max), fmt(summarize(cpu).p50, 0), max < goalMs ? 'yes' : 'NO']);
    }
    await single.destroy();
    const loadAfter = loadavg()[0] ?? 0;
    process.stdout.write(`\n${table(rows)}\n`);
    process.stdout.write(
      `${orders.toLocaleString('en')} orders; ${runs} runs each after one warm-up; load average (1 min) ${fmt(loadBefore, 2)} before, ${fmt(loadAfter, 2)} after\n`,
    );
    if (process.env.BENCH_KEEP === '1') {
      drop = undefined;
      log(`kept: BENCH_DATABASE_URL=${url}`);
    }
    return missed === 0 ? 0 : 1;
  } finally {
    await db.destroy();
    await drop?.();
  }
}

runMain(main);
