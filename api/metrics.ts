import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues, type MetricType } from 'prom-client';
import type { MetricReadings } from '../adapters/db/index.ts';
import { stageBucketBounds, stageHistograms, type StageHistogram } from '../domain/reports.ts';
import type { StageTimer } from '../pipeline/ports.ts';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  requestDuration: Histogram<'method' | 'route'>;
  timeStage: StageTimer;
  /** How many requests each group commit held, by kind (envelope, order). */
  commitGroupSize: Histogram<'kind'>;
}

/** How long the counts read from the database are served before they are read again. */
export const readingsCacheMs = 5_000;

type Snapshot = {
  orders: Awaited<ReturnType<MetricReadings['ordersByChannelAndStatus']>>;
  requests: Awaited<ReturnType<MetricReadings['requestsByState']>>;
  oldestPending: Date | undefined;
  deadLetters: Awaited<ReturnType<MetricReadings['openDeadLettersByQueue']>>;
  overdue: Awaited<ReturnType<MetricReadings['overdueAcknowledgmentsByType']>>;
  stages: StageHistogram[];
};

/** The window of the order stage histogram: the stages that ended in the last 24 hours. */
export const stageWindowMs = 24 * 3_600_000;

/**
 * All the database's counts as one burst of queries, at most once per `readingsCacheMs` however
 * often /metrics is scraped (and by how many at once: they share the burst in flight), so that a
 * scraper, or anyone who can reach /metrics, cannot make the database count all day.
 */
function snapshots(readings: MetricReadings, now: () => number): () => Promise<Snapshot> {
  let cached: { at: number; snapshot: Promise<Snapshot> } | undefined;
  return () => {
    const at = now();
    if (cached === undefined || at - cached.at >= readingsCacheMs) {
      const snapshot = (async () => {
        const [orders, requests, oldestPending, deadLetters, overdue, stages] = await Promise.all([
          readings.ordersByChannelAndStatus(),
          readings.requestsByState(),
          readings.oldestPendingRequest(),
          readings.openDeadLettersByQueue(),
          readings.overdueAcknowledgmentsByType(),
          readings.recentStageDurations(stageWindowMs).then((rows) => stageHistograms(rows)),
        ]);
        return { orders, requests, oldestPending, deadLetters, overdue, stages };
      })();
      const entry = { at, snapshot };
      cached = entry;
      // A failed read is not kept: the next scrape tries again.
      snapshot.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.snapshot;
  };
}

const stageMetric = 'ordergate_order_stage_duration_seconds';
const stageHelp =
  'Order stage durations (received → approved → acknowledged → first shipment → ready for billing, and total) of the stages that ended in the last 24 h, read from the order history';

/**
 * The order stages' durations (GET /v1/reports/cycle-times' stages), read from the database at
 * scrape rather than observed as they happen: a stage ends in many places (approvals, vendor
 * replies, answers) and its duration needs the order's earlier milestones, which the history
 * already holds; and every instance reads the same shared figures, so none is lost when the
 * instance that saw the event restarts. It is the stages that ended in the last 24 h (a gauge
 * histogram: it can go down), so read it with histogram_quantile over the buckets themselves, not
 * over rate(); and from one instance, since every instance reports the same.
 */
class StageDurations extends Histogram<'stage'> {
  constructor(
    registry: Registry,
    private readonly stages: () => Promise<StageHistogram[]>,
  ) {
    super({
      name: stageMetric,
      help: stageHelp,
      labelNames: ['stage'] as const,
      buckets: stageBucketBounds,
      registers: [registry],
    });
  }

  override async get() {
    const values = (await this.stages()).flatMap(({ stage, buckets, count, sum }) => [
      ...buckets.map((value, index) => ({
        metricName: `${stageMetric}_bucket`,
        // le is the histogram's own label, which prom-client's label types leave out.
        labels: { stage, le: index < stageBucketBounds.length ? (stageBucketBounds[index] as number) : '+Inf' } as LabelValues<'stage'>,
        value,
      })),
      { metricName: `${stageMetric}_sum`, labels: { stage }, value: sum },
      { metricName: `${stageMetric}_count`, labels: { stage }, value: count },
    ]);
    // prom-client's typings declare MetricType a numeric enum; what the registry prints is the string.
    const type = 'histogram' as unknown as MetricType;
    return { name: stageMetric, help: stageHelp, type, values, aggregator: 'first' as const, collect: () => undefined };
  }

  /** What the registry prints (prom-client reads this one for the text format when it exists). */
  async getForPromString() {
    return this.get();
  }
}

/** One registry per server, so that several servers in one process (tests) do not collide. */
export function createMetrics(readings: MetricReadings, options: { now?: () => number } = {}): Metrics {
  const read = snapshots(readings, options.now ?? Date.now);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ordergate_' });
  const requests = new Counter({
    name: 'ordergate_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: 'ordergate_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const stageDuration = new Histogram({
    name: 'ordergate_pipeline_stage_duration_seconds',
    help: 'Time spent in each pipeline stage',
    labelNames: ['stage'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [registry],
  });
  const commitGroupSize = new Histogram({
    name: 'ordergate_commit_group_size',
    help: 'Requests committed in one transaction, by kind (envelope: an X12 interchange; order: JSON, cXML, webhook)',
    labelNames: ['kind'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  new Gauge({
    name: 'ordergate_orders',
    help: 'Orders by channel and status (read from the database at most every 5 s)',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
    async collect() {
      const rows = (await read()).orders;
      this.reset();
      for (const row of rows) this.set({ channel: row.channel, status: row.status }, row.count);
    },
  });
  new Gauge({
    name: 'ordergate_fulfillment_requests',
    help: 'Fulfillment requests to vendors by state: pending (waiting to be sent, or leased to a mailbox), sent, dead (dropped with their order)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const rows = (await read()).requests;
      this.reset();
      for (const row of rows) this.set({ state: row.state }, row.count);
    },
  });
  new Gauge({
    name: 'ordergate_fulfillment_oldest_pending_seconds',
    help: 'Age of the oldest fulfillment request not yet sent: grows when a vendor or the broker is unreachable',
    registers: [registry],
    async collect() {
      const oldest = (await read()).oldestPending;
      this.set(oldest === undefined ? 0 : (Date.now() - oldest.getTime()) / 1000);
    },
  });
  new Gauge({
    name: 'ordergate_dead_letters_open',
    help: 'Dead letters not replayed, by the queue they died in',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const rows = (await read()).deadLetters;
      this.reset();
      for (const row of rows) this.set({ queue: row.queue }, row.count);
    },
  });
  new Gauge({
    name: 'ordergate_documents_ack_overdue',
    help: 'Outbound X12 documents (855, 856, 810) the partner did not acknowledge (997/999) in time, by type',
    labelNames: ['type'] as const,
    registers: [registry],
    async collect() {
      const rows = (await read()).overdue;
      this.reset();
      for (const row of rows) this.set({ type: row.type }, row.count);
    },
  });
  new StageDurations(registry, async () => (await read()).stages);
  const timeStage: StageTimer = async (stage, work) => {
    const end = stageDuration.startTimer({ stage });
    try {
      return await work();
    } finally {
      end();
    }
  };
  return { registry, requests, requestDuration, timeStage, commitGroupSize };
}
