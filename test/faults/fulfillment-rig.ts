import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, expect } from 'vitest';
import { basePlan, connectBroker, defaultRetryTiers, topologyNames, vendorPlan, type Broker } from '../../adapters/amqp/index.ts';
import { mergePlans } from '../../adapters/amqp/topology.ts';
import { brokerUrl, deleteTopology, memoryLog, rawBroker, testPrefix, type MemoryLog } from '../../adapters/amqp/test-support.ts';
import {
  connectDatabase,
  createPartner,
  createPartnerKey,
  ensureAdminKey,
  migrateToLatest,
  type Database,
} from '../../adapters/db/index.ts';
import { playOverRabbitMq, type PlayOptions, type Player } from '../../cli/vendor-sim/play.ts';
import type { FulfillmentRequest } from '../../domain/fulfillment-request.ts';
import { createPostgresDatabase } from '../support/databases.ts';
import { demoVendors } from '../support/fulfillment.ts';
import { checkLedger, describeLedger, type Accepted, type LedgerReport } from '../support/ledger.ts';
import { gatewayAdminKey, killAllGateways, startGateway, type GatewayOptions, type GatewayProcess } from './gateway-process.ts';
import type { PrivatePostgres } from './private-postgres.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

// What every fulfillment fault test needs: a fresh database with two partners (JSON and X12), a
// random broker prefix, the real gateway as child processes, simulated vendors over RabbitMQ in
// this process, clients that retry like real ones (same Idempotency-Key, same interchange), the
// person tasks completed over the API, and the ledger at the end.
//
// The gateways and the simulated vendors reach RabbitMQ through a TCP proxy of the rig's own
// (`rig.amqpProxy`): a broker fault is injected there (every connection cut, new ones refused for a
// while, half-open), never on the machine's RabbitMQ. The database is a fresh one on the machine's
// PostgreSQL, or on a private PostgreSQL the test started (`postgres` option) when the test stops
// and starts the server. Looking at the broker (queue depths, consumers) goes to it directly.

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One thing a client sends: a JSON order, or an X12 interchange holding several 850s. */
export type Submission =
  { kind: 'json'; externalRef: string; body: object } | { kind: 'x12'; control: number; refs: string[]; body: string };

