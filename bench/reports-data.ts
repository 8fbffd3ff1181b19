import pg from 'pg';
import type { Knex } from 'knex';
import type { Database } from '../adapters/db/index.ts';

// The bench's history, written by PostgreSQL itself (generate_series, one statement per table):
// `orders` orders over the year up to `now`, evenly spread (≈ 2,740 a day for a million), each
// with two lines, its events, two vendor tasks, and in the proportions below an approval (20 %,
// a third of them with two levels), person tasks (10 %) and dead letters (1 %) on the task lists,
// and its partner deadlines (X12 orders: the 855 and the 856). Orders of the last days are still
// in flight: a milestone later than `now` has not happened yet.
//
// Per order, k = (i · 7919) mod 1000 picks its fate: k < 10 rejected in approval, k < 30 cancelled
// while it waited, k < 200 approved; the rest need no approval. Durations vary with i.

export async function generateHistory(db: Database, url: string, orders: number, now: Date): Promise<void> {
  // A connection of its own: the gateway's stop a statement after a few seconds; these take minutes.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // knex only writes the statements ($1, … in place of ?); pg runs them.
  const trx = {
    raw: async (sql: string, bindings: Knex.RawBinding[] = []) => {
      const native = db.raw(sql, bindings).toSQL().toNative();
      await client.query(native.sql, native.bindings as unknown[]);
    },
  };
  try {
    await client.query('BEGIN');
    // Foreign keys are not checked for rows generated consistent by construction (superuser).
    await trx.raw('SET LOCAL session_replication_role = replica');
    await trx.raw('SET LOCAL synchronous_commit = off');
    await trx.raw(`INSERT INTO partners (id, name) SELECT md5('partner-' || p)::uuid::text, 'Partner ' || p FROM generate_series(1, 50) p`);
    await trx.raw(`INSERT INTO vendors (id, name, channel) SELECT 'vendor-' || v, 'Vendor ' || v, 'amqp' FROM generate_series(1, 20) v`);
    await trx.raw(
      `INSERT INTO people (id, name, roles) SELECT md5('person-' || n)::uuid::text, 'Person ' || n, ARRAY[(ARRAY['sales', 'finance', 'ops'])[1 + n % 3]] FROM generate_series(1, 30) n`,
    );
    await trx.raw(
      `CREATE TEMP TABLE gen ON COMMIT DROP AS
       WITH base AS (
         SELECT i, md5('o' || i)::uuid::text AS id, md5('partner-' || (1 + i % 50))::uuid::text AS partner_id,
           (ARRAY['x12', 'x12', 'x12', 'x12', 'cxml', 'cxml', 'webhook', 'webhook', 'api', 'api'])[1 + (i / 7) % 10] AS channel,
           ?::timestamptz - (? - i) * (interval '1 year' / ?) AS received, (i::bigint * 7919) % 1000 AS k
         FROM generate_series(1, ?) i
       ), timed AS (
         SELECT b.*,
           CASE WHEN k >= 30 AND k < 200 THEN received + (600 + (i * 31) % 14400) * interval '1 second' END AS approved_raw,
           CASE WHEN k < 10 THEN received + (900 + (i * 37) % 20000) * interval '1 second' END AS rejected_at
         FROM base b
       ), chained AS (
         SELECT t.*, CASE WHEN k >= 30 THEN coalesce(approved_raw, received) + (300 + (i * 17) % 7200) * interval '1 second' END AS ack_raw
         FROM timed t
       ), shipped AS (
         SELECT c.*, ack_raw + (3600 + (i * 13) % 172800) * interval '1 second' AS ship_raw FROM chained c
       )
       SELECT s.i, s.id, s.partner_id, s.channel, s.received, s.k, s.rejected_at,
         CASE WHEN approved_raw <= ?::timestamptz THEN approved_raw END AS approved_at,
         CASE WHEN ack_raw <= ?::timestamptz THEN ack_raw END AS ack_at,
         CASE WHEN ship_raw <= ?::timestamptz THEN ship_raw END AS ship_at,
         CASE WHEN ship_raw + (1800 + (i * 11) % 259200) * interval '1 second' <= ?::timestamptz
           THEN ship_raw + (1800 + (i * 11) % 259200) * interval '1 second' END AS billing_at
       FROM shipped s`,
      [now, orders, orders, orders, now, now, now, now],
    );
    await trx.raw(
      // The milestone columns as migration 025's trigger would keep them from the events below.
      `INSERT INTO orders (id, partner_id, channel, external_ref, order_type, status, order_date, currency, header, totals, created_at, updated_at,
         approved_at, acknowledged_at, first_shipment_at, ready_for_billing_at)
       SELECT id, partner_id, channel, 'PO-' || i, 'new',
         CASE WHEN k < 10 THEN 'rejected' WHEN k < 30 THEN 'cancelled' WHEN billing_at IS NOT NULL THEN (CASE WHEN i % 4 = 0 THEN 'ready_for_billing' ELSE 'billed' END)
              WHEN ship_at IS NOT NULL THEN 'partially_shipped' WHEN ack_at IS NOT NULL THEN 'in_fulfillment'
              WHEN k < 200 AND approved_at IS NULL THEN 'pending_approval' ELSE 'decomposed' END,
         to_char(received, 'YYYY-MM-DD'), 'USD', '{}', '{"lineCount": 2, "amount": 0}', received, coalesce(billing_at, ship_at, ack_at, approved_at, received),
         approved_at, ack_at, ship_at, billing_at
       FROM gen`,
    );
    await trx.raw(
      `INSERT INTO order_lines (id, order_id, position, line_number, status, sku, quantity, uom, detail)
       SELECT md5(id || n)::uuid::text, id, n, n::text, 'open', 'SKU-' || ((i * (n + 3)) % 500), n, 'EA', '{}'
       FROM gen, generate_series(1, 2) n`,
    );
    // Milestones, and the other events an order's history has (decomposed, in fulfillment, progress, fulfilled).
    await trx.raw(
      `INSERT INTO order_events (order_id, from_status, to_status, cause, actor, detail, at)
       SELECT id, e.from_status, e.to_status, e.cause, 'bench', '{}', e.at
       FROM gen CROSS JOIN LATERAL (VALUES
         (NULL, 'received', 'api.received', received),
         ('received', 'pending_approval', 'order.pending-approval', CASE WHEN k < 200 THEN received END),
         ('pending_approval', 'approved', 'order.approved', approved_at),
         ('pending_approval', 'rejected', 'order.rejected', rejected_at),
         ('pending_approval', 'cancelled', 'order.cancelled', CASE WHEN k >= 10 AND k < 30 THEN received + interval '1 day' END),
         ('approved', 'decomposed', 'order.decomposed', CASE WHEN k >= 30 THEN coalesce(approved_at, received) END),
         ('decomposed', 'in_fulfillment', 'order.in-fulfillment', ack_at),
         ('in_fulfillment', 'in_fulfillment', 'order.acknowledged', ack_at),
         ('in_fulfillment', 'in_fulfillment', 'task.progress', ack_at + interval '10 minutes'),
         ('in_fulfillment', 'partially_shipped', 'order.shipped', ship_at),
         ('partially_shipped', 'fulfilled', 'order.fulfilled', billing_at),
         ('fulfilled', 'ready_for_billing', 'order.ready-for-billing', billing_at)
       ) AS e(from_status, to_status, cause, at)
       WHERE e.at IS NOT NULL AND e.at <= ?`,
      [now],
    );
    // Two vendor tasks an order (not for rejected or cancelled ones), due a day after it is received.
    await trx.raw(
      // warn_at as migration 024's trigger would set it (triggers are off while generating).
      `INSERT INTO tasks (id, order_id, task_key, position, line_number, type, vendor_id, person, sla_minutes, due_at, status, created_at, updated_at, warn_at)
       SELECT md5(id || 't' || n)::uuid::text, id, 'task-' || n, n, n::text, (ARRAY['ship', 'activate'])[n], 'vendor-' || (1 + (i + n) % 20), false, 1440,
         coalesce(approved_at, received) + interval '1 day',
         CASE WHEN billing_at IS NOT NULL THEN 'done' WHEN ack_at IS NOT NULL THEN 'in_progress' ELSE 'dispatched' END,
         coalesce(approved_at, received), coalesce(CASE WHEN n = 1 THEN ship_at ELSE billing_at END, ack_at, coalesce(approved_at, received)),
         coalesce(approved_at, received) + interval '1 day' * 0.8
       FROM gen, generate_series(1, 2) n WHERE k >= 30`,
    );
    // Approvals: one level, or two for a third of them; level 2 starts half way to the decision.
    await trx.raw(
      `INSERT INTO approvals (id, order_id, partner_id, status, reasons, levels, current_level, level_started_at, created_at, decided_at)
       SELECT md5(id || 'a')::uuid::text, id, partner_id,
         CASE WHEN k < 10 THEN 'rejected' WHEN k < 30 THEN 'cancelled' WHEN approved_at IS NULL THEN 'pending' ELSE 'approved' END,
         jsonb_build_array(jsonb_build_object('code', 'total-at-least', 'policy', (ARRAY['big-orders', 'new-partner', 'price-check'])[1 + i % 3], 'detail', '')),
         '[]', CASE WHEN k % 3 = 0 AND approved_at IS NOT NULL THEN 2 ELSE 1 END,
         CASE WHEN k % 3 = 0 AND approved_at IS NOT NULL THEN received + (approved_at - received) / 2 ELSE received END,
         received, coalesce(approved_at, rejected_at)
       FROM gen WHERE k < 200`,
    );
    await trx.raw(
      `INSERT INTO approval_decisions (approval_id, level, person_id, decision, via, created_at)
       SELECT md5(id || 'a')::uuid::text, 1, md5('person-' || (1 + i % 30))::uuid::text, CASE WHEN k < 10 THEN 'reject' ELSE 'approve' END, 'api',
         CASE WHEN k % 3 = 0 AND approved_at IS NOT NULL THEN received + (approved_at - received) / 2 ELSE coalesce(approved_at, rejected_at) END
       FROM gen WHERE k < 200 AND (approved_at IS NOT NULL OR rejected_at IS NOT NULL)
       UNION ALL
       SELECT md5(id || 'a')::uuid::text, 2, md5('person-' || (1 + (i + 7) % 30))::uuid::text, 'approve', 'api', approved_at
       FROM gen WHERE k < 200 AND k % 3 = 0 AND approved_at IS NOT NULL`,
    );
    // Work items: each approval's levels (due in 4 h, escalated when not decided by then), person tasks (10 %), dead letters (1 %).
    await trx.raw(
      `INSERT INTO work_items (id, kind, source_id, level, order_id, partner_id, title, assigned_roles, assigned_people, claimed_by, status,
         created_at, warn_at, due_at, escalated_at, completed_by, completed_at, outcome)
       SELECT md5(w.source || w.level)::uuid::text, w.kind, w.source, w.level, w.order_id, w.partner_id, w.kind, w.roles, '{}', w.person,
         CASE WHEN w.done IS NOT NULL THEN 'done' WHEN w.cancelled THEN 'cancelled' ELSE 'open' END,
         w.created, w.created + (w.due - w.created) * 0.8, w.due,
         CASE WHEN coalesce(w.done, ?::timestamptz) > w.due THEN w.due END, CASE WHEN w.done IS NOT NULL THEN w.person END, w.done,
         CASE WHEN w.done IS NOT NULL THEN 'done' END
       FROM (
         SELECT 'approval' AS kind, md5(id || 'a')::uuid::text AS source, 1 AS level, id AS order_id, partner_id, ARRAY['sales'] AS roles,
           md5('person-' || (1 + i % 30))::uuid::text AS person, received AS created, received + interval '4 hours' AS due,
           CASE WHEN k % 3 = 0 AND approved_at IS NOT NULL THEN received + (approved_at - received) / 2 ELSE coalesce(approved_at, rejected_at) END AS done,
           k >= 10 AND k < 30 AS cancelled
         FROM gen WHERE k < 200
         UNION ALL
         SELECT 'approval', md5(id || 'a')::uuid::text, 2, id, partner_id, ARRAY['finance'], md5('person-' || (1 + (i + 7) % 30))::uuid::text,
           received + (approved_at - received) / 2, received + (approved_at - received) / 2 + interval '4 hours', approved_at, false
         FROM gen WHERE k < 200 AND k % 3 = 0 AND approved_at IS NOT NULL
         UNION ALL
         SELECT 'person-task', md5(id || 'p'), 0, id, partner_id, ARRAY['ops'], md5('person-' || (1 + i % 30))::uuid::text, received, received + interval '8 hours',
           CASE WHEN received + (1800 + (i * 23) % 50000) * interval '1 second' <= ?::timestamptz THEN received + (1800 + (i * 23) % 50000) * interval '1 second' END, false
         FROM gen WHERE i % 10 = 3
         UNION ALL
         SELECT 'dead-letter', md5(id || 'd'), 0, id, partner_id, ARRAY['ops'], NULL, coalesce(ack_at, received), coalesce(ack_at, received) + interval '2 hours',
           CASE WHEN i % 300 <> 7 THEN coalesce(ack_at, received) + (600 + (i * 29) % 20000) * interval '1 second' END, false
         FROM gen WHERE i % 100 = 7
       ) w`,
      [now, now],
    );
    // Partner deadlines of the X12 orders: the 855 within 24 h of the 850, the 856 within 3 days.
    await trx.raw(
      `INSERT INTO order_deadlines (order_id, partner_id, document, within, started_at, warn_at, due_at, met_at, missed_at)
       SELECT id, partner_id, d.document, d.within, received, received + d.span * 0.8, received + d.span,
         CASE WHEN d.done <= received + d.span THEN d.done END,
         CASE WHEN coalesce(d.done, ?::timestamptz) > received + d.span AND received + d.span <= ?::timestamptz THEN received + d.span END
       FROM gen CROSS JOIN LATERAL (VALUES ('855', 'PT24H', interval '24 hours', ack_at), ('856', 'P3D', interval '3 days', ship_at)) AS d(document, within, span, done)
       WHERE channel = 'x12' AND k >= 30`,
      [now, now],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  // Vacuumed (the visibility map lets index-only scans skip the table) and analyzed, as autovacuum
  // would have long since on a history this old; on a connection of its own, without a time limit.
  try {
    for (const table of [
      'orders',
      'order_lines',
      'order_events',
      'tasks',
      'approvals',
      'approval_decisions',
      'work_items',
      'order_deadlines',
    ])
      await client.query(`VACUUM ANALYZE ${table}`);
  } finally {
    await client.end();
  }
}
