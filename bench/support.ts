import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectDatabase, migrateToLatest } from '../adapters/db/index.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';

// Helpers shared by the benches: a throw-away database, the gateway in a child process, stats, a table.

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

/** A fresh, migrated database on the local PostgreSQL (the one the tests use). */
export async function createBenchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const { url, drop } = await createPostgresDatabase();
  const db = connectDatabase({ url, dataDir: '' });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
  return { url, drop };
}

/** A port nobody listens on right now (the OS picks it; 127.0.0.1 only). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** SIGTERM (graceful: lets --cpu-prof write its profile), SIGKILL after a few seconds. */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** Without it: the embedded default (PGlite) in a fresh DATA_DIR of its own. */
  databaseUrl?: string;
  /** The checkout whose gateway runs (default: this one), to compare two versions in one run. */
  gatewayDir?: string;
  adminKey: string;
  /** Extra node flags for the server, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeArgs?: string[];
  env?: Record<string, string>;
}

/**
 * The node flags `npm start` runs the gateway with (package.json's start script), so the bench's
 * server is tuned as a user's is: a young generation of 32 MB halves the garbage collector's share
 * of an order (many short-lived objects per request).
 */
function startFlags(): string[] {
  const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  return (scripts.start ?? '').split(' ').filter((word) => word.startsWith('--'));
}

/** app/main.ts in its own process, so the load generator does not share its event loop. */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = options.databaseUrl === undefined ? mkdtempSync(join(tmpdir(), 'ordergate-bench-')) : undefined;
  const database: Record<string, string> = dataDir === undefined ? { DATABASE_URL: options.databaseUrl ?? '' } : { DATA_DIR: dataDir };
  const { DATABASE_URL: _inherited, ...environment } = process.env;
  const child: ChildProcess = spawn(process.execPath, [...startFlags(), ...(options.nodeArgs ?? []), '--import', 'tsx', 'app/main.ts'], {
    cwd: options.gatewayDir ?? repoRoot,
    env: {
      ...environment,
      ...database,
      ORDERGATE_ADMIN_KEY: options.adminKey,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let stopping = false;
  let gone = false;
  // 'close', not 'exit': by then everything it wrote has been read.
  const exited = new Promise<void>((resolve) =>
    child.once('close', (code, signal) => {
      gone = true;
      if (!stopping) log(`the server (pid ${child.pid}) exited on its own: ${signal ?? `code ${code}`}`);
      resolve();
    }),
  );

  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (gone) return;
    stopping = true;
    child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!killed) {
      child.kill('SIGKILL');
      await exited;
    }
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (gone) throw new Error(`the server exited before it was ready${output === '' ? '' : `:\n${output}`}`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server was not ready within 20 s:\n${output}`);
    }
    await sleep(100);
  }
  // Anything it says from here on (warnings, errors) goes to our stderr.
  child.stdout?.off('data', keep);
  child.stderr?.off('data', keep);
  child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(`[server] ${chunk.toString('utf8')}`));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[server] ${chunk.toString('utf8')}`));
  return { url, pid: child.pid ?? -1, stop };
}

