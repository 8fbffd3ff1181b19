import { stageBucketBounds, type Stage } from '../../domain/reports.ts';
import type { Database } from './connect.ts';
import { recentStageDurations } from './reports-cycle-times.ts';

// What /metrics reads from the database at scrape time, as plain counts.

export interface MetricReadings {
  ordersByChannelAndStatus(): Promise<{ channel: string; status: string; count: number }[]>;
  /** Fulfillment requests to vendors by outbox state. */
  requestsByState(): Promise<{ state: string; count: number }[]>;
  /** When the oldest fulfillment request not yet sent was created; undefined when none waits. */
  oldestPendingRequest(): Promise<Date | undefined>;
  openDeadLettersByQueue(): Promise<{ queue: string; count: number }[]>;
  /** Outbound documents marked overdue (no acknowledgment in time), by document type. */
  overdueAcknowledgmentsByType(): Promise<{ type: string; count: number }[]>;
  /** The order stages that ended in the last `windowMs`, counted into the stage histogram's buckets. */
  recentStageDurations(windowMs: number): Promise<{ stage: Stage; bucket: number; count: number; sum: number }[]>;
}

type Counted = { count: string | number };

export function metricReadings(db: Database): MetricReadings {
  return {
    async ordersByChannelAndStatus() {
      const rows = (await db('orders').select('channel', 'status').count({ count: '*' }).groupBy('channel', 'status')) as ({
        channel: string;
        status: string;
      } & Counted)[];
      return rows.map((row) => ({ channel: row.channel, status: row.status, count: Number(row.count) }));
    },
    async requestsByState() {
      const rows = (await db('outbox').whereNotNull('vendor_id').select('state').count({ count: '*' }).groupBy('state')) as ({
        state: string;
      } & Counted)[];
      return rows.map((row) => ({ state: row.state, count: Number(row.count) }));
    },
    async oldestPendingRequest() {
      const row = await db('outbox').where({ state: 'pending' }).whereNotNull('vendor_id').min({ oldest: 'created_at' }).first();
      return row?.oldest === null || row?.oldest === undefined ? undefined : new Date(row.oldest);
    },
    async openDeadLettersByQueue() {
      const rows = (await db('dead_letters').whereNull('replayed_at').select('queue').count({ count: '*' }).groupBy('queue')) as ({
        queue: string;
      } & Counted)[];
      return rows.map((row) => ({ queue: row.queue, count: Number(row.count) }));
    },
    async overdueAcknowledgmentsByType() {
      const rows = (await db('documents').where({ ack_state: 'overdue' }).select('type').count({ count: '*' }).groupBy('type')) as ({
        type: string;
      } & Counted)[];
      return rows.map((row) => ({ type: row.type, count: Number(row.count) }));
    },
    recentStageDurations: (windowMs) => recentStageDurations(db, new Date(Date.now() - windowMs), stageBucketBounds),
  };
}
