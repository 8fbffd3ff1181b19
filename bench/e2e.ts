import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadCatalog } from '../adapters/catalog/index.ts';
import { deleteBenchTopology, runFloorB } from './e2e-amqp.ts';
import { requestsPerOrder, type E2eChannel, type E2ePartner } from './e2e-channel.ts';
import { jsonChannel } from './e2e-json.ts';
import { gatewayClient, postAll, postPaced, type GatewayClient, type GatewayPost, type PostRun } from './e2e-load.ts';
import { measure, meter, serverMeans, waitForSent } from './e2e-measure.ts';
import { reportText, type GatewayPhase } from './e2e-report.ts';
import { checkFloorRows, countRows, orderRows, requestRows, runFloorA, snapshot } from './e2e-rows.ts';
import { x12Channel } from './e2e-x12.ts';
import {
  approvalsEnvironment,
  createBenchDatabase,
  fmt,
  log,
  machineBusyNow,
  runMain,
  scrapeMetrics,
  sleep,
  startServerProcess,
  watchdog,
  writeBenchResult,
  type ServerProcess,
} from './support.ts';

// npm run bench:e2e — orders in over HTTP until every fulfillment request they make is confirmed by
// RabbitMQ, against the real gateway (app/main.ts with AMQP_URL) in a child process on a fresh database
// and a topology prefix of its own:
//   gateway  N distinct orders (the X12 bundle fixture's: 4 fulfillment requests each), as 850
//            interchanges to /v1/x12 (--channel x12) or as JSON to /v1/orders with an Idempotency-Key
//            (--channel json), POSTed by `connections` keep-alive connections (closed loop);
//            acceptance latency = request sent → 997 / 201 received;
//            orders/s = N / (first POST → the last of their requests marked sent in the outbox, polled)
//   paced    (--rate) N more orders sent at a fixed pace whatever the answers (open loop): the acceptance
//            latency at that load, from each order's scheduled send
//   floor A  the rows one order of the channel writes (read from the database around one order the
//            gateway stored and dispatched), written again with plain pg, one transaction per order, then
//            marked sent as the dispatcher does; same concurrency, the server's pool size (10)
//   floor B  the same messages (count, bodies, properties; persistent, mandatory) published with plain
//            amqplib on one confirm channel into the same quorum-queue topology; same concurrency, each
//            order's messages awaited until confirmed
// Verdicts (issue 17): gateway ≥ 2 × floor A and ≥ 1000 orders/s; every fulfillment request confirmed by
// the broker; p99 acceptance latency < 100 ms at half the gateway's rate (--rate half); and the earlier
// target, gateway ≥ 50 % of the slower floor. Nobody consumes the vendor queues; everything the run
// declared (queues, exchanges, the database) is deleted at the end.
// Options: --channel x12|json (x12), --orders N (2000), --connections C (16), --warmup W (200 orders, not
// measured), --rate R|half (none: closed loop only; R orders/s: the paced phase instead of the closed
// loop; half: the closed loop, then, its requests all confirmed, the paced phase at half its orders/s),
// --partners K (1; an experiment: the orders spread over K partners, for X12 each with control-number
// counters of its own, which every accepting 997 takes under a row lock; the floors stay those of one
// partner's order).
// Environment: AMQP_URL (amqp://guest:guest@127.0.0.1:5672), TEST_POSTGRES_URL (the local PostgreSQL),
// BENCH_SERVER_NODE_ARGS (extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/og-prof"),
// BENCH_APPROVALS=none (no approval policies; default: the demo policy of the default start).

const approvals = approvalsEnvironment();

