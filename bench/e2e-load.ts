import { Agent, request } from 'node:http';
import { sleep, summarize, type LatencySummary } from './support.ts';

// bench:e2e's load generator: orders POSTed over plain node:http keep-alive connections, either
// closed loop (a fixed number of connections, each sending its next as soon as it has its answer:
// the gateway's capacity) or open loop (sent at a fixed pace whatever the answers do: the latency
// a partner sees at a given load).

/** One POST: the body, the key of the partner it comes from, and any headers of its own. */
export interface GatewayPost {
  body: string;
  key: string;
  headers?: Record<string, string>;
}

export interface PostResult {
  status: number;
  body: string;
  /** From the call to the last byte of the answer. */
  ms: number;
  /** performance.now() of the last byte of the answer. */
  answeredAt: number;
}

export interface GatewayClient {
  post(request: GatewayPost): Promise<PostResult>;
  close(): void;
}

/** Plain node:http over at most `connections` keep-alive sockets: less client CPU than fetch on a small machine. */
export function gatewayClient(baseUrl: string, route: string, contentType: string, connections: number): GatewayClient {
  const url = new URL(route, baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  return {
    post: ({ body, key, headers }) =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        const all = {
          ...headers,
          authorization: `Bearer ${key}`,
          'content-type': contentType,
          'content-length': Buffer.byteLength(body),
        };
        const req = request(url, { method: 'POST', agent, headers: all }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const answeredAt = performance.now();
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: answeredAt - started, answeredAt });
          });
          res.on('error', reject);
        });
        req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

export interface PostRun {
  ok: number;
  failed: number;
  /** The first few failures, as text. */
  problems: string[];
  latency: LatencySummary;
  /** performance.now() of the first request sent and the last answer received. */
  firstSentAt: number;
  lastAnsweredAt: number;
  /** Open loop only: how well the pace was kept. */
  pace?: Pace;
}

export interface Pace {
  /** Orders per second asked for and sent (first send → last send). */
  target: number;
  sent: number;
  /** How far behind its schedule a send went at worst (the bench's own event loop late). */
  maxLateMs: number;
  /** The latency from the actual send instead: what the bench's lateness added is the difference. */
  fromSend: LatencySummary;
  /** Requests sent and not yet answered, at most at once (more than the connections: queued in the client). */
  peakInFlight: number;
}

/** Counts one answer into the run: accepted (its latency kept) or a failure (its text kept, the first few). */
function recorder(accepted: (result: PostResult) => boolean, onAccepted?: () => void) {
  const latencies: number[] = [];
  const fromSend: number[] = [];
  const problems: string[] = [];
  let failed = 0;
  let lastAnsweredAt = 0;
  const fail = (problem: string): void => {
    failed += 1;
    if (problems.length < 5) problems.push(problem);
  };
  return {
    /** One post; its latency from `scheduledAt` when given, else from the send. */
    send: async (client: GatewayClient, post: GatewayPost, scheduledAt?: number): Promise<void> => {
      try {
        const result = await client.post(post);
        lastAnsweredAt = result.answeredAt;
        if (accepted(result)) {
          latencies.push(scheduledAt === undefined ? result.ms : result.answeredAt - scheduledAt);
          fromSend.push(result.ms);
          onAccepted?.();
        } else {
          fail(`HTTP ${result.status}: ${result.body.slice(0, 300)}`);
        }
      } catch (error) {
        lastAnsweredAt = performance.now();
        fail(`request error: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    fromSend: () => summarize(fromSend),
    run: (firstSentAt: number, pace?: Pace): PostRun => ({
      ok: latencies.length,
      failed,
      problems,
      latency: summarize(latencies),
      firstSentAt,
      lastAnsweredAt: Math.max(firstSentAt, lastAnsweredAt),
      ...(pace === undefined ? {} : { pace }),
    }),
  };
}

/** Every post once, `connections` at a time (closed loop); latency = request sent → answer received. */
export async function postAll(
  client: GatewayClient,
  posts: readonly GatewayPost[],
  connections: number,
  accepted: (result: PostResult) => boolean,
  onAccepted?: () => void,
): Promise<PostRun> {
  const record = recorder(accepted, onAccepted);
  let next = 0;
  const firstSentAt = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < posts.length) await record.send(client, posts[next++] as GatewayPost);
    }),
  );
  return record.run(firstSentAt);
}

/**
 * Every post once, post i at start + i / rate whatever the answers do (open loop). Latency runs from
 * the post's scheduled time, so a send the bench itself was late with, or one queued behind busy
 * connections, counts in full: the pace is the load, not what the gateway lets through.
 */
export async function postPaced(
  client: GatewayClient,
  posts: readonly GatewayPost[],
  rate: number,
  accepted: (result: PostResult) => boolean,
  onAccepted?: () => void,
): Promise<PostRun> {
  const record = recorder(accepted, onAccepted);
  const intervalMs = 1000 / rate;
  const answers: Promise<void>[] = [];
  let inFlight = 0;
  let peakInFlight = 0;
  let maxLateMs = 0;
  let lastSentAt = 0;
  const start = performance.now();
  for (let i = 0; i < posts.length;) {
    const due = start + i * intervalMs;
    const now = performance.now();
    // A timer fires a millisecond or more late, never early: on waking, send everything due by then (a burst
    // that keeps to the schedule), and anything due within half a millisecond.
    if (due > now + 0.5) {
      await sleep(due - now);
      continue;
    }
    maxLateMs = Math.max(maxLateMs, now - due);
    lastSentAt = now;
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    answers.push(record.send(client, posts[i] as GatewayPost, due).finally(() => (inFlight -= 1)));
    i += 1;
  }
  await Promise.all(answers);
  const sent = posts.length > 1 ? ((posts.length - 1) / (lastSentAt - start)) * 1000 : Number.NaN;
  return record.run(start, { target: rate, sent, maxLateMs, peakInFlight, fromSend: record.fromSend() });
}
