import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { runFloor, type FloorResult } from './floor.ts';
import { runLoad, type LoadResult } from './load.ts';
import { benchOrderJson, linesPerOrder, orderSequence } from './orders.ts';
import {
  approvalsEnvironment,
  cpuMeter,
  createBenchDatabase,
  createPartnerOverHttp,
  fmt,
  log,
  machineBusyNow,
  runMain,
  scrapeMetrics,
  startServerProcess,
  table,
  waitUntilIdle,
  watchdog,
  type CpuSplit,
  writeBenchResult,
  type ServerProcess,
} from './support.ts';

// npm run bench:api — POST /v1/orders under load against the real server in a child process.
//   A  the most orders/s 32 connections get (closed loop)
//   B  half that rate, paced, for latency (target p99 < 50 ms)
//   floor  the same rows inserted with plain pg, one transaction per order (target: A ≥ 50 % of it),
//          then again at B's rate, paced: what the database alone does to B's latency
// Environment: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (32),
// BENCH_SERVER_NODE_ARGS (extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/og-prof"),
// BENCH_B_BURSTS=1 (B with autocannon's overallRate on the A connections as is: per-second bursts; see load.ts),
// BENCH_APPROVALS=none (no approval policies; default: the demo policy of the default start).

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const bBursts = process.env.BENCH_B_BURSTS === '1';
const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
/** The server's knex pool (adapters/db/connect.ts: pool max 10 unless poolMax is given; app/main.ts gives none). */
const serverPoolSize = 10;
const targets = { halfRateP99Ms: 50, floorShare: 0.5 };
const budgetMs = 115_000;
const approvals = approvalsEnvironment();

/** Mean server-side time per order, per stage, from the gateway's own Prometheus histograms. */
function stageMeans(before: Map<string, number>, after: Map<string, number>): string {
  const mean = (series: string, labels: string): number => {
    const delta = (suffix: string): number =>
      (after.get(`${series}_${suffix}{${labels}}`) ?? 0) - (before.get(`${series}_${suffix}{${labels}}`) ?? 0);
    return (delta('sum') / delta('count')) * 1000;
  };
  const http = mean('ordergate_http_request_duration_seconds', 'method="POST",route="/v1/orders"');
  const stages = ['receive', 'validate', 'dedupe', 'store'].map(
    (stage) => `${stage} ${fmt(mean('ordergate_pipeline_stage_duration_seconds', `stage="${stage}"`), 2)}`,
  );
  return `server-side mean per order during A: request ${fmt(http, 2)} ms; pipeline stages (ms): ${stages.join(', ')}`;
}

const cpuCells = (cpu: CpuSplit): string[] => [
  fmt(cpu.server, 2),
  fmt(cpu.bench, 2),
  fmt(cpu.postgres, 2),
  fmt(cpu.other, 2),
  `${fmt(cpu.machineBusy * 100, 0)}%`,
];

function loadRow(name: string, result: LoadResult, cpu: CpuSplit): string[] {
  return [
    name,
    String(result.connections),
    fmt(result.ordersPerSecond),
    fmt(result.latency.p50),
    fmt(result.latency.p99),
    fmt(result.latency.max),
    String(result.non2xx),
    String(result.errors),
    ...cpuCells(cpu),
  ];
}

function floorRow(name: string, result: FloorResult, cpu: CpuSplit): string[] {
  return [
    name,
    String(serverPoolSize),
    fmt(result.ordersPerSecond),
    fmt(result.latency.p50),
    fmt(result.latency.p99),
    fmt(result.latency.max),
    '-',
    '-',
    ...cpuCells(cpu),
  ];
}

function reportProblems(name: string, result: LoadResult): void {
  if (result.non2xx === 0 && result.errors === 0) return;
  log(
    `${name}: ${result.non2xx} non-2xx, ${result.errors} errors (${result.timeouts} timeouts); statuses ${JSON.stringify(result.statusCounts)}`,
  );
  for (const problem of result.problems) log(`  ${problem}`);
}