const { values: options } = parseArgs({
  options: {
    channel: { type: 'string', default: 'x12' },
    orders: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '16' },
    warmup: { type: 'string', default: '200' },
    partners: { type: 'string', default: '1' },
    rate: { type: 'string' },
  },
});
const channels: Record<string, E2eChannel | undefined> = { x12: x12Channel, json: jsonChannel };
const chosen = channels[options.channel];
if (chosen === undefined) throw new Error(`--channel must be ${Object.keys(channels).join(' or ')}, got ${options.channel}`);
const channel: E2eChannel = chosen;
const orders = Number(options.orders);
const connections = Number(options.connections);
const warmupOrders = Number(options.warmup);
const partnerCount = Number(options.partners);
for (const [name, value] of Object.entries({ orders, connections, warmup: warmupOrders, partners: partnerCount })) {
  if (!Number.isInteger(value) || value < (name === 'warmup' ? 0 : 1))
    throw new Error(`--${name} must be a whole number${name === 'warmup' ? '' : ' ≥ 1'}, got ${String(value)}`);
}
/** undefined: the closed loop only; a number: a paced phase at that many orders/s instead; half: both. */
const rate: number | 'half' | undefined = options.rate === undefined || options.rate === 'half' ? options.rate : Number(options.rate);
if (typeof rate === 'number' && !(Number.isFinite(rate) && rate > 0))
  throw new Error(`--rate must be orders per second (> 0) or half, got ${options.rate}`);
const closedLoop = typeof rate !== 'number';
const gatewayOrders = warmupOrders + (closedLoop ? orders : 0) + (rate === undefined ? 0 : orders);
if (gatewayOrders > 100_000_000) throw new Error('--orders: at most 100,000,000 orders to the gateway in all');

const amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const serverNodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
/** The server's knex pool (adapters/db/connect.ts: max 10; app/main.ts gives no poolMax). */
const serverPoolSize = 10;
/**
 * The number of the order whose rows are captured: each channel puts an order's number in full into
 * every reference of it (control numbers, PO number, idempotency key); floor A replaces it per order.
 */
const captureMarker = '987654321';
const floorFirstNumber = 500_000_000;
/** A paced phase at half rate lasts about twice the closed loop. */
const budgetMs = 180_000 + gatewayOrders * 60 * (rate === 'half' ? 2 : 1) + (typeof rate === 'number' ? (orders / rate) * 1000 : 0);

