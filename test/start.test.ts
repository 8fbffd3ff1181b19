import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleOrder } from './support/app.ts';
import { createPostgresDatabase } from './support/databases.ts';

// The gateway as a user starts it: `npm start`'s entry point in a child process.

const root = new URL('..', import.meta.url).pathname;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Gateway {
  process: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited early:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { process: child, url, output: () => output, exited };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`gateway did not become ready:\n${output}`);
}

async function partnerKey(url: string, adminKey: string): Promise<string> {
  const auth = { authorization: `Bearer ${adminKey}` };
  const partner = await (
    await fetch(`${url}/v1/partners`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Acme' }),
    })
  ).json();
  const { key } = await (await fetch(`${url}/v1/partners/${partner.id}/api-keys`, { method: 'POST', headers: auth })).json();
  return key;
}

describe('npm start', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('runs on the embedded database with nothing configured, prints the admin key once, and says there is no broker', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ordergate-start-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

    const first = await startGateway({ DATA_DIR: dataDir });
    const adminKey = /Admin API key[^\n]*\n\s*\n\s*(oga_\S+)/.exec(first.output())?.[1];
    expect(adminKey).toBeDefined();
    expect(first.output()).toContain('AMQP_URL is not set');
    expect(first.output()).toContain('embedded PostgreSQL (PGlite)');
    const key = await partnerKey(first.url, adminKey as string);
    const created = await fetch(`${first.url}/v1/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'idempotency-key': 'start-1', 'content-type': 'application/json' },
      body: JSON.stringify(sampleOrder),
    });
    expect(created.status).toBe(201);
    const { id } = await created.json();
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // Same data directory: the order is still there, the key still works, no new admin key is printed.
    const second = await startGateway({ DATA_DIR: dataDir });
    expect(second.output()).not.toContain('Admin API key');
    const read = await fetch(`${second.url}/v1/orders/${id}`, { headers: { authorization: `Bearer ${key}` } });
    expect(read.status).toBe(200);
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 120_000);

  it('refuses to start on a wrong setting and names it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', PORT: 'eighty', DATABASE_URL: 'mysql://nope' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr?.on('data', (chunk) => (output += chunk));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(output).toContain('PORT must be a whole number');
    expect(output).toContain('DATABASE_URL must start with postgres://');
  }, 60_000);

  it('on SIGTERM finishes the requests in flight, then exits: every 201 is stored, no secret is logged', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const adminKey = 'start-test-admin-key-0123456789';
    const gateway = await startGateway({ DATABASE_URL: database.url, ORDERGATE_ADMIN_KEY: adminKey, LOG_LEVEL: 'info' });
    const key = await partnerKey(gateway.url, adminKey);

    const posts = Array.from({ length: 40 }, (_, i) =>
      fetch(`${gateway.url}/v1/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'idempotency-key': `drain-${i}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...sampleOrder, externalRef: `DRAIN-${i}` }),
      }).then(
        async (r) => ({ status: r.status, body: await r.json() }),
        () => ({ status: 0, body: undefined }),
      ),
    );
    await new Promise((r) => setTimeout(r, 20));
    gateway.process.kill('SIGTERM');
    const results = await Promise.all(posts);
    expect(await gateway.exited, gateway.output()).toBe(0);

    const accepted = results.filter((r) => r.status === 201);
    expect(accepted.length).toBeGreaterThan(0);
    // Whatever was not accepted was refused whole (connection refused), never half-answered.
    expect(results.every((r) => r.status === 201 || r.status === 0 || r.status === 503)).toBe(true);

    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const stored = await client.query('SELECT id FROM orders');
    await client.end();
    expect(new Set(stored.rows.map((r) => r.id))).toEqual(new Set(accepted.map((r) => r.body.id)));

    expect(gateway.output()).toContain('shutting down');
    expect(gateway.output()).not.toContain(key);
    expect(gateway.output()).not.toContain(adminKey);
  }, 120_000);
});
