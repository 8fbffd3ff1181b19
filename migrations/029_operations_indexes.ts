import type { Knex } from 'knex';

// The operations console reads the webhook delivery log across partners, newest first: all of it,
// by state (its overview counts the failed ones) and by subscription. The partner's own reads have
// had their index since 004; these are the admin's, so that those pages stay a short index read
// however long the log grows.

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (created_at, id)');
  await knex.raw('CREATE INDEX webhook_deliveries_state_recent ON webhook_deliveries (state, created_at, id)');
  await knex.raw('CREATE INDEX webhook_deliveries_subscription_recent ON webhook_deliveries (subscription_id, created_at, id)');
}

export async function down(knex: Knex): Promise<void> {
  for (const index of ['webhook_deliveries_subscription_recent', 'webhook_deliveries_state_recent', 'webhook_deliveries_recent'])
    await knex.raw(`DROP INDEX ${index}`);
}
