import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleOrder } from './support/app.ts';
import { createPostgresDatabase } from './support/databases.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

// The gateway as a user starts it, in a child process: `npm start` itself on a fresh copy of the
// repository (compiled into dist/ first), and its entry point app/main.ts from the sources under tsx,
// which every other test here starts, so that none of them waits for a build or runs a stale one.

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

function spawnGateway(env: Record<string, string>, port = 0): Gateway & { port: number } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { process: child, url: `http://127.0.0.1:${port}`, port, output: () => output, exited };
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not within ${timeoutMs} ms`);
}

async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const gateway = spawnGateway(env, await freePort());
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (gateway.process.exitCode !== null) throw new Error(`gateway exited early:\n${gateway.output()}`);
    const ready = await fetch(`${gateway.url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return gateway;
    await new Promise((r) => setTimeout(r, 200));
  }
  gateway.process.kill('SIGKILL');
  throw new Error(`gateway did not become ready:\n${gateway.output()}`);
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

/** `npm start` in `dir`, in a process group of its own (npm, its shell, node), ready or thrown; stop() ends the group. */
async function npmStart(dir: string, env: Record<string, string>): Promise<Gateway & { stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: dir,
    detached: true,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      npm_config_update_notifier: 'false',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGTERM');
    await exited;
  };
  const gateway = { process: child, url: `http://127.0.0.1:${port}`, output: () => output, exited, stop };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
      return fetch(`${gateway.url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    }, 150_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return gateway;
}

describe('npm start', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('on a fresh clone compiles into dist/ once, saying so, then runs the JavaScript, which finds the files it reads', async () => {
    // The repository's files as a clone has them (no dist/, no data/), with this checkout's node_modules.
    const clone = mkdtempSync(join(tmpdir(), 'ordergate-clone-'));
    cleanups.push(() => rmSync(clone, { recursive: true, force: true }));
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter((file) => file !== '' && existsSync(join(root, file)));
    for (const file of files) cpSync(join(root, file), join(clone, file));
    symlinkSync(realpathSync(join(root, 'node_modules')), join(clone, 'node_modules'));
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const adminKey = 'fresh-clone-admin-key-0123456789';
    const env = { DATABASE_URL: database.url, ORDERGATE_ADMIN_KEY: adminKey, LOG_LEVEL: 'info' };

    const first = await npmStart(clone, env);
    expect(first.output()).toMatch(
      /compiling the TypeScript sources into dist\/ with tsc \(no build yet\)…\n(.*\n)*.*compiled in \d+\.\d s/,
    );
    expect(first.output()).toMatch(/starting ordergate \d+\.\d+\.\d+ \(dist\/app\/main\.js, node v/);
    expect(first.output()).toMatch(/database migrated in \d+\.\d s/);
    expect(first.output()).toMatch(/ready in \d+\.\d s: the API answers on http:\/\/127\.0\.0\.1:\d+/);
    // Read from the package's root, not from beside the compiled module: openapi.yaml, and an X12 map
    // with the guide it names (the catalog, the cXML map and the webhook sources are read at start).
    expect((await fetch(`${first.url}/openapi.json`)).status).toBe(200);
    const partner = await fetch(`${first.url}/v1/partners`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Acme EDI',
        x12: { qualifier: 'ZZ', id: 'ACMEBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE', map: 'known-parties' },
      }),
    });
    expect(partner.status, await partner.text()).toBe(201);
    await first.stop();

    // The next start compiles nothing; a changed source makes the build stale (and the next start compiles it).
    const second = await npmStart(clone, env);
    expect(second.output()).not.toContain('compiling');
    await second.stop();
    const fresh = () =>
      execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          "import { builtFromCurrentSources } from './scripts/build-state.js'; console.log(builtFromCurrentSources())",
        ],
        { cwd: clone, encoding: 'utf8' },
      ).trim();
    expect(fresh()).toBe('true');
    appendFileSync(join(clone, 'app/main.ts'), '\n// changed\n');
    expect(fresh()).toBe('false');
  }, 300_000);

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

  it('waits for a database that is not there yet: live but not ready meanwhile, and serves once it comes', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    // The database is reached through a proxy of ours that refuses connections until the test says.
    const url = new URL(database.url);
    const proxy = await startTcpProxy({ targetPort: Number(url.port || 5432) });
    cleanups.push(() => proxy.close());
    void proxy.refuseUntilResumed();
    url.port = String(proxy.port);
    const gateway = spawnGateway(
      { DATABASE_URL: url.toString(), ORDERGATE_ADMIN_KEY: 'waiting-admin-key-0123456789abcdef' },
      await freePort(),
    );
    cleanups.push(() => void gateway.process.kill('SIGKILL'));
    await waitFor(() =>
      fetch(`${gateway.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    );
    expect(await (await fetch(`${gateway.url}/healthz`)).json()).toEqual({ status: 'starting' });
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(503);
    const early = await fetch(`${gateway.url}/v1/partners`, { headers: { authorization: 'Bearer waiting-admin-key-0123456789abcdef' } });
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('5');
    expect((await early.json()).detail).toContain('starting');
    await waitFor(() => /database not reachable \(.*ECONNREFUSED.*\); trying again in \d+ ms/.test(gateway.output()));

    // The database comes.
    await proxy.resume();
    await waitFor(
      () =>
        fetch(`${gateway.url}/readyz`).then(
          (r) => r.ok,
          () => false,
        ),
      30_000,
    );
    expect(await (await fetch(`${gateway.url}/healthz`)).json()).toEqual({ status: 'up' });
    expect(gateway.output()).toMatch(/database reached after \d+ attempts; migrated/);
    expect(gateway.process.exitCode).toBeNull();
  }, 90_000);

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

  it('says in one line why it cannot start: a busy port, an unwritable DATA_DIR, a wrong database password', async () => {
    const busy = createServer();
    const port = await new Promise<number>((resolve) =>
      busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)),
    );
    cleanups.push(() => new Promise<void>((resolve) => busy.close(() => resolve())));
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const notAFolder = join(mkdtempSync(join(tmpdir(), 'ordergate-start-')), 'a-file');
    writeFileSync(notAFolder, 'not a folder');
    const wrongPassword = new URL(database.url);
    wrongPassword.username = 'nobody_here';
    const cases: [Record<string, string>, RegExp][] = [
      [
        { DATABASE_URL: database.url, PORT: String(port) },
        new RegExp(`^ordergate failed to start: PORT ${port} is already in use on 127.0.0.1`),
      ],
      [
        // A file where a folder should be: unwritable even for root.
        { DATA_DIR: `${notAFolder}/data` },
        new RegExp(`^ordergate failed to start: DATA_DIR ${notAFolder}/data cannot be written \\(ENOTDIR`),
      ],
      [
        { DATABASE_URL: wrongPassword.toString() },
        /^ordergate failed to start: DATABASE_URL: PostgreSQL at 127\.0\.0\.1:5432\/og_test_\w+ refused the user or password/,
      ],
    ];
    for (const [env, expected] of cases) {
      const child = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(await freePort()), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk) => (stderr += chunk));
      const code = await new Promise((resolve) => child.on('exit', resolve));
      expect(code, stderr).toBe(1);
      const lines = stderr.trim().split('\n');
      expect(lines, stderr).toHaveLength(1);
      expect(lines[0]).toMatch(expected);
    }
  }, 90_000);

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
