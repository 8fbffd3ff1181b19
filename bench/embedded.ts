import { runLoad } from './load.ts';
import { orderSequence } from './orders.ts';
import {
  createBenchDatabase,
  createPartnerOverHttp,
  fmt,
  log,
  runMain,
  sleep,
  startServerProcess,
  summarize,
  table,
  watchdog,
} from './support.ts';

// npm run bench:embedded — what the embedded default (PGlite) does to everyone else under load,
// against PostgreSQL in the same run: POST /v1/orders closed loop on BENCH_CONNECTIONS (16) for
// BENCH_SECONDS (20), while GET /healthz is asked every 50 ms. /healthz needs no database, so its
// latency is how long the gateway's event loop was not free.
// BENCH_COMPARE_DIR=<another checkout>: its gateway on the embedded default too (e.g. a version
// from before PGlite moved to its own thread), in the same run.

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const compareDir = process.env.BENCH_COMPARE_DIR;
const adminKey = 'bench-admin-key-0123456789abcdef';

interface Target {
  name: string;
  databaseUrl?: string;
  gatewayDir?: string;
}

/** GET /healthz every `everyMs` until stopped; a probe that never answers counts as the time it waited. */
function probeHealth(baseUrl: string, everyMs: number) {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(30_000) });
      } catch {
        // counted below as the time it took to give up
      }
      latencies.push(performance.now() - started);
      await sleep(everyMs);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return summarize(latencies);
  };
}

async function measure(target: Target) {
  const database = target.databaseUrl === undefined ? undefined : await createBenchDatabase();
  const server = await startServerProcess({
    adminKey,
    ...(database === undefined ? {} : { databaseUrl: database.url }),
    ...(target.gatewayDir === undefined ? {} : { gatewayDir: target.gatewayDir }),
  });
  try {
    const partner = await createPartnerOverHttp(server.url, adminKey, 'Bench');
    const stopProbe = probeHealth(server.url, 50);
    const load = await runLoad({
      baseUrl: server.url,
      partnerKey: partner.key,
      next: orderSequence(target.name),
      durationS: seconds,
      connections,
    });
    const health = await stopProbe();
    return { target, load, health };
  } finally {
    await server.stop();
    await database?.drop();
  }
}

runMain(async () => {
  const targets: Target[] = [
    { name: 'embedded' },
    { name: 'postgres', databaseUrl: 'yes' },
    ...(compareDir === undefined ? [] : [{ name: `embedded @ ${compareDir}`, gatewayDir: compareDir }]),
  ];
  const guard = watchdog((seconds + 60) * 1000 * targets.length, async () => undefined);
  const rows: string[][] = [
    ['gateway', 'orders/s', 'order p50 ms', 'order p99 ms', 'non-2xx', 'healthz p50 ms', 'healthz p99 ms', 'healthz max ms'],
  ];
  for (const target of targets) {
    log(`${target.name}: ${connections} connections posting orders for ${seconds} s, /healthz every 50 ms`);
    const { load, health } = await measure(target);
    rows.push([
      target.name,
      fmt(load.ordersPerSecond),
      fmt(load.latency.p50),
      fmt(load.latency.p99),
      String(load.non2xx + load.errors + load.timeouts),
      fmt(health.p50),
      fmt(health.p99),
      fmt(health.max),
    ]);
    if (load.problems.length > 0) log(`  first problems: ${load.problems.slice(0, 3).join(' | ')}`);
  }
  guard.clear();
  log(`\n${table(rows)}`);
  return 0;
});
