import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Channel, FuzzContext, FuzzInput } from './channels/channel.ts';
import { cxmlChannel } from './channels/cxml.ts';
import { jsonChannel } from './channels/json.ts';
import { webhookChannel } from './channels/webhook.ts';
import { x12Channel } from './channels/x12.ts';
import { Findings, type FailureKind, type FindingGroup } from './findings.ts';
import { startGateway, type DatabaseChoice, type Gateway } from './gateway.ts';
import { rssBytes, startMonitor } from './monitor.ts';
import { Random } from './random.ts';
import { setUpPartners } from './setup.ts';
import { ChannelStats, isNoAnswer, type LatencyHistogram } from './stats.ts';

// One campaign: a gateway started for it, its partners set up, then `count` inputs per channel (or
// until the time limit) sent by `concurrency` workers taking the channels in turn; each input is built
// when it is sent and dropped when answered, so memory stays flat however long the run. Counted per
// channel as they come: statuses, latency, 5xx, hangs; /healthz and the server's RSS watched meanwhile.

export const allChannels: Channel[] = [x12Channel, cxmlChannel, jsonChannel, webhookChannel];
export type ChannelName = Channel['name'];

export interface CampaignOptions {
  db: DatabaseChoice;
  channels: ChannelName[];
  /** Inputs per channel. */
  count: number;
  /** The first index of each channel (default 0): `--only N` is first N, count 1. */
  first?: number;
  /** Stop sending new inputs after this many seconds (in-flight ones finish). */
  timeSeconds: number;
  concurrency: number;
  seed: string;
  /** An answer slower than this, plus msPerMiB for each MiB of its input, is a hang (2,000 ms). */
  hangMs: number;
  /**
   * What an input's size adds to hangMs and timeoutMs (10,000 ms per MiB): an interchange of 20,000
   * orders is 20,000 orders stored, and is not expected in 2 s. Answers slower than hangMs but
   * within that are counted apart (`slow for their size`), not hidden.
   */
  msPerMiB: number;
  /** No answer after this long: the request is dropped and counted as `timeout` (30,000 ms). */
  timeoutMs: number;
  entry: 'dist' | 'source';
  bodyLimitBytes: number;
  postgresAdminUrl: string;
  /** Where findings go: <findingsDir>/<run id>/. */
  findingsDir: string;
  log: (line: string) => void;
  /** Called with every answer (used by --only to show it). */
  onAnswer?: (channel: ChannelName, index: number, input: FuzzInput, answer: Answer) => void;
}

export interface Answer {
  status: string;
  ms: number;
  headers: Record<string, unknown>;
  /** The first 64 KB of the answer. */
  body: Buffer;
  bytes: number;
}

export interface CampaignResult {
  runId: string;
  db: DatabaseChoice;
  seed: string;
  seconds: number;
  channels: Map<ChannelName, ChannelStats>;
  health: LatencyHistogram;
  healthFailures: number;
  rss: { before: number; peak: number; after: number };
  findings: FindingGroup[];
  findingLines: string[];
  findingsDir: string;
  /** Set when the gateway died during the campaign. */
  gatewayExit?: string;
  /** Warn/error lines the gateway logged outside any request, with their counts. */
  otherLogEntries: [string, number][];
  fiveXx: number;
  hangs: number;
  noAnswer: number;
}

