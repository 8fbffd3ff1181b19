import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

// The real gateway as its own process (`node --import tsx app/main.ts`), as an operator runs it:
// started against a test database and broker prefix, waited for until it answers, and killed
// with SIGKILL when a test wants a crash. Every process started here is remembered, so a test's
// afterAll (and, failing that, this process's exit) can make sure none outlives it.

const root = fileURLToPath(new URL('../../', import.meta.url));

export const gatewayAdminKey = 'fault-admin-key-0123456789abcdef';
/** 32 bytes in hex: webhook secrets are sealed with it, so no key file is written anywhere. */
const secretKey = 'f'.repeat(64);

export interface GatewayOptions {
  databaseUrl: string;
  prefix: string;
  /** Unset: no broker at all (mailbox only). */
  amqpUrl?: string;
  /** A port of our own choosing (default: a free one), e.g. the port of a gateway killed before. */
  port?: number;
  logLevel?: 'warn' | 'info' | 'debug' | 'error';
  /** The entry point (app/main.ts), relative to the repository or absolute. */
  entry?: string;
  /**
   * What "started" means: `listening` (GET /healthz answers: main() has migrated, started the
   * workers and opened the port) or `ready` (GET /readyz: the database answers too). A test that
   * holds locks the gateway will wait on wants `listening`: its pool may be busy by then.
   */
  waitFor?: 'listening' | 'ready';
  /** How long to wait for it (30 s). */
  readyTimeoutMs?: number;
}

export interface GatewayProcess {
  pid: number;
  port: number;
  url: string;
  /** The connection name the gateway gives its broker connection (app/main.ts). */
  connectionName: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the signal (or exit code) once the process is gone. */
  exited: Promise<string>;
  alive(): boolean;
  /** SIGKILL, as a crash or the OOM killer would: no shutdown code runs. Waits until it is gone. */
  kill(): Promise<string>;
  /** SIGTERM (the graceful shutdown), then SIGKILL if it has not exited within 20 s. */
  stop(): Promise<string>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startGateway(options: GatewayOptions): Promise<GatewayProcess> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    ORDERGATE_ADMIN_KEY: gatewayAdminKey,
    ORDERGATE_SECRET_KEY: secretKey,
    DATA_DIR: '/nonexistent-ordergate-data',
    AMQP_PREFIX: options.prefix,
    LOG_LEVEL: options.logLevel ?? 'warn',
    ...(options.amqpUrl === undefined ? {} : { AMQP_URL: options.amqpUrl }),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', options.entry ?? 'app/main.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('the gateway did not start');
  running.add(child);
  const chunks: string[] = [];
  let size = 0;
  const keep = (data: Buffer): void => {
    chunks.push(data.toString('utf8'));
    size += data.length;
    // Enough to see what went wrong; a chatty info log does not grow without bound.
    while (size > 4_000_000 && chunks.length > 1) size -= (chunks.shift() ?? '').length;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let gone = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      gone = true;
      running.delete(child);
      resolve(signal ?? `exit ${String(code)}`);
    });
  });
  const pid = child.pid;
  const url = `http://127.0.0.1:${port}`;
  const gateway: GatewayProcess = {
    pid,
    port,
    url,
    connectionName: `ordergate-${pid}`,
    output: () => chunks.join(''),
    exited,
    alive: () => !gone,
    async kill() {
      if (!gone) child.kill('SIGKILL');
      return exited;
    },
    async stop() {
      if (!gone) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (gone) throw new Error(`the gateway exited (${await exited}) before it was ready:\n${gateway.output()}`);
    try {
      const res = await fetch(`${url}${options.waitFor === 'listening' ? '/healthz' : '/readyz'}`, { signal: AbortSignal.timeout(3_000) });
      if (res.status === 200) return gateway;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await gateway.kill();
      throw new Error(`the gateway was not ready on ${url} within ${options.readyTimeoutMs ?? 30_000} ms:\n${gateway.output()}`);
    }
    await sleep(100);
  }
}

/** Kills (SIGKILL) every gateway this process started that is still running; for afterAll. */
export async function killAllGateways(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