const shipTo = {
  name: 'Fault DC',
  address: { lines: ['1 Main St'], city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
};
const modemLine = (lineNumber: string) => ({ lineNumber, sku: 'MODEM-X1', quantity: 2, uom: 'EA', unitPrice: 49.5 });
const bundleLine = (lineNumber: string) => ({
  lineNumber,
  sku: 'INTERNET-100',
  quantity: 1,
  uom: 'EA',
  unitPrice: 59.99,
  components: [
    { lineNumber: `${lineNumber}.1`, sku: 'MODEM-X1', quantity: 1, uom: 'EA' },
    { lineNumber: `${lineNumber}.2`, sku: 'PORT-ACT', quantity: 1, uom: 'EA' },
  ],
});

/**
 * `n` JSON orders, in three shapes by turn: a plain modem (one vendor task), the internet bundle
 * (two vendors and the customer's activation), and both on one order.
 */
export function jsonOrders(tag: string, n: number): Submission[] {
  return Array.from({ length: n }, (_, i) => {
    const lines = i % 3 === 0 ? [modemLine('1')] : i % 3 === 1 ? [bundleLine('1')] : [modemLine('1'), bundleLine('2')];
    const externalRef = `${tag}-${String(i + 1).padStart(3, '0')}`;
    return {
      kind: 'json',
      externalRef,
      body: { externalRef, orderDate: '2026-11-27', currency: 'USD', buyer: { name: 'Fault Buyer' }, shipTo, lines },
    };
  });
}

export const x12Identity = { qualifier: 'ZZ', id: 'FAULTBUYER', ourQualifier: 'ZZ', ourId: 'ORDERGATE' };

/** One interchange of `refs.length` 850s, each the seed bundle (modem, port, truck roll: all three vendors). */
export function x12Interchange(control: number, refs: string[]): Submission {
  const isa13 = String(control).padStart(9, '0');
  const sets = refs.flatMap((ref, i) => {
    const st02 = String(i + 1).padStart(4, '0');
    const body = [
      `BEG*00*SA*${ref}**20261127`,
      'CUR*BY*USD',
      'DTM*002*20261215',
      'N1*ST*Fault DC*92*DC-01',
      'N3*1 Main St',
      'N4*Springfield*IL*62701*US',
      'PO1*1*2*EA*49.5**VN*MODEM-X1',
      'PID*F****Cable modem',
      'PO1*2*1*EA*59.99**VN*INTERNET-100*BP*NET100',
      'PID*F****Internet 100 with installation',
      'SLN*1**I*1*EA****VN*MODEM-X1',
      'SLN*2**I*1*EA****VN*PORT-ACT',
      'SLN*3**I*1*EA****VN*TRUCK-ROLL',
      'CTT*2',
      'AMT*TT*158.99',
    ];
    return [`ST*850*${st02}`, ...body, `SE*${body.length + 2}*${st02}`];
  });
  const segments = [
    `ISA*00*          *00*          *${x12Identity.qualifier}*${x12Identity.id.padEnd(15)}*${x12Identity.ourQualifier}*${x12Identity.ourId.padEnd(15)}*261127*1200*U*00401*${isa13}*0*P*>`,
    `GS*PO*${x12Identity.id}*${x12Identity.ourId}*20261127*1200*${control}*X*004010`,
    ...sets,
    `GE*${refs.length}*${control}`,
    `IEA*1*${isa13}`,
  ];
  return { kind: 'x12', control, refs, body: segments.map((s) => `${s}~\n`).join('') };
}

/** How many orders submissions hold. */
export const orderCount = (submissions: readonly Submission[]): number =>
  submissions.reduce((n, s) => n + (s.kind === 'json' ? 1 : s.refs.length), 0);

/** JSON orders with `interchanges` X12 interchanges of two 850s spread among them. */
export function mixedOrders(tag: string, jsonCount: number, interchanges: number): Submission[] {
  const json = jsonOrders(tag, jsonCount);
  const every = Math.max(1, Math.floor(jsonCount / Math.max(1, interchanges)));
  const out: Submission[] = [];
  let control = 1000 + Math.floor(Math.random() * 1000) * 100;
  let made = 0;
  json.forEach((submission, i) => {
    out.push(submission);
    if ((i + 1) % every === 0 && made < interchanges) {
      made += 1;
      control += 1;
      out.push(x12Interchange(control, [`${tag}-X${made}A`, `${tag}-X${made}B`]));
    }
  });
  return out;
}

/**
 * JSON orders and `interchanges` X12 interchanges of `setsEach` 850s each, the interchanges spread
 * evenly among the JSON orders (so concurrent clients send both kinds at once).
 */
export function mixedLoad(tag: string, jsonCount: number, interchanges: number, setsEach: number): Submission[] {
  const json = jsonOrders(tag, jsonCount);
  const every = Math.max(1, Math.floor(jsonCount / Math.max(1, interchanges)));
  const out: Submission[] = [];
  let control = 1000 + Math.floor(Math.random() * 1000) * 100;
  let made = 0;
  const interchange = () => {
    made += 1;
    control += 1;
    const refs = Array.from({ length: setsEach }, (_, i) => `${tag}-X${made}${String.fromCharCode(65 + i)}`);
    out.push(x12Interchange(control, refs));
  };
  json.forEach((submission, i) => {
    out.push(submission);
    if ((i + 1) % every === 0 && made < interchanges) interchange();
  });
  while (made < interchanges) interchange();
  return out;
}

/** The most times the simulated vendors were handed one task's request (1: never redelivered). */
export function worstRequestDeliveries(rig: Rig): number {
  const counts = new Map<string, number>();
  for (const taskId of rig.vendorDeliveries) counts.set(taskId, (counts.get(taskId) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

/** The accepted sets of a 997: AK2's ST02 followed by AK5 A or E. */
function acceptedSets(answer: string): Set<string> {
  const segments = answer.split('~').map((s) => s.trim().split('*'));
  const accepted = new Set<string>();
  let current: string | undefined;
  for (const elements of segments) {
    if (elements[0] === 'AK2') current = elements[2];
    if (elements[0] === 'AK5' && current !== undefined && (elements[1] === 'A' || elements[1] === 'E')) accepted.add(current);
  }
  return accepted;
}

export interface SubmitOptions {
  /** Where to send: tried in turn, the next one after a failure. Read at each attempt (a gateway may be replaced). */
  targets: () => string[];
  concurrency?: number;
  /** Each client's pause after each accepted submission, to make a stream rather than a burst. */
  pauseMs?: number;
  /** Give up on a submission after this long (60 s). */
  deadlineMs?: number;
}

export interface SubmitStats {
  submissions: number;
  /** Attempts that got no answer (connection refused or reset) or a 5xx, and were retried. */
  retried: number;
  /** Every answer the clients got, by HTTP status ("200": n, "503": n...). */
  statuses: Record<string, number>;
  /** Attempts that got no answer at all (refused, reset, timed out). */
  noAnswer: number;
}

/** What every client of the rig saw over HTTP (submissions and person-task completions), by status. */
export interface HttpTally {
  statuses: Record<string, number>;
  noAnswer: number;
}

export interface Rig {
  prefix: string;
  databaseUrl: string;
  /** Between RabbitMQ and every gateway and vendor of this rig; `amqpUrl` goes through it. */
  amqpProxy: TcpProxy;
  amqpUrl: string;
  db: Database;
  partners: { json: { id: string; key: string }; x12: { id: string; key: string } };
  accepted: Accepted[];
  /** Every request the simulated vendors took (a task id per delivery: duplicates are redeliveries). */
  vendorDeliveries: string[];
  vendorLog: MemoryLog;
  vendorBroker: Broker;
  /** Between the gateways and PostgreSQL when the rig was started with `pgProxy` (the rig's own connections go direct). */
  pgProxy: TcpProxy | undefined;
  /** The DATABASE_URL the gateways get: through `pgProxy` when there is one. */
  gatewayDatabaseUrl: string;
  /** Every HTTP answer the rig's clients got, all submissions and completions together. */
  http: HttpTally;
  /** When the test's fault ended (`faultEnded()`), for the heal time. */
  faultEndedAt: number | undefined;
  /** When `completeOrders` last found every accepted order ready for billing. */
  allReadyAt: number | undefined;
  /** Marks the end of the fault (the last kill, the path or the database back): the heal time counts from here. */
  faultEnded(at?: number): void;
  /** Every gateway process started, in order (dead ones too: their output tells what happened). */
  gateways: GatewayProcess[];
  gateway(options?: Partial<GatewayOptions>): Promise<GatewayProcess>;
  startVendors(options?: Partial<PlayOptions>): Promise<void>;
  submit(submissions: readonly Submission[], options: SubmitOptions): Promise<SubmitStats>;
  /** Completes person tasks as they become ready until every accepted order is ready for billing (or time runs out). */
  completeOrders(
    targets: () => string[],
    options?: { timeoutMs?: number; copies?: number },
  ): Promise<{ completions: number[][]; readyAt: number | undefined }>;
  /** Waits until nothing is pending: no request in the outbox, no message in any of the prefix's queues. */
  settle(timeoutMs?: number): Promise<{ pendingRequests: number; queued: Record<string, number> }>;
  ledger(): Promise<LedgerReport>;
  close(): Promise<void>;
}

/** The prefix's queues and how many messages each holds, ready and unacknowledged together. */
export async function queueDepths(prefix: string): Promise<Record<string, number>> {
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_queues', 'name', 'messages', '--formatter', 'json'], { timeout: 30_000 });
  const rows = JSON.parse(stdout) as { name: string; messages: number }[];
  return Object.fromEntries(rows.filter((row) => row.name.startsWith(`${prefix}.`)).map((row) => [row.name, Number(row.messages)]));
}

/** Ready messages in each vendor's queue (a passive declare: the queues must exist). */
export async function vendorQueueDepths(prefix: string): Promise<Record<string, number>> {
  const names = topologyNames(prefix);
  const { model, channel } = await rawBroker();
  model.on('error', () => undefined);
  try {
    const depths: Record<string, number> = {};
    for (const vendorId of demoVendors) depths[vendorId] = (await channel.checkQueue(names.vendorQueue(vendorId))).messageCount;
    return depths;
  } finally {
    await model.close().catch(() => undefined);
  }
}

export const total = (depths: Record<string, number>): number => Object.values(depths).reduce((a, b) => a + b, 0);

/** Consumers on the prefix's reply queue: one per running gateway whose broker connection is up. */
export async function replyConsumerCount(prefix: string): Promise<number> {
  const { model, channel } = await rawBroker();
  model.on('error', () => undefined);
  try {
    return (await channel.checkQueue(topologyNames(prefix).repliesQueue)).consumerCount;
  } finally {
    await model.close().catch(() => undefined);
  }
}

/** Waits until `count` gateways consume the reply queue (their broker connections are up and prepared). */
export async function waitForReplyConsumers(prefix: string, count: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await replyConsumerCount(prefix)) < count) {
    if (Date.now() > deadline) throw new Error(`${count} consumer(s) of the reply queue expected within ${timeoutMs} ms`);
    await sleep(50);
  }
}

export interface RigOptions {
  /** A PostgreSQL of the test's own to make the database on (default: the machine's, untouched). */
  postgres?: PrivatePostgres;
  /** The gateways reach PostgreSQL through a TCP proxy of the rig's own (`rig.pgProxy`), for faults on that path. */
  pgProxy?: boolean;
}

/** brokerUrl, with the proxy's address in place of the broker's. */
function throughProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = proxy.host;
  parsed.port = String(proxy.port);
  return parsed.toString();
}

export async function startRig(tag: string, options: RigOptions = {}): Promise<Rig> {
  const prefix = testPrefix();
  const privatePostgres = options.postgres;
  const database =
    privatePostgres === undefined
      ? await createPostgresDatabase()
      : // Goes away with the private server's folder.
        { url: await privatePostgres.createDatabase(), drop: async () => undefined };
  const broker = new URL(brokerUrl);
  const amqpProxy = await startTcpProxy({ targetHost: broker.hostname, targetPort: Number(broker.port || 5672) });
  const amqpUrl = throughProxy(brokerUrl, amqpProxy);
  const databaseAddress = new URL(database.url);
  const pgProxy = options.pgProxy
    ? await startTcpProxy({ targetHost: databaseAddress.hostname || '127.0.0.1', targetPort: Number(databaseAddress.port || 5432) })
    : undefined;
  const gatewayDatabaseUrl = pgProxy === undefined ? database.url : throughProxy(database.url, pgProxy);
  const http: HttpTally = { statuses: {}, noAnswer: 0 };
  const tally = (status: number, stats?: SubmitStats): void => {
    for (const t of stats === undefined ? [http] : [http, stats]) {
      if (status === 0) t.noAnswer += 1;
      else t.statuses[String(status)] = (t.statuses[String(status)] ?? 0) + 1;
    }
  };
  const db = connectDatabase({ url: database.url, dataDir: '', poolMax: 4 });
  await migrateToLatest(db);
  await ensureAdminKey(db, gatewayAdminKey);
  const partner = async (name: string, identities: { x12?: typeof x12Identity } = {}) => {
    const created = await createPartner(db, { name, ...identities });
    if (!created.ok) throw new Error(`${created.taken} identity taken`);
    return { id: created.partner.id, key: (await createPartnerKey(db, created.partner.id)).key };
  };
  const partners = { json: await partner(`${tag} JSON buyer`), x12: await partner(`${tag} X12 buyer`, { x12: x12Identity }) };
  const keyOf = new Map([
    [partners.json.id, partners.json.key],
    [partners.x12.id, partners.x12.key],
  ]);

  const vendorLog = memoryLog();
  const vendorBroker = connectBroker({
    url: amqpUrl,
    prefix,
    connectionName: `faults-vendors-${prefix}`,
    log: vendorLog,
    reconnect: { baseMs: 100, maxMs: 2_000 },
  });
  await vendorBroker.ready();
  const vendorDeliveries: string[] = [];
  let player: Player | undefined;
  const accepted: Accepted[] = [];
  const gateways: GatewayProcess[] = [];

  async function submitOne(submission: Submission, options: SubmitOptions, stats: SubmitStats): Promise<void> {
    const deadline = Date.now() + (options.deadlineMs ?? 60_000);
    const json = submission.kind === 'json';
    const init: RequestInit = json
      ? {
          method: 'POST',
          headers: {
            authorization: `Bearer ${partners.json.key}`,
            'content-type': 'application/json',
            'idempotency-key': `key-${submission.externalRef}`,
          },
          body: JSON.stringify(submission.body),
        }
      : {
          method: 'POST',
          headers: { authorization: `Bearer ${partners.x12.key}`, 'content-type': 'application/edi-x12' },
          body: submission.body,
        };
    const label = json ? submission.externalRef : `interchange ${submission.control}`;
    let last = '';
    for (let attempt = 0; ; attempt += 1) {
      const targets = options.targets();
      const target = targets[attempt % targets.length];
      if (target !== undefined) {
        try {
          const res = await fetch(`${target}${json ? '/v1/orders' : '/v1/x12'}`, { ...init, signal: AbortSignal.timeout(15_000) });
          const text = await res.text();
          tally(res.status, stats);
          if (res.status >= 200 && res.status < 300) {
            if (submission.kind === 'json') {
              accepted.push({
                partnerId: partners.json.id,
                externalRef: submission.externalRef,
                orderId: (JSON.parse(text) as { id: string }).id,
                via: `POST /v1/orders ${res.status}`,
              });
            } else {
              const sets = acceptedSets(text);
              submission.refs.forEach((ref, i) => {
                const st02 = String(i + 1).padStart(4, '0');
                if (!sets.has(st02)) throw new Error(`${label}: set ${st02} (${ref}) not accepted by the 997:\n${text}`);
                accepted.push({ partnerId: partners.x12.id, externalRef: ref, via: `X12 997 AK5*A (ISA13 ${submission.control})` });
              });
            }
            return;
          }
          if (res.status < 500) throw new Error(`${label}: HTTP ${res.status} ${text}`);
          last = `HTTP ${res.status}`;
        } catch (error) {
          if (error instanceof Error && error.message.startsWith(`${label}:`)) throw error;
          tally(0, stats);
          last =
            error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
        }
      }
      stats.retried += 1;
      if (Date.now() > deadline) throw new Error(`${label}: not accepted within ${options.deadlineMs ?? 60_000} ms; last: ${last}`);
      await sleep(100);
    }
  }

  const rig: Rig = {
    prefix,
    databaseUrl: database.url,
    amqpProxy,
    amqpUrl,
    db,
    partners,
    accepted,
    vendorDeliveries,
    vendorLog,
    vendorBroker,
    pgProxy,
    gatewayDatabaseUrl,
    http,
    faultEndedAt: undefined,
    allReadyAt: undefined,
    faultEnded(at = Date.now()) {
      rig.faultEndedAt = at;
    },

    gateways,

    async gateway(options = {}) {
      const started = await startGateway({ databaseUrl: gatewayDatabaseUrl, prefix, amqpUrl, ...options });
      gateways.push(started);
      return started;
    },

    async startVendors(options = {}) {
      if (player !== undefined) return;
      player = await playOverRabbitMq(vendorBroker, demoVendors, {
        delayMs: 0,
        ...options,
        outcome: (request: FulfillmentRequest) => {
          vendorDeliveries.push(request.taskId);
          return options.outcome?.(request) ?? {};
        },
      });
    },

    async submit(submissions, options) {
      const stats: SubmitStats = { submissions: submissions.length, retried: 0, statuses: {}, noAnswer: 0 };
      let next = 0;
      const client = async () => {
        while (next < submissions.length) {
          const submission = submissions[next++] as Submission;
          await submitOne(submission, options, stats);
          if (options.pauseMs !== undefined) await sleep(options.pauseMs);
        }
      };
      await Promise.all(Array.from({ length: options.concurrency ?? 4 }, client));
      return stats;
    },

    async completeOrders(targets, options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? 45_000);
      const copies = options.copies ?? 1;
      const completions: number[][] = [];
      let readyAt: number | undefined;
      const refs = new Set(accepted.map((a) => `${a.partnerId} ${a.externalRef}`));
      for (let round = 0; Date.now() < deadline; round += 1) {
        try {
          const orders: { id: string; partner_id: string; external_ref: string; status: string }[] = await db('orders').select(
            'id',
            'partner_id',
            'external_ref',
            'status',
          );
          const mine = orders.filter((o) => refs.has(`${o.partner_id} ${o.external_ref}`));
          if (mine.length >= refs.size && mine.every((o) => o.status === 'ready_for_billing')) {
            readyAt = Date.now();
            rig.allReadyAt = readyAt;
            break;
          }
          const ready: { id: string; order_id: string }[] = await db('tasks')
            .where({ person: true, status: 'ready' })
            .select('id', 'order_id');
          const partnerOf = new Map(orders.map((o) => [o.id, o.partner_id]));
          const target = targets()[round % Math.max(1, targets().length)];
          if (target !== undefined) {
            await Promise.all(
              ready.map(async (task) => {
                const key = keyOf.get(partnerOf.get(task.order_id) ?? '') ?? gatewayAdminKey;
                const post = () =>
                  fetch(`${target}/v1/tasks/${task.id}/complete`, {
                    method: 'POST',
                    headers: { authorization: `Bearer ${key}` },
                    signal: AbortSignal.timeout(15_000),
                  }).then(
                    (res) => {
                      tally(res.status);
                      return res.status;
                    },
                    () => {
                      tally(0);
                      return 0;
                    },
                  );
                const statuses = await Promise.all(Array.from({ length: copies }, post));
                if (statuses.includes(200)) completions.push(statuses);
              }),
            );
          }
        } catch {
          // The database may be away for a moment in some scenarios; ask again.
        }
        await sleep(200);
      }
      return { completions, readyAt };
    },

    async settle(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      const names = topologyNames(prefix);
      const plan = mergePlans(basePlan(names, defaultRetryTiers), ...demoVendors.map((id) => vendorPlan(names, id)));
      const { model, channel } = await rawBroker();
      model.on('error', () => undefined);
      let quiet = 0;
      let previous = '';
      let pendingRequests = -1;
      let queued: Record<string, number> = {};
      try {
        while (Date.now() < deadline) {
          try {
            const [row] = await db('outbox').where({ type: 'fulfillment.request.v1', state: 'pending' }).count({ n: '*' });
            const [inbox] = await db('inbox').count({ n: '*' });
            pendingRequests = Number(row?.n);
            let ready = 0;
            for (const queue of plan.queues) ready += (await channel.checkQueue(queue.name)).messageCount;
            // Nothing pending, nothing ready, and the inbox no longer growing.
            const state = `${pendingRequests} ${ready} ${Number(inbox?.n)}`;
            quiet = pendingRequests === 0 && ready === 0 && state === previous ? quiet + 1 : 0;
            previous = state;
          } catch {
            quiet = 0;
          }
          if (quiet >= 2) {
            // Quiet three times in a row, 300 ms apart; then the broker's own count, unacknowledged included.
            queued = Object.fromEntries(Object.entries(await queueDepths(prefix)).filter(([, n]) => n > 0));
            if (Object.keys(queued).length === 0) break;
            quiet = 0;
          }
          await sleep(300);
        }
      } finally {
        await model.close().catch(() => undefined);
      }
      return { pendingRequests, queued };
    },

    ledger: () => checkLedger(db, accepted),

    async close() {
      await killAllGateways();
      // Whatever fault the test left in the proxy, the vendors' connection closes cleanly.
      amqpProxy.unblackhole();
      await amqpProxy.resume();
      await player?.stop().catch(() => undefined);
      await vendorBroker.close().catch(() => undefined);
      await amqpProxy.close();
      await pgProxy?.close();
      await deleteTopology(prefix, demoVendors).catch(() => undefined);
      await db.destroy().catch(() => undefined);
      await database.drop();
    },
  };
  return rig;
}

