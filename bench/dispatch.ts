import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import amqp from 'amqplib';
import { deleteBenchTopology } from './e2e-amqp.ts';
import { createBenchDatabase, fmt, log, machineBusyNow, repoRoot, runMain, table } from './support.ts';

// bench:dispatch — the outbox dispatcher draining N due fulfillment requests for RabbitMQ vendors
// to the broker with confirms (a fresh database and a topology of its own each time), against its
// peer in the same run: plain amqplib publishing the same messages on one confirm channel, a batch
// at a time, each batch awaited until the broker has confirmed it all (no database).
//
//   BENCH_REQUESTS  requests in the outbox (20000)
//   BENCH_BASE      another checkout (main's, in a worktree of its own): its dispatcher runs too
//   BENCH_RUNS      times each one runs (2)
//   BENCH_BATCH     requests per round for every one (default: each checkout's own, and the same for the peer)

const brokerUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const requests = Number(process.env.BENCH_REQUESTS ?? 20_000);
const runs = Number(process.env.BENCH_RUNS ?? 2);
const vendors = ['v0', 'v1', 'v2', 'v3'];
const confirmTimeoutMs = 30_000;

/** A fulfillment request's body of about the size of a real one (a few lines of a ship task). */
const body = (n: number) => ({
  requestId: `req-${n}`,
  orderId: `order-${Math.floor(n / 5)}`,
  taskId: `task-${n}`,
  vendorId: vendors[n % vendors.length],
  taskType: 'ship',
  dueAt: '2026-12-24T17:00:00.000Z',
  shipTo: { name: 'Receiving dock 4', street: ['1 Industrial Way'], city: 'Springfield', postalCode: '12345', country: 'US' },
  lines: [1, 2, 3].map((line) => ({ lineNumber: String(line), sku: `SKU-${line}00${n % 97}`, quantity: line * 2, unit: 'EA' })),
});

interface Result {
  seconds: number;
  perSecond: number;
}

type DispatchModule = typeof import('../app/jobs/dispatch.ts');
type AmqpModule = typeof import('../adapters/amqp/index.ts');
type DbModule = typeof import('../adapters/db/index.ts');
type WorkersModule = typeof import('../app/workers.ts');

/** A checkout's dispatch defaults (before they were exported: 100 a round, one round at a time); BENCH_BATCH overrides the size. */
const defaults = (workers: Record<string, unknown>) => ({
  batch: Number(process.env.BENCH_BATCH ?? (typeof workers.dispatchBatch === 'number' ? workers.dispatchBatch : 100)),
  rounds: typeof workers.dispatchRounds === 'number' ? workers.dispatchRounds : 1,
});

const load = async <T>(root: string, path: string): Promise<T> => (await import(pathToFileURL(resolve(root, path)).href)) as T;

/** The dispatcher of the checkout at `root`, with its own defaults (batch size), draining a fresh outbox. */
async function runDispatcher(root: string): Promise<Result> {
  const { dispatchJob } = await load<DispatchModule>(root, 'app/jobs/dispatch.ts');
  const { connectBroker } = await load<AmqpModule>(root, 'adapters/amqp/index.ts');
  const { connectDatabase, migrateToLatest } = await load<DbModule>(root, 'adapters/db/index.ts');
  const workers = await load<Partial<WorkersModule> & Record<string, unknown>>(root, 'app/workers.ts');
  const { batch, rounds } = defaults(workers);
  const prefix = `bd${randomUUID().slice(0, 8)}`;
  const { url, drop } = await createBenchDatabase();
  const db = connectDatabase({ url, dataDir: '' });
  const broker = connectBroker({ url: brokerUrl, prefix, connectionName: `ordergate-bench-dispatch-${process.pid}`, log: quiet });
  try {
    await migrateToLatest(db);
    await fillOutbox(db);
    await broker.ready();
    for (const vendor of vendors) await broker.declareVendor(vendor);
    const job = dispatchJob({
      db,
      broker,
      vendorQueues: async () => undefined,
      log: quiet,
      batch,
      rounds,
      idleMs: 200,
      confirmTimeoutMs,
      httpPolicy: { retries: 0, minTimeoutMs: 0, maxTimeoutMs: 0, timeoutMs: 1 },
      outbound: undefined as never,
    });
    const started = performance.now();
    while ((await job.run()) === true);
    const seconds = (performance.now() - started) / 1000;
    const sent = (await db('outbox').where({ state: 'sent' }).count({ sent: '*' }).first())?.sent;
    if (Number(sent) !== requests) throw new Error(`${root}: ${sent} of ${requests} marked sent`);
    await expectQueued(prefix);
    return { seconds, perSecond: requests / seconds };
  } finally {
    await broker.close();
    await db.destroy();
    await drop();
    await deleteBenchTopology(brokerUrl, prefix, vendors);
  }
}