async function main(): Promise<number> {
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let server: ServerProcess | undefined;
  const cleanup = async (): Promise<void> => {
    const s = server;
    const d = database;
    server = undefined;
    database = undefined;
    await s?.stop().catch((error: unknown) => log(`stopping the server: ${String(error)}`));
    await d?.drop().catch((error: unknown) => log(`dropping the database: ${String(error)}`));
  };
  const dog = watchdog(budgetMs, cleanup);
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    const busy = await machineBusyNow();
    if (busy > 0.15) log(`WARNING: the machine is already ${fmt(busy * 100, 0)} % busy with other work; the figures will be low and noisy`);
    database = await createBenchDatabase();
    server = await startServerProcess({ databaseUrl: database.url, adminKey, nodeArgs: serverNodeArgs, env: approvals.env });
    log(`server pid ${server.pid} at ${server.url}, database ${new URL(database.url).pathname.slice(1)}`);
    const partner = await createPartnerOverHttp(server.url, adminKey, 'Bench Partner');
    const next = orderSequence('bench');

    // One order by hand: it must be stored whole before any numbers mean anything.
    const first = next();
    const response = await fetch(`${server.url}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${partner.key}`, 'content-type': 'application/json', 'idempotency-key': first.key },
      body: benchOrderJson(first.externalRef),
    });
    const stored = (await response.json()) as { lines?: { components?: unknown[] }[] };
    const storedLines = (stored.lines ?? []).reduce((n, line) => n + 1 + (line.components?.length ?? 0), 0);
    if (response.status !== 201 || storedLines !== linesPerOrder)
      throw new Error(`the first order was not stored as expected: ${response.status} ${JSON.stringify(stored).slice(0, 500)}`);

    const base = { baseUrl: server.url, partnerKey: partner.key, next };
    log('warm-up: 3 s');
    await runLoad({ ...base, connections, durationS: 3 });
    await waitUntilIdle(server.url);

    log(`A: as fast as it goes, ${connections} connections, ${seconds} s`);
    const before = await scrapeMetrics(server.url);
    let meter = cpuMeter(server.pid);
    const max = await runLoad({ ...base, connections, durationS: seconds });
    const maxCpu = meter(max.ok);
    await waitUntilIdle(server.url);
    const after = await scrapeMetrics(server.url);
    reportProblems('A', max);

    const halfRate = Math.max(1, Math.round(max.ordersPerSecond / 2));
    const bName = bBursts ? `B  ${halfRate}/s bursts (${seconds} s)` : `B  ${halfRate}/s paced (${seconds} s)`;
    log(bName.replace(/^B\s+/, 'B: '));
    meter = cpuMeter(server.pid);
    const half = await runLoad({
      ...base,
      rate: halfRate,
      durationS: seconds,
      ...(bBursts ? { connections: Math.min(connections, halfRate) } : {}),
    });
    const halfCpu = meter(half.ok);
    await waitUntilIdle(server.url);
    reportProblems('B', half);

    // The server idles from here on; stop it so that the floor has the machine to itself.
    await server.stop();
    server = undefined;
    log(`floor: plain pg, pool ${serverPoolSize}, ${seconds} s`);
    meter = cpuMeter(undefined);
    const floor: FloorResult = await runFloor({
      databaseUrl: database.url,
      partnerId: partner.id,
      poolSize: serverPoolSize,
      durationS: seconds,
    });
    // Includes the floor's short warm-up (one order per connection).
    const floorCpu = meter(floor.orders + serverPoolSize);
    log(`floor at B's rate: ${halfRate} orders/s paced, ${seconds} s`);
    meter = cpuMeter(undefined);
    const floorPaced = await runFloor({
      databaseUrl: database.url,
      partnerId: partner.id,
      poolSize: serverPoolSize,
      durationS: seconds,
      rate: halfRate,
    });
    const floorPacedCpu = meter(floorPaced.orders + serverPoolSize);

    const share = max.ordersPerSecond / floor.ordersPerSecond;
    const skewed = Object.entries({ A: maxCpu, B: halfCpu, floor: floorCpu, 'floor paced': floorPacedCpu })
      .filter(([, cpu]) => cpu.other > 1)
      .map(([name]) => name);
    const clean = max.non2xx + max.errors + half.non2xx + half.errors === 0;
    const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
    process.stdout.write(
      [
        '',
        `ordergate bench:api — POST /v1/orders, ${linesPerOrder}-line orders, approval policies: ${approvals.name}, server in a child process, ${availableParallelism()} CPUs (${fmt(busy * 100, 0)} % busy before the run)`,
        table([
          [
            'phase',
            'conns',
            'orders/s',
            'p50 ms',
            'p99 ms',
            'max ms',
            'non-2xx',
            'errors',
            'cpu server',
            'cpu bench',
            'cpu pg',
            'cpu other',
            'busy',
          ],
          loadRow(`A  max (${seconds} s)`, max, maxCpu),
          loadRow(bName, half, halfCpu),
          floorRow('floor  max, plain pg', floor, floorCpu),
          floorRow(`floor  ${halfRate}/s paced`, floorPaced, floorPacedCpu),
        ]),
        "cpu: CPU ms per order: the server process; this process (autocannon, or the floor's pg client); all PostgreSQL processes; everything else on the machine",
        '     (other work: high "cpu other" means the figures of that phase are skewed); busy: share of all cores in use',
        stageMeans(before, after),
        `B p99 ${fmt(half.latency.p99)} ms (target < ${targets.halfRateP99Ms} ms): ${verdict(half.latency.p99 < targets.halfRateP99Ms)}; the database alone at that rate: p99 ${fmt(floorPaced.latency.p99)} ms`,
        `A is ${fmt(share * 100)} % of the floor (target ≥ ${targets.floorShare * 100} %): ${verdict(share >= targets.floorShare)}`,
        `non-2xx and errors: ${clean ? 'none' : 'SEE ABOVE'}`,
        ...(skewed.length === 0
          ? []
          : [
              `WARNING: other work on the machine during ${skewed.join(', ')} (cpu other > 1 ms per order): those figures are skewed; run again on a quiet machine`,
            ]),
        '',
      ].join('\n'),
    );
    writeBenchResult({ aOrdersPerSecond: max.ordersPerSecond, bP50Ms: half.latency.p50, bP99Ms: half.latency.p99 });
    return clean ? 0 : 1;
  } finally {
    dog.clear();
    await cleanup();
  }
}

runMain(main);
