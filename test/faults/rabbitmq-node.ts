import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { brokerUrl } from '../../adapters/amqp/test-support.ts';

// Stops and starts the machine's own RabbitMQ node, and closes every client connection on it, for
// the fault tests (which run alone, after everything else: vitest.config.ts). Whatever a test
// does, its afterAll calls ensureRabbitMqRunning, so the node is left up.

const exec = promisify(execFile);

/** True when an AMQP client can open a connection now. */
export async function rabbitMqAcceptsConnections(): Promise<boolean> {
  try {
    const model = await amqp.connect(brokerUrl, { timeout: 2_000, clientProperties: { connection_name: `faults-probe-${process.pid}` } });
    model.on('error', () => undefined);
    await model.close();
    return true;
  } catch {
    return false;
  }
}

/** Stops the node and waits until its process is gone. */
export async function stopRabbitMq(): Promise<void> {
  await exec('rabbitmqctl', ['shutdown'], { timeout: 60_000 });
}

/** Starts the node (detached) and waits until the broker application runs. */
export async function startRabbitMq(timeoutMs = 60_000): Promise<void> {
  await exec('rabbitmq-server', ['-detached'], { timeout: 30_000 });
  await awaitStartup(timeoutMs);
}

async function awaitStartup(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  // await_startup fails at once while the node has not registered yet; ask again until it answers.
  while (Date.now() < deadline) {
    try {
      await exec('rabbitmqctl', ['-q', 'await_startup', '--timeout', '30'], { timeout: 40_000 });
      return;
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
  throw new Error(`RabbitMQ did not start within ${timeoutMs} ms`, { cause: last });
}

/** Starts the node if clients cannot connect; safe to call any time. */
export async function ensureRabbitMqRunning(timeoutMs = 60_000): Promise<void> {
  if (await rabbitMqAcceptsConnections()) return;
  const deadline = Date.now() + timeoutMs;
  try {
    await exec('rabbitmqctl', ['-q', 'await_startup', '--timeout', '5'], { timeout: 15_000 });
  } catch {
    // Not running (or not yet): start it. A start while one is under way fails harmlessly.
    await exec('rabbitmq-server', ['-detached'], { timeout: 30_000 }).catch(() => undefined);
  }
  await awaitStartup(Math.max(1_000, deadline - Date.now()));
  while (!(await rabbitMqAcceptsConnections())) {
    if (Date.now() > deadline) throw new Error(`RabbitMQ does not accept connections ${timeoutMs} ms after being started`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Closes every client connection on the node, as an operator (or a network partition) would. */
export async function closeAllConnections(reason: string): Promise<void> {
  await exec('rabbitmqctl', ['-q', 'close_all_connections', reason], { timeout: 30_000 });
}
