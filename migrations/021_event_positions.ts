import type { Knex } from 'knex';

// The live stream (GET /v1/stream) needs an order of order_events in which nothing can still be
// inserted behind a reader: ids are taken at insert but become visible at commit, so "after id 100"
// can miss a 99 committed later. The writing transaction's id closes that gap: once it is older than
// every transaction still running, no event with that or a smaller transaction id can appear any more.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE order_events ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id()`);
  await knex.raw(`CREATE INDEX order_events_position ON order_events (xid, id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP INDEX order_events_position`);
  await knex.raw(`ALTER TABLE order_events DROP COLUMN xid`);
}
