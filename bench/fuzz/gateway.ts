import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// The gateway under fuzz, as an operator runs it: `node dist/app/main.js` (built first when the build
// is stale, as `npm start` does) or the sources through tsx, on a PostgreSQL database made for the run
// and dropped after, or on the embedded default (PGlite) in a temporary DATA_DIR. What it logs at warn
// and above is read line by line; the entries of each request are kept by request id (the fuzz sends
// its own x-request-id), a bounded number, so that every finding can carry the server's error and stack.

const root = fileURLToPath(new URL('../../', import.meta.url));

export type DatabaseChoice = 'postgres' | 'embedded';

export interface GatewayOptions {
  db: DatabaseChoice;
  /** `dist`: node dist/app/main.js (built if stale); `source`: node --import tsx app/main.ts. */
  entry: 'dist' | 'source';
  adminKey: string;
  bodyLimitBytes: number;
  postgresAdminUrl: string;
  log: (line: string) => void;
}

export interface LogEntry {
  level: number;
  msg: string;
  err?: { type?: string; message?: string; stack?: string; code?: string };
}

export interface Gateway {
  url: string;
  pid: number;
  /** Where it keeps its data: the database name, or the embedded DATA_DIR. */
  where: string;
  alive(): boolean;
  /** How it ended, once it has: exit code or signal, and the last lines it wrote. */
  exit(): string | undefined;
  /** The warn/error entries logged for a request id (kept for the last 5,000 ids). */
  entries(requestId: string): LogEntry[];
  /** Warn/error entries of no request (jobs, the process itself), counted by message. */
  otherEntries: Map<string, number>;
  stop(): Promise<void>;
}

const secretKey = 'e'.repeat(64);
const keptRequestIds = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  let databaseUrl: string | undefined;
  let dataDir: string;
  let cleanup: () => Promise<void>;
  if (options.db === 'postgres') {
    const name = `ordergate_fuzz_${process.pid}_${Date.now().toString(36)}`;
    await adminQuery(options.postgresAdminUrl, `CREATE DATABASE ${name}`);
    const url = new URL(options.postgresAdminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dataDir = '/nonexistent-ordergate-fuzz-data';
    cleanup = () => adminQuery(options.postgresAdminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'ordergate-fuzz-'));
    cleanup = async () => rmSync(dataDir, { recursive: true, force: true });
  }
  if (options.entry === 'dist') {
    const build = spawnSync(process.execPath, ['scripts/build.js', '--if-stale'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    if (build.status !== 0) {
      await cleanup();
      throw new Error('npm run build failed');
    }
  }
  const port = await freePort();
  const args = options.entry === 'dist' ? ['--enable-source-maps', 'dist/app/main.js'] : ['--import', 'tsx', 'app/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      ORDERGATE_ADMIN_KEY: options.adminKey,
      ORDERGATE_SECRET_KEY: secretKey,
      DATA_DIR: dataDir,
      BODY_LIMIT_BYTES: String(options.bodyLimitBytes),
      LOG_LEVEL: 'warn',
      ...(databaseUrl === undefined ? {} : { DATABASE_URL: databaseUrl }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the gateway did not start');

  const byRequest = new Map<string, LogEntry[]>();
  const otherEntries = new Map<string, number>();
  const tail: string[] = [];
  const read = (line: string): void => {
    tail.push(line.slice(0, 2000));
    if (tail.length > 40) tail.shift();
    let entry: LogEntry & { reqId?: string };
    try {
      entry = JSON.parse(line) as LogEntry & { reqId?: string };
    } catch {
      return;
    }
    if (typeof entry.level !== 'number' || entry.level < 40) return;
    const kept: LogEntry = { level: entry.level, msg: entry.msg, ...(entry.err === undefined ? {} : { err: entry.err }) };
    if (entry.reqId === undefined) {
      const key = `${entry.msg}${entry.err?.message === undefined ? '' : `: ${entry.err.message.slice(0, 200)}`}`;
      if (otherEntries.size < 200 || otherEntries.has(key)) otherEntries.set(key, (otherEntries.get(key) ?? 0) + 1);
      return;
    }
    const list = byRequest.get(entry.reqId) ?? [];
    if (list.length < 10) list.push(kept);
    byRequest.set(entry.reqId, list);
    if (byRequest.size > keptRequestIds) byRequest.delete(byRequest.keys().next().value as string);
  };
  createInterface({ input: child.stdout }).on('line', read);
  createInterface({ input: child.stderr }).on('line', read);
  let ended: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      ended = `${signal ?? `exit ${code}`}; its last lines:\n${tail.join('\n')}`;
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (ended === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await cleanup();
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (ended !== undefined) {
      await cleanup();
      throw new Error(`the gateway exited before it was ready: ${ended}`);
    }
    try {
      if ((await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3_000) })).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the gateway was not ready within 120 s: ${tail.join('\n')}`);
    }
    await sleep(200);
  }
  options.log(
    `gateway pid ${pid} on ${url} (${options.entry === 'dist' ? 'dist/app/main.js' : 'app/main.ts via tsx'}, ${options.db === 'postgres' ? `database ${new URL(databaseUrl ?? '').pathname.slice(1)}` : `embedded in ${dataDir}`})`,
  );
  return {
    url,
    pid,
    where: options.db === 'postgres' ? new URL(databaseUrl ?? '').pathname.slice(1) : dataDir,
    alive: () => ended === undefined,
    exit: () => ended,
    entries: (requestId) => byRequest.get(requestId) ?? [],
    otherEntries,
    stop,
  };
}
