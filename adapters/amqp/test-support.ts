import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { promisify } from 'node:util';
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Logger } from './connection.ts';
import { defaultRetryTiers, topologyNames, type RetryTier } from './names.ts';
import { basePlan, mergePlans, vendorPlan } from './topology.ts';

// For this folder's tests, which share one local RabbitMQ with every other test file running in
// parallel: a random prefix and connection name per file, a log that remembers, clean-up of exactly
// what a prefix declared, and closing only our own connection.

const run = promisify(execFile);

export const brokerUrl = 'amqp://guest:guest@127.0.0.1:5672';

/** Tiers short enough for a test to climb them all. */
export const quickTiers: readonly RetryTier[] = defaultRetryTiers.map((tier) => ({ name: tier.name, ttlMs: 200 }));

export function testPrefix(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

export interface MemoryLog extends Logger {
  lines: string[];
  has(pattern: RegExp): boolean;
}

export function memoryLog(): MemoryLog {
  const lines: string[] = [];
  return {
    lines,
    info: (msg) => lines.push(`info ${msg}`),
    warn: (msg) => lines.push(`warn ${msg}`),
    error: (msg) => lines.push(`error ${msg}`),
    has: (pattern) => lines.some((line) => pattern.test(line)),
  };
}

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A plain connection for looking at the broker from outside the adapter (a confirm channel: waitForConfirms before closing). */
export async function rawBroker(): Promise<{ model: ChannelModel; channel: ConfirmChannel }> {
  const model = await amqp.connect(brokerUrl, { clientProperties: { connection_name: `amqp-test-raw-${process.pid}` } });
  const channel = await model.createConfirmChannel();
  return { model, channel };
}

/** Deletes every queue and exchange the prefix's topology has (with these vendors), and `extraQueues`. */
export async function deleteTopology(
  prefix: string,
  vendors: string[],
  tiers: readonly RetryTier[] = defaultRetryTiers,
  extraQueues: string[] = [],
): Promise<void> {
  const names = topologyNames(prefix);
  const plan = mergePlans(basePlan(names, tiers), ...vendors.map((id) => vendorPlan(names, id)));
  const { model, channel } = await rawBroker();
  try {
    for (const queue of [...plan.queues.map((q) => q.name), ...extraQueues]) await channel.deleteQueue(queue);
    for (const exchange of plan.exchanges) await channel.deleteExchange(exchange.name);
  } finally {
    await model.close();
  }
}

/** Closes our connection from the broker's side, as an operator or a broker restart would. */
export async function closeConnectionNamed(connectionName: string): Promise<void> {
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_connections', 'pid', 'client_properties']);
  const line = stdout.split('\n').find((l) => l.includes(`{"connection_name","${connectionName}"}`));
  const pid = line?.split('\t')[0];
  if (pid === undefined || !pid.startsWith('<')) throw new Error(`no broker connection named ${connectionName}`);
  await run('rabbitmqctl', ['-q', 'close_connection', pid, 'test: simulated connection loss']);
}

/** Queue name → arguments, as the broker reports them. */
export async function queueArguments(prefix: string): Promise<Map<string, Record<string, unknown>>> {
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_queues', 'name', 'arguments', '--formatter', 'json']);
  const rows = JSON.parse(stdout) as { name: string; arguments: [string, string, unknown][] | Record<string, unknown> }[];
  const result = new Map<string, Record<string, unknown>>();
  for (const row of rows) {
    if (!row.name.startsWith(`${prefix}.`)) continue;
    result.set(
      row.name,
      Array.isArray(row.arguments) ? Object.fromEntries(row.arguments.map(([key, , value]) => [key, value])) : row.arguments,
    );
  }
  return result;
}

/**
 * A TCP hop to the broker that can hold back everything the broker sends, as a network that stops
 * delivering without closing the socket would: publishes get no confirm. `release` delivers what
 * was held, in order, so the connection carries on afterwards.
 */
export interface Blackhole {
  url: string;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export async function startBlackhole(): Promise<Blackhole> {
  let holding = false;
  const held: { to: Socket; data: Buffer }[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(5672, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (data) => upstream.write(data));
    upstream.on('data', (data) => (holding ? held.push({ to: client, data }) : client.write(data)));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('blackhole has no port');
  return {
    url: `amqp://guest:guest@127.0.0.1:${address.port}`,
    hold: () => (holding = true),
    release: () => {
      holding = false;
      for (const { to, data } of held.splice(0)) to.write(data);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
