import type { Knex } from 'knex';

// The reports (GET /v1/reports/*) read what happened in a period: orders, tasks, approvals, work
// items and deadlines by the time they started, and of the order events only the milestones of
// the cycle times (a small share of all events), by order and by time (the stage histograms read
// what ended lately). Checked with EXPLAIN on the bench's million orders (npm run bench:reports).

const milestones = `cause IN ('order.approved', 'order.acknowledged', 'order.shipped', 'order.ready-for-billing')`;
const closedOrders = `status NOT IN ('ready_for_billing', 'billed', 'rejected', 'cancelled', 'failed')`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX orders_received ON orders (created_at)');
  await knex.raw('CREATE INDEX orders_partner_received ON orders (partner_id, created_at)');
  await knex.raw(`CREATE INDEX orders_open ON orders (partner_id, created_at) WHERE ${closedOrders}`);
  await knex.raw(`CREATE INDEX order_events_milestones ON order_events (order_id, cause, at) WHERE ${milestones}`);
  await knex.raw(`CREATE INDEX order_events_milestones_at ON order_events (at, order_id, cause) WHERE ${milestones}`);
  // A month of cycle times by SKU or vendor looks up each order's SKUs (vendors): from the index alone.
  await knex.raw('CREATE INDEX order_lines_order_sku ON order_lines (order_id, sku) WHERE sku IS NOT NULL');
  await knex.raw('CREATE INDEX tasks_order_vendor ON tasks (order_id, vendor_id) WHERE vendor_id IS NOT NULL');
  await knex.raw('CREATE INDEX tasks_vendor_started ON tasks (created_at) WHERE NOT person');
  await knex.raw('CREATE INDEX approvals_created ON approvals (created_at)');
  await knex.raw('CREATE INDEX work_items_created ON work_items (created_at)');
  await knex.raw('CREATE INDEX order_deadlines_started ON order_deadlines (started_at)');
}

export async function down(knex: Knex): Promise<void> {
  for (const index of [
    'order_deadlines_started',
    'work_items_created',
    'approvals_created',
    'tasks_vendor_started',
    'tasks_order_vendor',
    'order_lines_order_sku',
    'order_events_milestones_at',
    'order_events_milestones',
    'orders_open',
    'orders_partner_received',
    'orders_received',
  ])
    await knex.raw(`DROP INDEX ${index}`);
}