/** Rows in the rig's dead_letters (what the gateways moved from the broker's dead-letter queues). */
export async function deadLetterCount(rig: Rig): Promise<number> {
  const [row] = await rig.db('dead_letters').count({ n: '*' });
  return Number(row?.n);
}

/** Accepted orders at ready_for_billing now. */
async function readyForBilling(rig: Rig): Promise<number> {
  const refs = new Set(rig.accepted.map((a) => `${a.partnerId} ${a.externalRef}`));
  const orders: { partner_id: string; external_ref: string }[] = await rig
    .db('orders')
    .where({ status: 'ready_for_billing' })
    .select('partner_id', 'external_ref');
  return new Set(orders.map((o) => `${o.partner_id} ${o.external_ref}`).filter((ref) => refs.has(ref))).size;
}

/** What one scenario line says, for the issue's table. */
export interface ScenarioLine {
  name: string;
  acknowledged: number;
  readyForBilling: number;
  lost: number;
  duplicated: number;
  missing: number;
  deadLetters: number;
  http500s: number;
  /** From the end of the fault until every order was ready for billing; undefined where there was no fault to end. */
  healMs: number | undefined;
}

/** The heal time the rig measured: from `faultEnded()` to the `completeOrders` that found every order ready. */
export function measuredHealMs(rig: Rig): number | undefined {
  if (rig.faultEndedAt === undefined || rig.allReadyAt === undefined) return undefined;
  return Math.max(0, rig.allReadyAt - rig.faultEndedAt);
}

