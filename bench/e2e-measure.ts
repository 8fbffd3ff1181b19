import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type pg from 'pg';
import { requestsPerOrder } from './e2e-channel.ts';
import type { PostRun } from './e2e-load.ts';
import { cpuMeter, fmt, sleep, type CpuSplit } from './support.ts';

// bench:e2e's view of the gateway while it works: when its orders' fulfillment requests are all
// confirmed (polled in the outbox), what its database sessions are doing meanwhile, the CPU each
// process spends, and the server's own timings from its metrics.

export const pollMs = 50;

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

export type Cpu = CpuSplit & {
  broker: number;
  /** Other work's share of all cores over the phase, 0..1: what says whether it skewed the figures, however long the phase. */
  otherShare: number;
};

/** cpuMeter plus the broker, whose CPU would otherwise count as other work on the machine. */
export function meter(serverPid: number | undefined): (units: number) => Cpu {
  const split = cpuMeter(serverPid);
  const broker0 = brokerCpuMs();
  const started = performance.now();
  return (units) => {
    const cpu = split(units);
    const broker = (brokerCpuMs() - broker0) / units;
    const other = Math.max(0, cpu.other - broker);
    return { ...cpu, broker, other, otherShare: (other * units) / ((performance.now() - started) * availableParallelism()) };
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

export async function waitForSent(client: pg.Client, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sent = await sentRequests(client);
    if (sent >= expected) return;
    if (Date.now() > deadline) throw new Error(`only ${sent} of ${expected} fulfillment requests sent after ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

/** Mean server-side ms per request / per pipeline stage call, from the gateway's Prometheus histograms. */
export function serverMeans(route: string, before: Map<string, number>, after: Map<string, number>): string {
  const mean = (series: string, labels: string): number => {
    const delta = (suffix: string): number =>
      (after.get(`${series}_${suffix}{${labels}}`) ?? 0) - (before.get(`${series}_${suffix}{${labels}}`) ?? 0);
    return (delta('sum') / delta('count')) * 1000;
  };
  const stages = [...after.keys()]
    .map((series) => /^ordergate_pipeline_stage_duration_seconds_count\{stage="([^"]+)"\}$/.exec(series)?.[1])
    .filter((stage): stage is string => stage !== undefined)
    .map((stage) => `${stage} ${fmt(mean('ordergate_pipeline_stage_duration_seconds', `stage="${stage}"`), 2)}`);
  const groups = ['envelope', 'order']
    .map((kind) => [kind, mean('ordergate_commit_group_size', `kind="${kind}"`) / 1000] as const)
    .filter(([, size]) => Number.isFinite(size))
    .map(([kind, size]) => `${kind}s ${fmt(size, 1)}`);
  return `server-side means: POST ${route} ${fmt(mean('ordergate_http_request_duration_seconds', `method="POST",route="${route}"`), 2)} ms; pipeline stages (ms per call): ${stages.join(', ')}; requests per group commit: ${groups.join(', ')}`;
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

export interface Measured {
  run: PostRun;
  /** Mean over the polls of the gateway's database sessions by what they were doing. */
  sessions: { active: number; lock: number; idleInTransaction: number };
  /** The statements sessions were seen waiting for a lock in, and how often. */
  lockWaits: Map<string, number>;
  doneAt: number;
  ordersPerSecond: number;
  /** Fulfillment requests marked sent (the broker confirmed them) during the run. */
  requestsSent: number;
  /** Per interval: orders accepted (acceptances received) and fulfillment requests still pending, at its end. */
  timeline: { at: number; accepted: number; pending: number }[];
}

/**
 * Sends `orders` orders (`send` posts them, calling back on each accepted one) and polls the outbox
 * until none of their requests is pending; checks that every request of every order was marked sent.
 */
export async function measure(poller: pg.Client, orders: number, send: (onAccepted: () => void) => Promise<PostRun>): Promise<Measured> {
  const sentBefore = await sentRequests(poller);
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
      // Only a count that began after the last answer arrived can say "done": one begun earlier may not see the last orders.
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
  const run = await send(() => (answered += 1));
  posting = false;
  const doneAt = await polling;
  timeline.push({ at: doneAt - started, accepted: answered, pending: 0 });
  const sent = (await sentRequests(poller)) - sentBefore;
  if (run.failed === 0 && sent !== orders * requestsPerOrder)
    throw new Error(`expected ${orders * requestsPerOrder} fulfillment requests sent, found ${sent}`);
  const mean = (n: number): number => n / Math.max(1, polls);
  return {
    run,
    lockWaits,
    sessions: { active: mean(sessions.active), lock: mean(sessions.lock), idleInTransaction: mean(sessions.idleInTransaction) },
    doneAt,
    ordersPerSecond: run.ok / ((doneAt - run.firstSentAt) / 1000),
    requestsSent: sent,
    timeline,
  };
}

export function lockWaitLines(m: Measured): string[] {
  const total = [...m.lockWaits.values()].reduce((a, b) => a + b, 0);
  return [...m.lockWaits]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([query, n]) => `  ${fmt((n / total) * 100, 0)} % of the lock waits in: ${query}`);
}

export function timelineText(m: Measured, answer: string): string {
  let previous = 0;
  let previousAt = 0;
  const cells = m.timeline.map((sample) => {
    const rate = ((sample.accepted - previous) / (sample.at - previousAt)) * 1000;
    previous = sample.accepted;
    previousAt = sample.at;
    return `${fmt(sample.at / 1000, 1)}s ${fmt(rate, 0)}/s ${sample.pending}`;
  });
  return `timeline (time: ${answer}s/s in the interval, fulfillment requests pending in the outbox): ${cells.join(' | ')}`;
}
