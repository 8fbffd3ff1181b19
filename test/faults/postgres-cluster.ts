import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { postgresAdminUrl } from '../support/databases.ts';

// Stops and starts the machine's own PostgreSQL cluster (the shared one every test database lives on).
// Only the fault tests use this, and they run alone, after everything else (vitest.config.ts).

const exec = promisify(execFile);

/** The installed major version, as the env docs find it: `ls /etc/postgresql`. */
function clusterVersion(): string {
  const versions = readdirSync('/etc/postgresql').filter((name) => /^\d+$/.test(name));
  if (versions.length !== 1) throw new Error(`expected one PostgreSQL version under /etc/postgresql, found ${JSON.stringify(versions)}`);
  return versions[0] as string;
}

async function pgCtlCluster(...args: string[]): Promise<void> {
  await exec('pg_ctlcluster', ['--skip-systemctl-redirect', clusterVersion(), 'main', ...args], { timeout: 60_000 });
}

/** True when the server behind the tests' admin URL answers a query now. */
export async function acceptsConnections(): Promise<boolean> {
  const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 1_000 });
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

async function isClusterRunning(): Promise<boolean> {
  try {
    await pgCtlCluster('status');
    return true;
  } catch {
    return false; // exit 3: not running
  }
}

/** A real, fast stop: open sessions are terminated, the server is gone when this returns. */
export async function stopPostgres(): Promise<void> {
  await pgCtlCluster('stop', '-m', 'fast');
  if (await acceptsConnections()) throw new Error('PostgreSQL still accepts connections after pg_ctlcluster stop');
}

export async function startPostgres(): Promise<void> {
  await pgCtlCluster('start');
}

/** Starts the cluster if it is down and waits until it accepts connections. Safe to call any time. */
export async function ensurePostgresRunning(timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (await acceptsConnections()) return;
    if (!(await isClusterRunning())) {
      try {
        await startPostgres();
      } catch (error) {
        lastError = error; // e.g. a start already under way; keep polling
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`PostgreSQL does not accept connections ${timeoutMs} ms after being started`, { cause: lastError });
}