/** `SCENARIO <name> | acknowledged N | ready for billing N | lost N | ...`, one fixed-format line per scenario. */
export function formatScenario(line: ScenarioLine): string {
  return (
    `SCENARIO ${line.name} | acknowledged ${line.acknowledged} | ready for billing ${line.readyForBilling} | lost ${line.lost} | ` +
    `duplicated ${line.duplicated} | missing ${line.missing} | dead letters ${line.deadLetters} | HTTP 500s ${line.http500s} | ` +
    `heal ms ${line.healMs === undefined ? '-' : Math.round(line.healMs)}`
  );
}

/** Every scenario line printed in this process, in order. */
export const scenarioLines: ScenarioLine[] = [];

/**
 * The end of every scenario: settled, and the books balance. Prints the scenario's line
 * (`formatScenario`) before asserting anything, so a failing scenario has its line too; the heal
 * time is `scenario.healMs`, else what the rig measured (`faultEnded()` to every order ready).
 */
export async function expectBalanced(
  rig: Rig,
  label: string,
  orders: number,
  scenario: { name?: string; healMs?: number } = {},
): Promise<LedgerReport> {
  const settled = await rig.settle();
  const report = await rig.ledger();
  console.info(
    `${label}: ${describeLedger(report)}; vendors took ${rig.vendorDeliveries.length} requests for ${new Set(rig.vendorDeliveries).size} tasks`,
  );
  const line: ScenarioLine = {
    name: scenario.name ?? label,
    acknowledged: report.counts.accepted,
    readyForBilling: await readyForBilling(rig),
    lost: report.lost.length,
    duplicated: report.duplicated.length,
    missing: report.missing.length,
    deadLetters: await deadLetterCount(rig),
    http500s: rig.http.statuses['500'] ?? 0,
    healMs: scenario.healMs ?? measuredHealMs(rig),
  };
  scenarioLines.push(line);
  console.info(formatScenario(line));
  if (
    report.lost.length + report.duplicated.length + report.unexpected.length + report.missing.length + report.outOfOrder.length > 0 ||
    settled.pendingRequests !== 0 ||
    Object.keys(settled.queued).length > 0
  ) {
    // What the gateways said is the first thing to read when the books do not balance.
    const file = join(tmpdir(), `ordergate-faults-${rig.prefix}.log`);
    writeFileSync(
      file,
      rig.gateways.map((g) => `===== gateway pid ${g.pid} port ${g.port} (${g.alive() ? 'running' : 'gone'})\n${g.output()}`).join('\n'),
    );
    console.info(`${label}: the gateways' output is in ${file}; vendor side:\n${rig.vendorLog.lines.slice(-50).join('\n')}`);
  }
  expect({
    lost: report.lost,
    duplicated: report.duplicated,
    unexpected: report.unexpected,
    missing: report.missing,
    outOfOrder: report.outOfOrder,
  }).toEqual({ lost: [], duplicated: [], unexpected: [], missing: [], outOfOrder: [] });
  expect(report.counts.accepted, 'orders accepted').toBe(orders);
  expect(settled, 'nothing left pending in the outbox or the queues').toEqual({ pendingRequests: 0, queued: {} });
  return report;
}

