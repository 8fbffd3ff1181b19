import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadCatalog } from '../adapters/catalog/index.ts';
import { deleteBenchTopology, runFloorB } from './e2e-amqp.ts';
import { checkFloorRows, countRows, orderRows, requestRows, runFloorA, snapshot, type FloorResult } from './e2e-rows.ts';
import {
  accepted,
  createX12Partner,
  interchange,
  postAll,
  requestsPerOrder,
  x12Client,
  type PostRun,
  type X12Client,
  type X12Partner,
  type X12Post,
} from './e2e-x12.ts';
import {
  approvalsEnvironment,
  cpuMeter,
  createBenchDatabase,
  fmt,
  log,
  machineBusyNow,
  runMain,
  scrapeMetrics,
  sleep,
  startServerProcess,
  table,
  watchdog,
  type CpuSplit,
  writeBenchResult,
  type ServerProcess,
} from './support.ts';

// npm run bench:e2e — X12 850s in over HTTP until every fulfillment request they make is confirmed by
// RabbitMQ, against the real gateway (app/main.ts with AMQP_URL) in a child process on a fresh database
// and a topology prefix of its own:
//   gateway  N distinct 850 interchanges (the bundle fixture: 4 fulfillment requests each), POSTed by
//            `connections` keep-alive connections; acceptance latency = request sent → 997 received;
//            orders/s = N / (first POST → the last of their requests marked sent in the outbox, polled)
//   floor A  the rows one such order writes (read from the database around one order the gateway
//            stored and dispatched), written again with plain pg, one transaction per order, then
//            marked sent as the dispatcher does; same concurrency, the server's pool size (10)
//   floor B  the same messages (count, bodies, properties; persistent, mandatory) published with plain
//            amqplib on one confirm channel into the same quorum-queue topology; same concurrency, each
//            order's messages awaited until confirmed
// Target: gateway ≥ 50 % of the slower floor. Nobody consumes the vendor queues; everything the run
// declared (queues, exchanges, the database) is deleted at the end.
// Options: --orders N (2000), --connections C (16), --warmup W (200 orders, not measured),
// --partners K (1; an experiment: the orders spread over K X12 partners, each with control-number counters of
// its own, which every accepting 997 takes under a row lock; the floors stay those of one partner's order).
// Environment: AMQP_URL (amqp://guest:guest@127.0.0.1:5672), TEST_POSTGRES_URL (the local PostgreSQL),
// BENCH_SERVER_NODE_ARGS (extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/og-prof"),
// BENCH_APPROVALS=none (no approval policies; default: the demo policy of the default start).

const approvals = approvalsEnvironment();

const { values: options } = parseArgs({
  options: {
    orders: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '200' },
    partners: { type: 'string', default: '1' },
  },
});
const orders = Number(options.orders);
const connections = Number(options.connections);
const warmupOrders = Number(options.warmup);
const partnerCount = Number(options.partners);
for (const [name, value] of Object.entries({ orders, connections, warmup: warmupOrders, partners: partnerCount })) {
  if (!Number.isInteger(value) || value < (name === 'warmup' ? 0 : 1))
    throw new Error(`--${name} must be a whole number${name === 'warmup' ? '' : ' ≥ 1'}, got ${String(value)}`);
}
if (orders + warmupOrders > 100_000_000) throw new Error('--orders: at most 100,000,000');

const amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
/** The server's knex pool (adapters/db/connect.ts: max 10; app/main.ts gives no poolMax). */
const serverPoolSize = 10;
const targetShare = 0.5;
/** The control numbers and PO number of the order whose rows are captured; floor A replaces them per order. */
const captureMarker = '987654321';
const floorFirstNumber = 500_000_000;
const pollMs = 50;
const budgetMs = 180_000 + orders * 60;

/** CPU ms of every RabbitMQ (Erlang VM) process on this machine, from /proc. */
function brokerCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name !== 'beam.smp' && name !== 'erl_child_setup') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** cpuMeter plus the broker, whose CPU would otherwise count as other work on the machine. */
function meter(serverPid: number | undefined): (units: number) => CpuSplit & { broker: number } {
  const split = cpuMeter(serverPid);
  const broker0 = brokerCpuMs();
  return (units) => {
    const cpu = split(units);
    const broker = (brokerCpuMs() - broker0) / units;
    return { ...cpu, broker, other: Math.max(0, cpu.other - broker) };
  };
}

/** Pending fulfillment requests (the partial index outbox_due covers exactly the pending rows). */
async function pendingRequests(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `select count(*)::int as n from outbox where state = 'pending' and vendor_id is not null`,
  );
  return rows[0]?.n ?? 0;
}

