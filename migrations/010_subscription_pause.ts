import type { Knex } from 'knex';

// A webhook subscription can be paused: its events still become deliveries, which wait (pending)
// until it is resumed, so pausing loses nothing.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhook_subscriptions', (t) => {
    t.timestamp('paused_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('webhook_subscriptions', (t) => {
    t.dropColumn('paused_at');
  });
}
