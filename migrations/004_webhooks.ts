import type { Knex } from 'knex';

// Webhooks in (sources a partner's shop signs with) and out (subscriptions, and every delivery
// with its attempts). Secrets are sealed with AES-256-GCM, not hashed: checking or making an HMAC
// needs the secret itself.

export async function up(knex: Knex): Promise<void> {
  // A shop platform (or any Standard Webhooks sender) that posts orders for a partner. Sources
  // named by a header (Shopify: the shop domain) have an account; others are found by their id,
  // which is in the URL they post to.
  await knex.schema.createTable('webhook_sources', (t) => {
    t.text('id').primary();
    t.text('partner_id').notNullable().references('partners.id');
    t.text('kind').notNullable();
    t.text('account');
    t.text('map').notNullable();
    t.text('secret_sealed').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['kind', 'account']);
  });

  await knex.schema.createTable('webhook_subscriptions', (t) => {
    t.text('id').primary();
    t.text('partner_id').notNullable().references('partners.id');
    t.text('url').notNullable();
    t.jsonb('event_types').notNullable();
    t.text('secret_sealed').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['partner_id']);
  });

  await knex.schema.createTable('webhook_deliveries', (t) => {
    // Also the webhook-id the receiver sees: the same on every attempt, so it can drop repeats.
    t.text('id').primary();
    t.text('subscription_id').notNullable().references('webhook_subscriptions.id');
    t.text('partner_id').notNullable().references('partners.id');
    t.text('event_type').notNullable();
    t.text('outbox_message_id').notNullable();
    t.jsonb('payload').notNullable();
    t.text('state').notNullable().defaultTo('pending').checkIn(['pending', 'delivered', 'failed']);
    t.integer('attempts').notNullable().defaultTo(0);
    // How many back-off steps this delivery has used; past the last one a failure is final.
    t.integer('schedule_step').notNullable().defaultTo(0);
    t.integer('last_status_code');
    t.text('last_error');
    t.jsonb('attempt_log').notNullable().defaultTo('[]');
    t.timestamp('next_attempt_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('delivered_at', { useTz: true });
    // One delivery per event and subscription, however often the fan-out runs.
    t.unique(['subscription_id', 'outbox_message_id']);
    t.index(['partner_id', 'created_at', 'id']);
  });
  await knex.raw(`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE state = 'pending'`);

  // Which outbox events have been turned into deliveries. A mark per row rather than a position:
  // outbox ids can commit out of order, and a position would skip the late one. Events from
  // before this migration are marked done, so that a new subscription is not sent the past.
  await knex.schema.alterTable('outbox', (t) => {
    t.timestamp('webhooks_fanned_out_at', { useTz: true });
  });
  await knex('outbox').update({ webhooks_fanned_out_at: knex.fn.now() });
  await knex.raw(`CREATE INDEX outbox_webhooks_due ON outbox (id) WHERE webhooks_fanned_out_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX outbox_webhooks_due');
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('webhooks_fanned_out_at');
  });
  await knex.schema.dropTable('webhook_deliveries');
  await knex.schema.dropTable('webhook_subscriptions');
  await knex.schema.dropTable('webhook_sources');
}