export async function postJson<T>(url: string, key: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** A partner and its key, made the way an operator makes them: through the admin API. */
export async function createPartnerOverHttp(baseUrl: string, adminKey: string, name: string): Promise<{ id: string; key: string }> {
  const partner = await postJson<{ id: string }>(`${baseUrl}/v1/partners`, adminKey, { name });
  const { key } = await postJson<{ key: string }>(`${baseUrl}/v1/partners/${partner.id}/api-keys`, adminKey, {});
  return { id: partner.id, key };
}

/** Prometheus text → sums and counts of the series we look at. */
export async function scrapeMetrics(baseUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(latenciesMs: number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const at = (p: number): number =>
    sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}

/** Kills the run if it overstays its budget, after one attempt to clean up. */
export function watchdog(ms: number, cleanup: () => Promise<void>): { clear(): void } {
  const timer = setTimeout(() => {
    log(`the run exceeded ${Math.round(ms / 1000)} s; cleaning up and exiting`);
    void Promise.race([cleanup(), sleep(10_000)]).finally(() => process.exit(2));
  }, ms);
  timer.unref();
  return { clear: () => clearTimeout(timer) };
}

export const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** A plain text table: first row is the header; numbers right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const numeric = /^[-+]?[\d.,]+%?$|^-$/;
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column > 0 && numeric.test(cell) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const clockTicksPerSecond = 100;

/** CPU time (ms) of a process by pid, from /proc (Linux); NaN where /proc is not there. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
  } catch {
    return Number.NaN;
  }
}

/** Busy and total CPU time (ms) of the whole machine, all cores. */
export function machineCpuMs(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const { user, nice, sys, idle, irq } = cpu.times;
    busy += user + nice + sys + irq;
    total += user + nice + sys + idle + irq;
  }
  return { busy, total };
}

/**
 * CPU time (ms) of every PostgreSQL process on this machine (all databases), from /proc. Backends
 * come and go; what an ended one used moves to the postmaster's children's time, so that is counted too.
 */
export function postgresCpuMs(): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return Number.NaN;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime
      total += ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / clockTicksPerSecond;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

export interface CpuSplit {
  /** CPU ms per unit of work: the server child, this process, PostgreSQL, everything else (other work on the machine). */
  server: number;
  bench: number;
  postgres: number;
  other: number;
  /** How busy the machine was, 0..1 of all cores. */
  machineBusy: number;
}

/** Starts counting CPU; the returned function gives the split per unit of work since then. */
export function cpuMeter(serverPid: number | undefined): (units: number) => CpuSplit {
  const server0 = serverPid === undefined ? 0 : processCpuMs(serverPid);
  const self0 = process.cpuUsage();
  const postgres0 = postgresCpuMs();
  const machine0 = machineCpuMs();
  return (units) => {
    const server = serverPid === undefined ? 0 : processCpuMs(serverPid) - server0;
    const selfUsage = process.cpuUsage(self0);
    const bench = (selfUsage.user + selfUsage.system) / 1000;
    const postgres = postgresCpuMs() - postgres0;
    const machine = machineCpuMs();
    const busy = machine.busy - machine0.busy;
    return {
      server: server / units,
      bench: bench / units,
      postgres: postgres / units,
      other: Math.max(0, busy - server - bench - postgres) / units,
      machineBusy: busy / (machine.total - machine0.total),
    };
  };
}

/** How busy the machine is before we start (0..1): other work on it skews every figure. */
export async function machineBusyNow(ms = 1000): Promise<number> {
  const before = machineCpuMs();
  await sleep(ms);
  const after = machineCpuMs();
  return (after.busy - before.busy) / (after.total - before.total);
}

/**
 * Waits until the server has finished what a load run left behind: autocannon stops at its deadline
 * and drops the requests still in flight, but the server goes on storing them (up to one per
 * connection), and they would otherwise land on the next phase.
 */
export async function waitUntilIdle(baseUrl: string, route = '/v1/orders', timeoutMs = 10_000): Promise<void> {
  const served = async (): Promise<number> => {
    let total = 0;
    for (const [series, value] of await scrapeMetrics(baseUrl)) {
      if (series.startsWith('ordergate_http_requests_total{') && series.includes(`route="${route}"`)) total += value;
    }
    return total;
  };
  const deadline = Date.now() + timeoutMs;
  let last = await served();
  while (Date.now() < deadline) {
    await sleep(250);
    const now = await served();
    if (now === last) return;
    last = now;
  }
  throw new Error(`the server was still busy ${timeoutMs} ms after the load stopped`);
}

/** Runs a bench's main and exits with its code; a crash is logged and exits 1. */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}

/**
 * Closed-loop load: `concurrency` workers each doing one order after another until `orders` are
 * done, after one order per worker as warm-up (connections opened, caches primed). `one` records
 * its own latency into `latencies`.
 */
export async function runOrders(
  orders: number,
  concurrency: number,
  latencies: number[],
  one: () => Promise<void>,
): Promise<{ ordersPerSecond: number; orders: number; seconds: number; latency: LatencySummary }> {
  await Promise.all(Array.from({ length: concurrency }, () => one()));
  latencies.length = 0;
  let left = orders;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left > 0) {
        left -= 1;
        await one();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { ordersPerSecond: latencies.length / seconds, orders: latencies.length, seconds, latency: summarize(latencies) };
}

/**
 * BENCH_APPROVALS: `demo` (the default start's policies, mappings/approvals) or `none` (an empty
 * policy folder): the environment the server is started with, so a run can be compared without them.
 */
export function approvalsEnvironment(): { name: 'demo' | 'none'; env: Record<string, string> } {
  const name = process.env.BENCH_APPROVALS === 'none' ? 'none' : 'demo';
  return name === 'none' ? { name, env: { APPROVALS_DIR: mkdtempSync(join(tmpdir(), 'ordergate-no-policies-')) } } : { name, env: {} };
}

/** BENCH_RESULT_FILE: the run's headline figures as JSON, for a runner that compares runs (bench/approvals.ts). */
export function writeBenchResult(result: Record<string, number>): void {
  const file = process.env.BENCH_RESULT_FILE;
  if (file !== undefined) writeFileSync(file, JSON.stringify(result));
}
