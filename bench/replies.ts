import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import amqp from 'amqplib';
import type { FulfillmentRequest } from '../domain/fulfillment-request.ts';
import { replyKind } from '../domain/vendor-reply.ts';
import { repliesFor } from '../cli/vendor-sim/replies.ts';
import { deleteBenchTopology } from './e2e-amqp.ts';
import { fmt, log, machineBusyNow, repoRoot, runMain, sleep, table } from './support.ts';

// bench:replies — vendor replies waiting in the reply queue, applied by the gateway's reply consumer
// (the whole fulfillment pipeline: inbox, task and line states, 855/856/810 stored): the time from
// the consumer's start until every reply is in the inbox. Orders are taken through the API first;
// their requests are marked sent as the dispatcher would (not timed), and every reply a simulated
// vendor sends to them (ack, ship, complete) is published before the consumer starts, step by step.
//
//   BENCH_ORDERS  orders (400; about 8 replies each)
//   BENCH_BASE    another checkout (main's, in a worktree of its own): its consumer runs too
//   BENCH_RUNS    times each one runs (2)
//   BENCH_LANES   lanes for this checkout's consumer, a list to compare (default: its own)

const brokerUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const orders = Number(process.env.BENCH_ORDERS ?? 400);
const runs = Number(process.env.BENCH_RUNS ?? 2);
const vendors = ['vendor-a', 'vendor-b', 'vendor-c'];

type AppModule = typeof import('../test/support/app.ts');
type AmqpModule = typeof import('../adapters/amqp/index.ts');
type DbModule = typeof import('../adapters/db/index.ts');
type RepliesModule = typeof import('../app/jobs/replies.ts');

const load = async <T>(root: string, path: string): Promise<T> => (await import(pathToFileURL(resolve(root, path)).href)) as T;
const quiet = { info: () => undefined, warn: (m: string) => log(`warn ${m}`), error: (m: string) => log(`error ${m}`) };

interface Result {
  replies: number;
  seconds: number;
  perSecond: number;
  /** The gateway's (this process's) CPU while draining, in cores: near 1, it is what limits. */
  gatewayCpu: number;
}

async function runConsumer(root: string, lanes: number | undefined): Promise<Result> {
  const { startTestApp, sampleOrder } = await load<AppModule>(root, 'test/support/app.ts');
  const { connectBroker } = await load<AmqpModule>(root, 'adapters/amqp/index.ts');
  const { dispatchDue } = await load<DbModule>(root, 'adapters/db/index.ts');
  const replies = await load<RepliesModule & Record<string, unknown>>(root, 'app/jobs/replies.ts');
  const prefix = `br${randomUUID().slice(0, 8)}`;
  const t = await startTestApp('postgres', { server: { amqp: true } });
  const broker = connectBroker({ url: brokerUrl, prefix, connectionName: `ordergate-bench-replies-${process.pid}`, log: quiet });
  let consumer: { stop(): Promise<void> } | undefined;
  try {
    await broker.ready();
    const partner = await t.partner('Bench');
    for (let n = 0; n < orders; n++) {
      const res = await t.request({
        method: 'POST',
        url: '/v1/orders',
        key: partner.key,
        headers: { 'idempotency-key': `bench-${n}` },
        payload: { ...sampleOrder, externalRef: `PO-BENCH-${n}` },
      });
      if (res.statusCode !== 201) throw new Error(`order ${n}: ${res.statusCode} ${res.body}`);
    }
    // What the dispatcher does on the broker's confirms, without a broker: every request sent, its task dispatched.
    while ((await dispatchDue(t.database.db, ['amqp'], 1_000, async (due) => due.map(() => ({ ok: true as const })))).sent > 0);
    const rows = (await t.database
      .db('outbox')
      .where({ type: 'fulfillment.request.v1', state: 'sent' })
      .orderBy('id')
      .select('payload')) as { payload: FulfillmentRequest }[];
    const answers = rows.map((row) => repliesFor(row.payload, { at: new Date('2026-12-01T12:00:00Z') }));
    const total = await publishSteps(broker.names.repliesExchange, answers);
    const { db } = t.database;
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    consumer =
      typeof replies.replyGroup === 'object'
        ? replies.consumeReplies(broker, t.deps.fulfillment, {
            prefetch: 2 * replies.replyGroup.max,
            group: { ...replies.replyGroup, ...(lanes === undefined ? {} : { lanes }) },
          })
        : (replies.consumeReplies as unknown as (b: unknown, f: unknown, prefetch: number) => { stop(): Promise<void> })(
            broker,
            t.deps.fulfillment,
            8,
          );
    for (;;) {
      const [row] = (await db('inbox').count({ n: '*' })) as { n: string }[];
      if (Number(row?.n) >= total) break;
      if (performance.now() - started > 600_000) throw new Error(`${root}: ${row?.n} of ${total} replies applied in 10 minutes`);
      await sleep(10);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return { replies: total, seconds, perSecond: total / seconds, gatewayCpu: (cpu.user + cpu.system) / 1e6 / seconds };
  } finally {
    await consumer?.stop();
    await broker.close();
    await t.close();
    await deleteBenchTopology(brokerUrl, prefix, vendors);
  }
}

/** Every request's first reply, then every second one, and so on, as vendors answering in time would. */
async function publishSteps(exchange: string, answers: ReturnType<typeof repliesFor>[]): Promise<number> {
  const model = await amqp.connect(brokerUrl);
  let total = 0;
  try {
    const channel = await model.createConfirmChannel();
    for (let step = 0; answers.some((a) => a.length > step); step++) {
      for (const answer of answers) {
        const next = answer[step];
        if (next === undefined) continue;
        const { messageId, reply } = next;
        channel.publish(exchange, `vendor.${reply.body.vendorId}.${replyKind(reply.type)}`, Buffer.from(JSON.stringify(reply.body)), {
          messageId,
          correlationId: reply.body.orderId,
          type: reply.type,
          appId: reply.body.vendorId,
          contentType: 'application/json',
          persistent: true,
        });
        total++;
      }
      await channel.waitForConfirms();
    }
  } finally {
    await model.close();
  }
  return total;
}

async function main(): Promise<number> {
  const base = process.env.BENCH_BASE;
  log(`machine busy before: ${fmt((await machineBusyNow()) * 100, 0)}%; ${orders} orders`);
  const lanes = process.env.BENCH_LANES?.split(',').map(Number) ?? [undefined];
  const targets: [string, string, number | undefined][] = [
    ...(base === undefined ? [] : [[`consumer @ ${base}`, base, undefined] as [string, string, undefined]]),
    ...lanes.map((n): [string, string, number | undefined] => [
      `consumer (this checkout${n === undefined ? '' : `, ${n} lane(s)`})`,
      repoRoot,
      n,
    ]),
  ];
  const rows = [['', 'run', 'replies', 'seconds', 'replies/s', 'gateway CPU']];
  for (let run = 1; run <= runs; run++) {
    for (const [name, root, laneCount] of targets) {
      const result = await runConsumer(root, laneCount);
      log(`${name} run ${run}: ${fmt(result.perSecond, 0)} replies/s`);
      rows.push([name, String(run), String(result.replies), fmt(result.seconds, 2), fmt(result.perSecond, 0), fmt(result.gatewayCpu, 2)]);
    }
  }
  log(`machine busy after: ${fmt((await machineBusyNow()) * 100, 0)}%`);
  process.stdout.write(`${table(rows)}\n`);
  return 0;
}

runMain(main);
