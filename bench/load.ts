import autocannon, { type Instance, type Result } from 'autocannon';
import { benchOrderJson } from './orders.ts';
import { sleep, summarize, type LatencySummary } from './support.ts';

// autocannon, POSTing orders with a fresh Idempotency-Key and externalRef on every request.

export interface LoadSpec {
  baseUrl: string;
  partnerKey: string;
  /** The next unique key and externalRef; called once per request sent. */
  next: () => { key: string; externalRef: string };
  durationS: number;
  /** Closed loop: this many connections, each sending as soon as its last answer arrived. */
  connections?: number;
  /**
   * At most this many orders/s (autocannon's overallRate). autocannon's limiter lets each connection
   * send its per-second quota back to back at the start of every second, so 32 connections at 5/s
   * each are 32 simultaneous requests once a second, not one every 6 ms. With `connections` given,
   * that is what runs (bursts). Without it the rate is paced: every connection sends one request a
   * second and the connections are split over instances started evenly across a second, so requests
   * arrive a few at a time over the whole second, like independent clients.
   */
  rate?: number;
}

export interface LoadResult {
  /** Successful (2xx) orders per second, from autocannon's own measured duration. */
  ordersPerSecond: number;
  ok: number;
  non2xx: number;
  statusCounts: Record<string, number>;
  errors: number;
  timeouts: number;
  /** 2xx latencies, exact (not autocannon's whole-millisecond histogram). */
  latency: LatencySummary;
  connections: number;
  /** The first few non-2xx bodies and request errors. */
  problems: string[];
}

const maxProblems = 8;
const maxPacedConnections = 400;

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  const problems: string[] = [];
  const note = (text: string): void => {
    if (problems.length < maxProblems) problems.push(text);
  };

  const launch = (connections: number, overallRate?: number): Instance => {
    const instance = autocannon({
      url: `${spec.baseUrl}/v1/orders`,
      connections,
      duration: spec.durationS,
      timeout: 10,
      ...(overallRate === undefined ? {} : { overallRate, ignoreCoordinatedOmission: true }),
      headers: { authorization: `Bearer ${spec.partnerKey}`, 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          path: '/v1/orders',
          setupRequest: (request) => {
            const { key, externalRef } = spec.next();
            return { ...request, headers: { ...request.headers, 'idempotency-key': key }, body: benchOrderJson(externalRef) };
          },
          onResponse: (status, body) => {
            if (status < 200 || status >= 300) note(`HTTP ${status}: ${body.slice(0, 400)}`);
          },
        },
      ],
    });
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
    instance.on('reqError', (error: Error) => note(`request error: ${error.message}`));
    return instance;
  };

  let runs: Promise<Result>[];
  let connections: number;
  if (spec.rate === undefined || spec.connections !== undefined) {
    connections = spec.connections ?? 32;
    // A connection given a rate of 0 would not be limited at all.
    if (spec.rate !== undefined && spec.rate < connections)
      throw new Error(`a rate of ${spec.rate}/s cannot be spread over ${connections} connections`);
    runs = [Promise.resolve(launch(connections, spec.rate === undefined ? undefined : Math.round(spec.rate)))];
  } else {
    // One request a second per connection; past a few hundred connections, a few a second each.
    const perConnection = Math.ceil(spec.rate / maxPacedConnections);
    connections = Math.max(1, Math.round(spec.rate / perConnection));
    const instances = Math.min(connections, 50);
    runs = [];
    for (let i = 0; i < instances; i++) {
      const share = Math.floor(connections / instances) + (i < connections % instances ? 1 : 0);
      runs.push(sleep((i * 1000) / instances).then(() => launch(share, share * perConnection)));
    }
  }
  const results = await Promise.all(runs);

  const statusCounts: Record<string, number> = {};
  for (const result of results) {
    for (const [status, { count }] of Object.entries(result.statusCodeStats)) statusCounts[status] = (statusCounts[status] ?? 0) + count;
  }
  const sum = (pick: (r: Result) => number): number => results.reduce((total, r) => total + pick(r), 0);
  return {
    // Each instance ran for its own duration; their rates add up.
    ordersPerSecond: sum((r) => r['2xx'] / r.duration),
    ok: sum((r) => r['2xx']),
    non2xx: sum((r) => r.non2xx),
    statusCounts,
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    latency: summarize(latencies),
    connections,
    problems,
  };
}
