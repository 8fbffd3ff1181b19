import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './gateway-process.ts';

// A PostgreSQL server of the test's own, for the fault tests where a real restart is the point:
// initdb into a temporary folder (trust authentication), started on a free 127.0.0.1 port with its
// unix socket in that folder, stopped (`-m fast`: sessions terminated, as an operator's restart
// does) and started again, and removed at the end. The machine's own PostgreSQL is never touched.
//
// PostgreSQL refuses to run as root, and the tests run as root: initdb and pg_ctl run as the
// `postgres` OS user (runuser), in a folder that user owns. As any other user they run as is.

const exec = promisify(execFile);

export interface PrivatePostgres {
  port: number;
  /** The folder holding the data directory, the socket and the log. */
  dir: string;
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  adminUrl: string;
  /** A URL for `database` on this server. */
  urlFor(database: string): string;
  /** A new, empty database with a random name; its URL. */
  createDatabase(): Promise<string>;
  /** The postmaster's pid now (from postmaster.pid), undefined while stopped. */
  pid(): number | undefined;
  /** A fast stop: open sessions are terminated, and new connections refused, when this returns. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it accepts connections. */
  start(): Promise<void>;
  /** Starts it unless it accepts connections already; safe to call any time (an afterAll's). */
  ensureRunning(): Promise<void>;
  acceptsConnections(): Promise<boolean>;
  /** What the server logged (its log file). */
  log(): string;
  /** Stops it (immediately) and removes its folder. */
  destroy(): Promise<void>;
}

/** The newest installed PostgreSQL's bin folder (`/usr/lib/postgresql/<major>/bin`). */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base)
    ? readdirSync(base)
        .filter((name) => /^\d+$/.test(name) && existsSync(join(base, name, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors[0] === undefined) throw new Error(`no PostgreSQL server binaries (initdb, pg_ctl) under ${base}/<version>/bin`);
  return join(base, majors[0], 'bin');
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** The command line that runs `binary` as a user PostgreSQL accepts. */
function asServerUser(binary: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
}

const started = new Map<string, string>();
// Should a test file die without its afterAll, its servers do not outlive it.
process.once('exit', () => {
  for (const [dir, pgCtl] of started) {
    try {
      const [command, args] = asServerUser(pgCtl, ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      execFileSync(command, args, { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

export async function startPrivatePostgres(options: { name?: string } = {}): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  const pgCtl = join(bin, 'pg_ctl');
  const dir = mkdtempSync(join(tmpdir(), `ordergate-pg-${options.name ?? 'faults'}-`));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = async (binary: string, args: string[], timeout = 60_000) => {
    const [command, commandArgs] = asServerUser(binary, args);
    return exec(command, commandArgs, { timeout, cwd: dir });
  };
  started.set(dir, pgCtl);
  const port = await freePort();
  try {
    await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  } catch (error) {
    started.delete(dir);
    rmSync(dir, { recursive: true, force: true });
    throw new Error('initdb failed for the private PostgreSQL', { cause: error });
  }

  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const urlFor = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  // Quick to start and stop; what it holds is thrown away with the folder. `-m fast` still
  // terminates every session, the point of the restart.
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    `-c listen_addresses=127.0.0.1`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
    '-c shared_buffers=32MB',
  ].join(' ');

  async function acceptsConnections(): Promise<boolean> {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async function start(): Promise<void> {
    await run(pgCtl, ['-D', data, '-l', logFile, '-o', serverOptions, '-w', '-t', '60', 'start'], 90_000);
    const deadline = Date.now() + 30_000;
    while (!(await acceptsConnections())) {
      if (Date.now() > deadline) throw new Error(`the private PostgreSQL on port ${port} does not accept connections:\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  function log(): string {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  }

  function pid(): number | undefined {
    try {
      const first = readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0];
      return first === undefined ? undefined : Number(first);
    } catch {
      return undefined;
    }
  }

  try {
    await start();
  } catch (error) {
    await run(pgCtl, ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
    started.delete(dir);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    port,
    dir,
    adminUrl,
    urlFor,
    async createDatabase() {
      const name = `og_fault_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return urlFor(name);
    },
    pid,
    async stop() {
      await run(pgCtl, ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'], 90_000);
      if (await acceptsConnections()) throw new Error(`the private PostgreSQL on port ${port} still accepts connections after pg_ctl stop`);
    },
    start,
    async ensureRunning() {
      if (await acceptsConnections()) return;
      // A stop may have been cut short: pg_ctl status tells whether a postmaster is still there.
      const running = await run(pgCtl, ['-D', data, 'status']).then(
        () => true,
        () => false,
      );
      if (running) await run(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      await start();
    },
    acceptsConnections,
    log,
    async destroy() {
      await run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      started.delete(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