async function sentRequests(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `select count(*)::int as n from outbox where state = 'sent' and type = 'fulfillment.request.v1'`,
  );
  return rows[0]?.n ?? 0;
}

async function waitForSent(client: pg.Client, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sent = await sentRequests(client);
    if (sent >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${sent} of ${expected} fulfillment requests sent after ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

/** Mean server-side ms per request / per pipeline stage call, from the gateway's Prometheus histograms. */
function serverMeans(before: Map<string, number>, after: Map<string, number>): string {
  const mean = (series: string, labels: string): number => {
    const delta = (suffix: string): number =>
      (after.get(`${series}_${suffix}{${labels}}`) ?? 0) - (before.get(`${series}_${suffix}{${labels}}`) ?? 0);
    return (delta('sum') / delta('count')) * 1000;
  };
  const stages = [...after.keys()]
    .map((series) => /^ordergate_pipeline_stage_duration_seconds_count\{stage="([^"]+)"\}$/.exec(series)?.[1])
    .filter((stage): stage is string => stage !== undefined)
    .map((stage) => `${stage} ${fmt(mean('ordergate_pipeline_stage_duration_seconds', `stage="${stage}"`), 2)}`);
  return `server-side means: POST /v1/x12 ${fmt(mean('ordergate_http_request_duration_seconds', 'method="POST",route="/v1/x12"'), 2)} ms; pipeline stages (ms per call): ${stages.join(', ')}`;
}

/** The gateway's database sessions right now: running a statement, waiting for a lock, idle inside a transaction. */
async function backends(client: pg.Client): Promise<{ active: number; lock: number; idleInTransaction: number; lockWaits: string[] }> {
  const { rows } = await client.query<{ state: string | null; wait: string | null; query: string }>(
    `select state, wait_event_type as wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) as query
     from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
  );
  const lockWaits = rows.filter((r) => r.wait === 'Lock').map((r) => r.query);
  return {
    active: rows.filter((r) => r.state === 'active' && r.wait !== 'Lock').length,
    lock: lockWaits.length,
    idleInTransaction: rows.filter((r) => r.state === 'idle in transaction').length,
    lockWaits,
  };
}

interface Measured {
  run: PostRun;
  /** Mean over the polls of the gateway's database sessions by what they were doing. */
  sessions: { active: number; lock: number; idleInTransaction: number };
  /** The statements sessions were seen waiting for a lock in, and how often. */
  lockWaits: Map<string, number>;
  doneAt: number;
  ordersPerSecond: number;
  /** Per interval: orders accepted (997s received) and fulfillment requests still pending, at its end. */
  timeline: { at: number; accepted: number; pending: number }[];
}

/** Posts the interchanges and polls the outbox until none of their requests is pending. */
async function measure(client: X12Client, poller: pg.Client, posts: X12Post[], sentBefore: number): Promise<Measured> {
  const timeline: Measured['timeline'] = [];
  let posting = true;
  let answered = 0;
  const started = performance.now();
  let nextSample = started;
  const sessions = { active: 0, lock: 0, idleInTransaction: 0 };
  const lockWaits = new Map<string, number>();
  let polls = 0;
  const polling = (async () => {
    for (;;) {
      // Only a count that began after the last 997 arrived can say "done": one begun earlier may not see the last orders.
      const wasPosting = posting;
      const pending = await pendingRequests(poller);
      if (wasPosting) {
        const now = await backends(poller);
        polls += 1;
        sessions.active += now.active;
        sessions.lock += now.lock;
        sessions.idleInTransaction += now.idleInTransaction;
        for (const query of now.lockWaits) lockWaits.set(query, (lockWaits.get(query) ?? 0) + 1);
      }
      const now = performance.now();
      if (now >= nextSample) {
        timeline.push({ at: now - started, accepted: answered, pending });
        nextSample += 1000;
      }
      if (!wasPosting && pending === 0) return now;
      await sleep(pollMs);
    }
  })();
  // A failed poll is reported once the posts are done, not as an unhandled rejection meanwhile.
  polling.catch(() => undefined);
  const run = await postAll(client, posts, connections, () => (answered += 1));
  posting = false;
  const doneAt = await polling;
  timeline.push({ at: doneAt - started, accepted: answered, pending: 0 });
  const sent = (await sentRequests(poller)) - sentBefore;
  if (run.failed === 0 && sent !== posts.length * requestsPerOrder)
    throw new Error(`expected ${posts.length * requestsPerOrder} fulfillment requests sent, found ${sent}`);
  const mean = (n: number): number => n / Math.max(1, polls);
  return {
    run,
    lockWaits,
    sessions: { active: mean(sessions.active), lock: mean(sessions.lock), idleInTransaction: mean(sessions.idleInTransaction) },
    doneAt,
    ordersPerSecond: run.ok / ((doneAt - run.firstSentAt) / 1000),
    timeline,
  };
}

function lockWaitLines(m: Measured): string[] {
  const total = [...m.lockWaits.values()].reduce((a, b) => a + b, 0);
  return [...m.lockWaits]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([query, n]) => `  ${fmt((n / total) * 100, 0)} % of the lock waits in: ${query}`);
}

function timelineText(m: Measured): string {
  let previous = 0;
  let previousAt = 0;
  const cells = m.timeline.map((sample) => {
    const rate = ((sample.accepted - previous) / (sample.at - previousAt)) * 1000;
    previous = sample.accepted;
    previousAt = sample.at;
    return `${fmt(sample.at / 1000, 1)}s ${fmt(rate, 0)}/s ${sample.pending}`;
  });
  return `timeline (time: 997s/s in the interval, fulfillment requests pending in the outbox): ${cells.join(' | ')}`;
}

async function main(): Promise<number> {
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  const prefix = `bench-e2e-${randomBytes(4).toString('hex')}`;
  const floorPrefix = `${prefix}-floor`;
  const catalog = loadCatalog();
  if (!catalog.ok) throw new Error('the demo catalog does not load');
  const vendors = Object.keys(catalog.value.vendors);

  let database: { url: string; drop: () => Promise<void> } | undefined;
  let server: ServerProcess | undefined;
  let client: X12Client | undefined;
  let poller: pg.Client | undefined;
  const declared = new Set<string>();
  // One clean-up, however many ask for it (the end of main, a signal, a fatal error, the watchdog).
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => (cleaning ??= cleanUp());
  const cleanUp = async (): Promise<void> => {
    const [s, d, c, p] = [server, database, client, poller];
    server = undefined;
    database = undefined;
    client = undefined;
    poller = undefined;
    c?.close();
    await p?.end().catch(() => undefined);
    // The server first: it would declare its queues again.
    await s?.stop().catch((error: unknown) => log(`stopping the server: ${String(error)}`));
    for (const name of [...declared]) {
      declared.delete(name);
      await deleteBenchTopology(amqpUrl, name, vendors).catch((error: unknown) => log(`deleting the topology ${name}.*: ${String(error)}`));
    }
    // PostgreSQL may be restarting (the fault tests restart the shared one): try for a while.
    for (let attempt = 1; d !== undefined; attempt++) {
      try {
        await d.drop();
        break;
      } catch (error) {
        if (attempt === 5) {
          log(`dropping the database ${new URL(d.url).pathname.slice(1)}: ${String(error)}; drop it by hand`);
          break;
        }
        await sleep(3_000);
      }
    }
  };
  const dog = watchdog(budgetMs, cleanup);
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  // A connection lost under us (PostgreSQL restarted by someone else's test) must still clean up.
  let failing = false;
  const fatal = (error: unknown): void => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (failing) return;
    failing = true;
    void Promise.race([cleanup(), sleep(40_000)]).finally(() => process.exit(1));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  // Last resort: never leave the server running without us.
  process.once('exit', () => {
    if (server !== undefined && server.pid > 0) {
      try {
        process.kill(server.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });

  try {
    const busy = await machineBusyNow();
    if (busy > 0.15) log(`WARNING: the machine is already ${fmt(busy * 100, 0)} % busy with other work; the figures will be low and noisy`);
    database = await createBenchDatabase();
    declared.add(prefix);
    server = await startServerProcess({
      databaseUrl: database.url,
      adminKey,
      nodeArgs: serverNodeArgs,
      env: { AMQP_URL: amqpUrl, AMQP_PREFIX: prefix, ...approvals.env },
    });
    log(`server pid ${server.pid} at ${server.url}, database ${new URL(database.url).pathname.slice(1)}, topology ${prefix}.*`);
    const partners: X12Partner[] = [];
    for (let index = 0; index < partnerCount; index++) partners.push(await createX12Partner(server.url, adminKey, index));
    const [partner] = partners as [X12Partner];
    client = x12Client(server.url, connections);
    /** Order n: interchange n from partner n mod --partners. */
    const post = (n: number): X12Post => {
      const from = partners[n % partners.length] as X12Partner;
      return { body: interchange(n, from.sender), key: from.key };
    };
    poller = new pg.Client({ connectionString: database.url });
    poller.on('error', (error) => log(`the bench's own database connection failed: ${error.message}`));
    await poller.connect();

    // One order by hand, to the broker and back in the outbox: nothing else means anything before it.
    let number = 1;
    const primer = await client.post({ body: interchange(number++), key: partner.key });
    if (primer.status !== 200 || !accepted(primer.body))
      throw new Error(`the first 850 was not accepted: HTTP ${primer.status} ${primer.body.slice(0, 500)}`);
    await waitForSent(poller, requestsPerOrder, 30_000);

    // The next one between two snapshots: what one order writes, for floor A and floor B.
    const before = await snapshot(database.url);
    const capture = await client.post({ body: interchange(Number(captureMarker)), key: partner.key });
    if (capture.status !== 200 || !accepted(capture.body))
      throw new Error(`the capture 850 was not accepted: HTTP ${capture.status} ${capture.body.slice(0, 500)}`);
    await waitForSent(poller, 2 * requestsPerOrder, 10_000);
    const rows = await orderRows(database.url, before, await snapshot(database.url));
    const messages = requestRows(rows).map((row) => ({
      routingKey: String(row.destination),
      body: Buffer.from(JSON.stringify(row.payload)),
      type: String(row.type),
    }));
    if (messages.length !== requestsPerOrder)
      throw new Error(`one order made ${messages.length} fulfillment requests, not ${requestsPerOrder}: ${rows.summary}`);
    log(
      `one order writes: ${rows.summary}; publishes ${messages.length} messages (${messages.map((m) => m.body.length).join(', ')} bytes)`,
    );

    if (warmupOrders > 0) {
      log(`warm-up: ${warmupOrders} orders, ${connections} connections`);
      const warm = await measure(
        client,
        poller,
        Array.from({ length: warmupOrders }, () => post(number++)),
        await sentRequests(poller),
      );
      if (warm.run.failed > 0) throw new Error(`warm-up: ${warm.run.failed} orders not accepted: ${warm.run.problems.join(' / ')}`);
    }

    log(`gateway: ${orders} orders, ${connections} connections`);
    const posts = Array.from({ length: orders }, () => post(number++));
    const sentBefore = await sentRequests(poller);
    const metricsBefore = await scrapeMetrics(server.url);
    const gatewayCpu = meter(server.pid);
    const gateway = await measure(client, poller, posts, sentBefore);
    const gatewayCpuSplit = gatewayCpu(orders);
    writeBenchResult({ ordersPerSecond: gateway.ordersPerSecond, p50Ms: gateway.run.latency.p50, p99Ms: gateway.run.latency.p99 });
    const metricsAfter = await scrapeMetrics(server.url);
    if (gateway.run.failed > 0) log(`gateway: ${gateway.run.failed} orders not accepted: ${gateway.run.problems.join(' / ')}`);
    const postSeconds = (gateway.run.lastAnsweredAt - gateway.run.firstSentAt) / 1000;
    const tailMs = gateway.doneAt - gateway.run.lastAnsweredAt;

    // The floors have the machine to themselves.
    client.close();
    client = undefined;
    await poller.end();
    poller = undefined;
    await server.stop();
    server = undefined;
    await deleteBenchTopology(amqpUrl, prefix, vendors);
    declared.delete(prefix);

    log(`floor A: plain pg, ${orders} orders, ${connections} at a time, pool ${serverPoolSize}`);
    const countsBefore = await countRows(database.url, rows);
    const floorACpu = meter(undefined);
    const floorA: FloorResult = await runFloorA({
      databaseUrl: database.url,
      rows,
      marker: captureMarker,
      firstNumber: floorFirstNumber,
      orders,
      concurrency: connections,
      poolSize: serverPoolSize,
    });
    const floorACpuSplit = floorACpu(orders + connections);
    // Its warm-up included: one order per connection.
    checkFloorRows(rows, countsBefore, await countRows(database.url, rows), orders + connections);

    log(`floor B: plain amqplib, ${orders} orders × ${messages.length} messages, ${connections} orders at a time, one confirm channel`);
    declared.add(floorPrefix);
    const floorBCpu = meter(undefined);
    const floorB: FloorResult = await runFloorB({ url: amqpUrl, prefix: floorPrefix, vendors, messages, orders, concurrency: connections });
    const floorBCpuSplit = floorBCpu(orders + connections);

    const slower = Math.min(floorA.ordersPerSecond, floorB.ordersPerSecond);
    const slowerName = floorA.ordersPerSecond <= floorB.ordersPerSecond ? 'A (pg)' : 'B (amqp)';
    const share = gateway.ordersPerSecond / slower;
    const cpuCells = (cpu: CpuSplit & { broker: number }): string[] => [
      fmt(cpu.server, 2),
      fmt(cpu.bench, 2),
      fmt(cpu.postgres, 2),
      fmt(cpu.broker, 2),
      fmt(cpu.other, 2),
      `${fmt(cpu.machineBusy * 100, 0)}%`,
    ];
    const clean = gateway.run.failed === 0;
    const skewed = Object.entries({ gateway: gatewayCpuSplit, 'floor A': floorACpuSplit, 'floor B': floorBCpuSplit })
      .filter(([, cpu]) => cpu.other > 1)
      .map(([name]) => name);
    process.stdout.write(
      [
        '',
        `ordergate bench:e2e — ${orders} X12 850s (bundle fixture, ${requestsPerOrder} fulfillment requests each) → 997 → RabbitMQ confirms; ${connections} connections${partnerCount > 1 ? `, ${partnerCount} X12 partners (experiment)` : ''}; ${availableParallelism()} CPUs (${fmt(busy * 100, 0)} % busy before the run)`,
        table([
          [
            'phase',
            'orders',
            'orders/s',
            'p50 ms',
            'p99 ms',
            'max ms',
            'failed',
            'cpu server',
            'cpu bench',
            'cpu pg',
            'cpu broker',
            'cpu other',
            'busy',
          ],
          [
            'gateway  850 → 997 → confirmed',
            String(gateway.run.ok),
            fmt(gateway.ordersPerSecond),
            fmt(gateway.run.latency.p50),
            fmt(gateway.run.latency.p99),
            fmt(gateway.run.latency.max),
            String(gateway.run.failed),
            ...cpuCells(gatewayCpuSplit),
          ],
          [
            'floor A  plain pg',
            String(floorA.orders),
            fmt(floorA.ordersPerSecond),
            fmt(floorA.latency.p50),
            fmt(floorA.latency.p99),
            fmt(floorA.latency.max),
            '-',
            ...cpuCells(floorACpuSplit),
          ],
          [
            'floor B  plain amqplib',
            String(floorB.orders),
            fmt(floorB.ordersPerSecond),
            fmt(floorB.latency.p50),
            fmt(floorB.latency.p99),
            fmt(floorB.latency.max),
            '-',
            ...cpuCells(floorBCpuSplit),
          ],
        ]),
        "gateway latency: POST sent → 997 received (acceptance); floor latency: one order's transaction + mark sent (A), one order's publishes → all confirmed (B)",
        "cpu: CPU ms per order: the server process; this process (HTTP client, or the floor's pg / amqplib client); PostgreSQL; RabbitMQ; everything else; busy: share of all cores in use",
        `gateway: 997s for all ${orders} orders after ${fmt(postSeconds, 2)} s (${fmt(orders / postSeconds)} orders/s accepted); the last request confirmed ${fmt(tailMs, 0)} ms after the last 997`,
        timelineText(gateway),
        serverMeans(metricsBefore, metricsAfter),
        `gateway database sessions while posting (mean of ${pollMs} ms polls, pool ${serverPoolSize}): ${fmt(gateway.sessions.active, 1)} running a statement, ${fmt(gateway.sessions.lock, 1)} waiting for a lock, ${fmt(gateway.sessions.idleInTransaction, 1)} idle in a transaction (waiting for the server's next statement)`,
        ...lockWaitLines(gateway),
        `one order writes: ${rows.summary}`,
        `gateway / slower floor (${slowerName}, ${fmt(slower)} orders/s) = ${fmt(share * 100)} % (target ≥ ${targetShare * 100} %): ${share >= targetShare ? 'met' : 'MISSED'}${skewed.length === 0 ? '' : ' (not a verdict: other work skewed this run, see the warning below)'}`,
        `${availableParallelism()} CPUs: the gateway, PostgreSQL, RabbitMQ and this load generator share them; run it alone on the machine (anything else running skews every figure; see "cpu other").`,
        ...(skewed.length === 0
          ? []
          : [
              `WARNING: other work on the machine during ${skewed.join(', ')} (cpu other > 1 ms per order): those figures are skewed; run again on a quiet machine`,
            ]),
        ...(clean ? [] : ['SOME ORDERS WERE NOT ACCEPTED: see above']),
        '',
      ].join('\n'),
    );
    return clean ? 0 : 1;
  } finally {
    dog.clear();
    await cleanup();
  }
}

runMain(main);