async function fillOutbox(db: import('../adapters/db/index.ts').Database): Promise<void> {
  const rows = Array.from({ length: requests }, (_, n) => ({
    message_id: randomUUID(),
    type: 'fulfillment.request.v1',
    correlation_id: `order-${Math.floor(n / 5)}`,
    destination: `vendor.${vendors[n % vendors.length]}.ship`,
    payload: JSON.stringify(body(n)),
    vendor_id: vendors[n % vendors.length],
  }));
  for (let at = 0; at < rows.length; at += 1_000) await db('outbox').insert(rows.slice(at, at + 1_000));
  await db.raw('ANALYZE outbox');
}

/** Every vendor queue holds what was published: the count the broker reports, not ours. */
async function expectQueued(prefix: string): Promise<void> {
  const model = await amqp.connect(brokerUrl);
  try {
    const channel = await model.createChannel();
    let total = 0;
    for (const vendor of vendors) total += (await channel.checkQueue(`${prefix}.vendor.${vendor}`)).messageCount;
    if (total !== requests) throw new Error(`the vendor queues hold ${total} of ${requests} messages`);
  } finally {
    await model.close();
  }
}

/** The peer: the same messages with plain amqplib, `batch` at a time, each batch's confirms awaited together. */
async function runPlain(batch: number): Promise<Result> {
  const { basePlan, defaultRetryTiers, topologyNames, vendorPlan } = await load<AmqpModule>(repoRoot, 'adapters/amqp/index.ts');
  const { declarePlan, mergePlans } = await import('../adapters/amqp/topology.ts');
  const prefix = `bp${randomUUID().slice(0, 8)}`;
  const names = topologyNames(prefix);
  const model = await amqp.connect(brokerUrl, { clientProperties: { connection_name: `ordergate-bench-dispatch-plain-${process.pid}` } });
  try {
    const setup = await model.createChannel();
    await declarePlan(setup, mergePlans(basePlan(names, defaultRetryTiers), ...vendors.map((id) => vendorPlan(names, id))));
    await setup.close();
    const messages = Array.from({ length: requests }, (_, n) => ({
      routingKey: `vendor.${vendors[n % vendors.length]}.ship`,
      content: Buffer.from(JSON.stringify(body(n))),
      messageId: randomUUID(),
    }));
    const channel = await model.createConfirmChannel();
    let returned = 0;
    channel.on('return', () => (returned += 1));
    const started = performance.now();
    for (let at = 0; at < messages.length; at += batch) {
      for (const m of messages.slice(at, at + batch))
        channel.publish(names.requestsExchange, m.routingKey, m.content, {
          contentType: 'application/json',
          messageId: m.messageId,
          correlationId: 'order',
          type: 'fulfillment.request.v1',
          appId: 'ordergate',
          mandatory: true,
          persistent: true,
        });
      await channel.waitForConfirms();
    }
    const seconds = (performance.now() - started) / 1000;
    if (returned > 0) throw new Error(`plain: ${returned} came back unroutable`);
    await channel.close();
    await expectQueued(prefix);
    return { seconds, perSecond: requests / seconds };
  } finally {
    await model.close().catch(() => undefined);
    await deleteBenchTopology(brokerUrl, prefix, vendors);
  }
}

const quiet = { info: () => undefined, warn: (m: string) => log(`warn ${m}`), error: (m: string) => log(`error ${m}`) };

async function main(): Promise<number> {
  const base = process.env.BENCH_BASE;
  const workers = (await import('../app/workers.ts')) as Partial<WorkersModule> & Record<string, unknown>;
  const { batch, rounds } = defaults(workers);
  log(`machine busy before: ${fmt((await machineBusyNow()) * 100, 0)}%; ${requests} requests, batch ${batch}, ${rounds} round(s) at once`);
  const targets: [string, () => Promise<Result>][] = [
    ['plain amqplib, batched confirms', () => runPlain(batch)],
    ...(base === undefined ? [] : [[`dispatcher @ ${base}`, () => runDispatcher(base)] as [string, () => Promise<Result>]]),
    ['dispatcher (this checkout)', () => runDispatcher(repoRoot)],
  ];
  const rows = [['', 'run', 'seconds', 'requests/s']];
  for (let run = 1; run <= runs; run++) {
    for (const [name, target] of targets) {
      const result = await target();
      log(`${name} run ${run}: ${fmt(result.perSecond, 0)} requests/s`);
      rows.push([name, String(run), fmt(result.seconds, 2), fmt(result.perSecond, 0)]);
    }
  }
  log(`machine busy after: ${fmt((await machineBusyNow()) * 100, 0)}%`);
  process.stdout.write(`${table(rows)}\n`);
  return 0;
}

runMain(main);