async function main(): Promise<number> {
  const adminKey = `bench-admin-${randomBytes(16).toString('hex')}`;
  const prefix = `bench-e2e-${randomBytes(4).toString('hex')}`;
  const floorPrefix = `${prefix}-floor`;
  const catalog = loadCatalog();
  if (!catalog.ok) throw new Error('the demo catalog does not load');
  const vendors = Object.keys(catalog.value.vendors);

  let database: { url: string; drop: () => Promise<void> } | undefined;
  let server: ServerProcess | undefined;
  let client: GatewayClient | undefined;
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
    const serverUrl = server.url;
    log(`server pid ${server.pid} at ${serverUrl}, database ${new URL(database.url).pathname.slice(1)}, topology ${prefix}.*`);
    const partners: E2ePartner[] = [];
    for (let index = 0; index < partnerCount; index++) partners.push(await channel.createPartner(serverUrl, adminKey, index));
    const [partner] = partners as [E2ePartner];
    const gateway = gatewayClient(serverUrl, channel.route, channel.contentType, connections);
    client = gateway;
    let number = 1;
    /** The next orders: order n from partner n mod --partners. */
    const nextPosts = (count: number): GatewayPost[] =>
      Array.from({ length: count }, () => {
        const n = number++;
        return (partners[n % partners.length] as E2ePartner).post(n);
      });
    poller = new pg.Client({ connectionString: database.url });
    poller.on('error', (error) => log(`the bench's own database connection failed: ${error.message}`));
    await poller.connect();
    const polled = poller;

    // One order by hand, to the broker and back in the outbox: nothing else means anything before it.
    const primer = await gateway.post(partner.post(number++));
    if (!channel.accepted(primer)) throw new Error(`the first order was not accepted: HTTP ${primer.status} ${primer.body.slice(0, 500)}`);
    await waitForSent(polled, requestsPerOrder, 30_000);

    // The next one between two snapshots: what one order writes, for floor A and floor B.
    const before = await snapshot(database.url);
    const capture = await gateway.post(partner.post(Number(captureMarker)));
    if (!channel.accepted(capture))
      throw new Error(`the capture order was not accepted: HTTP ${capture.status} ${capture.body.slice(0, 500)}`);
    await waitForSent(polled, 2 * requestsPerOrder, 10_000);
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

    const closedRun = (posts: GatewayPost[]) => (onAccepted: () => void) =>
      postAll(gateway, posts, connections, (result) => channel.accepted(result), onAccepted);
    if (warmupOrders > 0) {
      log(`warm-up: ${warmupOrders} orders, ${connections} connections`);
      const warm = await measure(polled, warmupOrders, closedRun(nextPosts(warmupOrders)));
      if (warm.run.failed > 0) throw new Error(`warm-up: ${warm.run.failed} orders not accepted: ${warm.run.problems.join(' / ')}`);
    }

    /** One measured phase: the CPU each process spent on it and the server's own timings over it. */
    const phase = async (send: (onAccepted: () => void) => Promise<PostRun>): Promise<GatewayPhase> => {
      const metricsBefore = await scrapeMetrics(serverUrl);
      const cpu = meter(server?.pid);
      const measured = await measure(polled, orders, send);
      const cpuSplit = cpu(orders);
      const means = serverMeans(channel.route, metricsBefore, await scrapeMetrics(serverUrl));
      if (measured.run.failed > 0) log(`gateway: ${measured.run.failed} orders not accepted: ${measured.run.problems.join(' / ')}`);
      return { measured, cpu: cpuSplit, serverMeans: means };
    };
    let closed: GatewayPhase | undefined;
    if (closedLoop) {
      log(`gateway: ${orders} orders, ${connections} connections`);
      closed = await phase(closedRun(nextPosts(orders)));
    }
    let paced: (GatewayPhase & { half: boolean }) | undefined;
    if (rate !== undefined) {
      // measure() returned once the closed loop's requests were all confirmed: the queue has drained.
      const pace = rate === 'half' ? (closed?.measured.ordersPerSecond ?? Number.NaN) / 2 : rate;
      log(
        `gateway paced: ${orders} orders at ${fmt(pace)}/s${rate === 'half' ? ' (half the closed loop)' : ''}, over ${connections} connections`,
      );
      const posts = nextPosts(orders);
      paced = {
        ...(await phase((onAccepted) => postPaced(gateway, posts, pace, (result) => channel.accepted(result), onAccepted))),
        half: rate === 'half',
      };
    }
    const headline = closed ?? paced;
    if (headline !== undefined)
      writeBenchResult({
        ordersPerSecond: headline.measured.ordersPerSecond,
        p50Ms: headline.measured.run.latency.p50,
        p99Ms: headline.measured.run.latency.p99,
        ...(paced === undefined
          ? {}
          : { pacedOrdersPerSecond: paced.measured.ordersPerSecond, pacedP99Ms: paced.measured.run.latency.p99 }),
      });

    // The floors have the machine to themselves.
    gateway.close();
    client = undefined;
    await polled.end();
    poller = undefined;
    await server.stop();
    server = undefined;
    await deleteBenchTopology(amqpUrl, prefix, vendors);
    declared.delete(prefix);

    log(`floor A: plain pg, ${orders} orders, ${connections} at a time, pool ${serverPoolSize}`);
    const countsBefore = await countRows(database.url, rows);
    const floorACpu = meter(undefined);
    const floorA = await runFloorA({
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
    const floorB = await runFloorB({ url: amqpUrl, prefix: floorPrefix, vendors, messages, orders, concurrency: connections });
    const floorBCpuSplit = floorBCpu(orders + connections);

    process.stdout.write(
      reportText({
        channel,
        orders,
        connections,
        partners: partnerCount,
        busy,
        serverPoolSize,
        ...(closed === undefined ? {} : { closed }),
        ...(paced === undefined ? {} : { paced }),
        floorA: { ...floorA, cpu: floorACpuSplit },
        floorB: { ...floorB, cpu: floorBCpuSplit },
        rowsSummary: rows.summary,
      }),
    );
    const failed = (closed?.measured.run.failed ?? 0) + (paced?.measured.run.failed ?? 0);
    return failed === 0 ? 0 : 1;
  } finally {
    dog.clear();
    await cleanup();
  }
}

runMain(main);
