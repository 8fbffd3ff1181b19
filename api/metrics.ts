import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../adapters/db/index.ts';
import type { StageTimer } from '../pipeline/ports.ts';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  requestDuration: Histogram<'method' | 'route'>;
  timeStage: StageTimer;
}

/** One registry per server, so that several servers in one process (tests) do not collide. */
export function createMetrics(db: Database): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ordergate_' });
  const requests = new Counter({ name: 'ordergate_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'] as const, registers: [registry] });
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
  new Gauge({
    name: 'ordergate_orders',
    help: 'Orders by channel and status (read from the database at scrape time)',
    labelNames: ['channel', 'status'] as const,
    registers: [registry],
    async collect() {
      const rows = await db('orders').select('channel', 'status').count({ count: '*' }).groupBy('channel', 'status');
      this.reset();
      for (const row of rows as { channel: string; status: string; count: string | number }[]) this.set({ channel: row.channel, status: row.status }, Number(row.count));
    },
  });
  new Gauge({
    name: 'ordergate_fulfillment_requests',
    help: 'Fulfillment requests to vendors by state: pending (waiting to be sent, or leased to a mailbox), sent, dead (dropped with their order)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const rows = await db('outbox').whereNotNull('vendor_id').select('state').count({ count: '*' }).groupBy('state');
      this.reset();
      for (const row of rows as { state: string; count: string | number }[]) this.set({ state: row.state }, Number(row.count));
    },
  });
  new Gauge({
    name: 'ordergate_fulfillment_oldest_pending_seconds',
    help: 'Age of the oldest fulfillment request not yet sent: grows when a vendor or the broker is unreachable',
    registers: [registry],
    async collect() {
      const row = await db('outbox').where({ state: 'pending' }).whereNotNull('vendor_id').min({ oldest: 'created_at' }).first();
      this.set(row?.oldest === null || row?.oldest === undefined ? 0 : (Date.now() - new Date(row.oldest).getTime()) / 1000);
    },
  });
  new Gauge({
    name: 'ordergate_dead_letters_open',
    help: 'Dead letters not replayed, by the queue they died in',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const rows = await db('dead_letters').whereNull('replayed_at').select('queue').count({ count: '*' }).groupBy('queue');
      this.reset();
      for (const row of rows as { queue: string; count: string | number }[]) this.set({ queue: row.queue }, Number(row.count));
    },
  });
  const timeStage: StageTimer = async (stage, work) => {
    const end = stageDuration.startTimer({ stage });
    try {
      return await work();
    } finally {
      end();
    }
  };
  return { registry, requests, requestDuration, timeStage };
}
