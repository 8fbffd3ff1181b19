import type { Knex } from 'knex';

// A ship task's `complete` that comes before its shipments is held in its inbox row (outcome
// 'held') until a shipment covers the task; every reply to the order looks for them, so only those
// rows are indexed.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX inbox_held ON inbox (order_id) WHERE outcome = 'held'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX inbox_held');
}