interface Flight {
  channel: ChannelName;
  index: number;
  bytes: number;
  label: string;
  start: number;
  end?: number;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const keptAnswerBytes = 64 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function send(baseUrl: string, agent: Agent, input: FuzzInput, requestId: string, timeoutMs: number, bodyLimit: number): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (answer: Omit<Answer, 'ms'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...answer, ms: performance.now() - started });
    };
    const failed = (status: string) => done({ status, headers: {}, body: Buffer.alloc(0), bytes: 0 });
    const timer = setTimeout(() => {
      req?.destroy();
      failed('timeout');
    }, timeoutMs);
    let req: ReturnType<typeof request> | undefined;
    try {
      req = request(
        `${baseUrl}${input.path}`,
        {
          method: input.method,
          agent,
          headers: {
            ...input.headers,
            'x-request-id': requestId,
            ...(input.body === undefined ? {} : { 'content-length': input.body.length }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            if (bytes < keptAnswerBytes) chunks.push(chunk);
            bytes += chunk.length;
          });
          res.on('end', () =>
            done({ status: String(res.statusCode), headers: res.headers, body: Buffer.concat(chunks).subarray(0, keptAnswerBytes), bytes }),
          );
          res.on('error', (error: NodeJS.ErrnoException) => failed(`error:${error.code ?? error.message}`));
        },
      );
    } catch (error) {
      // Our own HTTP client refused the request (a header it will not send): nothing reached the server.
      failed(`client:${(error as NodeJS.ErrnoException).code ?? 'refused'}`);
      return;
    }
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      // A server that answers before the whole body is sent (413, 401) may close while we still write:
      // give its answer a moment to be read first.
      setTimeout(
        () =>
          failed(
            (code === 'EPIPE' || code === 'ECONNRESET') && (input.body?.length ?? 0) > bodyLimit ? 'closed:over-limit' : `error:${code}`,
          ),
        100,
      );
    });
    req.end(input.body);
  });
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${options.db}-seed-${options.seed}`;
  const adminKey = `fuzz-admin-key-${'0123456789abcdef'.repeat(2)}`;
  const gateway: Gateway = await startGateway({
    db: options.db,
    entry: options.entry,
    adminKey,
    bodyLimitBytes: options.bodyLimitBytes,
    postgresAdminUrl: options.postgresAdminUrl,
    log: options.log,
  });
  const findings = new Findings(join(options.findingsDir, runId));
  try {
    const runTag = createRunTag(options.seed);
    const context: FuzzContext = await setUpPartners(gateway.url, adminKey, options.bodyLimitBytes, runTag);
    const channels = allChannels.filter((channel) => options.channels.includes(channel.name));
    const states = channels.map((channel) => ({
      channel,
      next: options.first ?? 0,
      end: (options.first ?? 0) + options.count,
      stats: new ChannelStats(),
    }));
    await sleep(500);
    const rssBefore = rssBytes(gateway.pid);
    const monitor = startMonitor(gateway.url, gateway.pid);
    const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
    const started = performance.now();
    const deadline = started + options.timeSeconds * 1000;
    let turn = 0;
    const nextJob = () => {
      for (let tried = 0; tried < states.length; tried += 1) {
        const state = states[turn % states.length];
        turn += 1;
        if (state !== undefined && state.next < state.end) return { state, index: state.next++ };
      }
      return undefined;
    };
    const pending: Promise<void>[] = [];
    const inFlight = new Set<Flight>();
    const recent: Flight[] = [];
    /**
     * A slow or missing answer may be another input's fault: the earliest request that was already
     * running when this one was sent and still running when it ended (or gave up).
     */
    const slowerAlongside = (flight: Flight): { behind?: string } => {
      const end = flight.end ?? performance.now();
      let culprit: Flight | undefined;
      for (const other of [...inFlight, ...recent])
        if (
          other !== flight &&
          other.start < flight.start &&
          (other.end ?? Infinity) >= end &&
          (culprit === undefined || other.start < culprit.start)
        )
          culprit = other;
      if (culprit === undefined) return {};
      const took = Math.round((culprit.end ?? performance.now()) - culprit.start);
      return {
        behind: `${culprit.channel} #${culprit.index} (${culprit.bytes} bytes, ${culprit.end === undefined ? 'still running after ' : ''}${took} ms: ${culprit.label.slice(0, 200)})`,
      };
    };
    const progress = setInterval(() => {
      const done = states.map((s) => `${s.channel.name} ${s.stats.inputs}`).join(', ');
      const bad = states.reduce((sum, s) => sum + s.stats.fiveXx, 0);
      const slow = states.reduce((sum, s) => sum + s.stats.hangs, 0);
      options.log(
        `${Math.round((performance.now() - started) / 1000)} s: ${done}; 5xx ${bad}, hangs ${slow}; /healthz p99 ${monitor.health.percentile(99).toFixed(0)} ms; RSS peak ${mb(monitor.peakRss)}`,
      );
    }, 10_000);
    const worker = async () => {
      for (let job = nextJob(); job !== undefined && performance.now() < deadline && gateway.alive(); job = nextJob()) {
        const { state, index } = job;
        const name = state.channel.name;
        let input: FuzzInput;
        try {
          input = state.channel.build(new Random(options.seed, name, index), index, context);
        } catch (error) {
          // A defect of the campaign's own, not of the gateway: said, and the campaign goes on.
          options.log(`${name} #${index}: the generator failed (${error instanceof Error ? error.message : String(error)}); input skipped`);
          continue;
        }
        const requestId = `fuzz-${name}-${index}`;
        const flight: Flight = { channel: name, index, bytes: input.body?.length ?? 0, label: input.label, start: performance.now() };
        inFlight.add(flight);
        const allowanceMs = (options.msPerMiB * (input.body?.length ?? 0)) / (1024 * 1024);
        const answer = await send(gateway.url, agent, input, requestId, options.timeoutMs + allowanceMs, options.bodyLimitBytes);
        flight.end = performance.now();
        inFlight.delete(flight);
        recent.push(flight);
        if (recent.length > 256) recent.shift();
        state.stats.record(index, answer.status, answer.ms, input.body?.length ?? 0, answer.bytes, options.hangMs, allowanceMs);
        options.onAnswer?.(name, index, input, answer);
        const kind: FailureKind | undefined = /^5\d\d$/.test(answer.status)
          ? '5xx'
          : isNoAnswer(answer.status)
            ? 'no-answer'
            : answer.ms > options.hangMs + allowanceMs
              ? 'hang'
              : undefined;
        if (kind !== undefined)
          // The server logs the error a moment after it answers (longer when busy): wait for the line before filing the finding.
          pending.push(
            (kind === '5xx' ? loggedFor(gateway, requestId) : Promise.resolve()).then(() => {
              findings.record({
                channel: name,
                index,
                kind,
                status: answer.status,
                ms: answer.ms,
                method: input.method,
                path: input.path,
                headers: input.headers,
                label: input.label,
                body: input.body,
                answer,
                server: gateway.entries(requestId),
                ...(kind === '5xx' ? {} : slowerAlongside(flight)),
              });
            }),
          );
        // Findings hold their input only until filed: keep that list short.
        if (pending.length > 20) await Promise.all(pending.splice(0));
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
    clearInterval(progress);
    const seconds = (performance.now() - started) / 1000;
    await monitor.stop();
    await Promise.all(pending.splice(0));
    agent.destroy();
    await sleep(2000);
    const rssAfter = rssBytes(gateway.pid);
    const stats = new Map(states.map((s) => [s.channel.name, s.stats] as const));
    const sum = (pick: (s: ChannelStats) => number) => states.reduce((total, s) => total + pick(s.stats), 0);
    const gatewayExit = gateway.exit();
    return {
      runId,
      db: options.db,
      seed: options.seed,
      seconds,
      channels: stats,
      health: monitor.health,
      healthFailures: monitor.healthFailures,
      rss: { before: rssBefore, peak: Math.max(monitor.peakRss, rssAfter || 0), after: rssAfter },
      findings: [...findings.groups.values()],
      findingLines: findings.lines(),
      findingsDir: findings.dir,
      ...(gatewayExit === undefined ? {} : { gatewayExit }),
      otherLogEntries: [...gateway.otherEntries.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20),
      fiveXx: sum((s) => s.fiveXx),
      hangs: sum((s) => s.hangs),
      noAnswer: sum((s) => s.noAnswer),
    };
  } finally {
    await gateway.stop();
  }
}

/** Waits until the gateway has logged something for the request, at most 3 s. */
async function loggedFor(gateway: Gateway, requestId: string): Promise<void> {
  for (let waited = 0; waited < 3_000 && gateway.entries(requestId).length === 0; waited += 100) await sleep(100);
}

/** Short and the same for one seed, so that identifiers in the inputs are too. */
function createRunTag(seed: string): string {
  return new Random('run-tag', seed).text(6);
}

export const mb = (bytes: number) => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MB` : '-');

export const defaultFindingsDir = join(root, 'fuzz-findings');