/**
 * One rig per test, closed after it (after `beforeClose`, e.g. making sure the test's private
 * PostgreSQL is back); after the file every gateway is killed. The machine's services were never
 * touched, so there is nothing to bring back.
 */
export function rigPerTest(options: { beforeClose?: () => Promise<void>; rig?: () => RigOptions } = {}): (tag: string) => Promise<Rig> {
  let rig: Rig | undefined;
  afterEach(async () => {
    await options.beforeClose?.();
    await rig?.close();
    rig = undefined;
  });
  afterAll(async () => {
    await killAllGateways();
  });
  return async (tag) => {
    rig = await startRig(tag, options.rig?.() ?? {});
    return rig;
  };
}

export interface KillLoop {
  /** The gateway running on the port now. */
  current(): GatewayProcess;
  /** When the last kill happened. */
  lastKill(): number;
  /** One line per kill: when, what was in flight, how long the restart took. */
  kills: string[];
  /** Resolves after the last restart. */
  finished: Promise<void>;
}

async function inFlight(rig: Rig): Promise<string> {
  const [sent] = await rig.db('outbox').where({ type: 'fulfillment.request.v1', state: 'sent' }).count({ n: '*' });
  const [inbox] = await rig.db('inbox').count({ n: '*' });
  return `${rig.accepted.length} accepted, ${Number(sent?.n)} requests sent, ${Number(inbox?.n)} replies applied`;
}

/**
 * SIGKILLs the gateway `first` and starts it again on its port, `gapMs()` from one kill to the next
 * (a restarted gateway runs at least a second), for at least `forMs` and until `done()`.
 */
export function killLoop(rig: Rig, first: GatewayProcess, options: { gapMs: () => number; forMs: number; done: () => boolean }): KillLoop {
  let current = first;
  let lastKill = 0;
  const kills: string[] = [];
  const finished = (async () => {
    const started = Date.now();
    let nextKill = started + options.gapMs();
    for (;;) {
      await sleep(Math.max(1_000, nextKill - Date.now()));
      const moment = await inFlight(rig);
      lastKill = Date.now();
      nextKill = lastKill + options.gapMs();
      expect(await current.kill()).toBe('SIGKILL');
      current = await rig.gateway({ port: first.port });
      kills.push(`${Math.round((lastKill - started) / 1000)} s (${moment}; up again in ${Date.now() - lastKill} ms)`);
      if (Date.now() - started >= options.forMs && options.done()) break;
    }
  })();
  return { current: () => current, lastKill: () => lastKill, kills, finished };
}
