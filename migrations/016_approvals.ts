import type { Knex } from 'knex';

// Approvals: people who decide (with their roles and their own API keys), one approval per order
// that a policy caught (its reasons, its levels, the level deciding now), and every decision made
// on it, by whom and how.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('people', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('email');
    t.text('phone');
    t.specificType('roles', 'text[]').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // Who holds a role is asked at every level start and every decision.
  await knex.raw('CREATE INDEX people_roles ON people USING gin (roles)');

  // A person's key sees their approvals and decides them.
  await knex.raw('ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check');
  await knex.raw(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'partner', 'vendor', 'person'))`);
  await knex.schema.alterTable('api_keys', (t) => {
    t.text('person_id').references('people.id');
  });

  await knex.schema.createTable('approvals', (t) => {
    t.text('id').primary();
    t.text('order_id').notNullable().references('orders.id').index();
    t.text('partner_id').notNullable().references('partners.id');
    t.text('status').notNullable().checkIn(['pending', 'approved', 'rejected', 'cancelled']);
    t.jsonb('reasons').notNullable();
    t.jsonb('levels').notNullable();
    // The level deciding now (1-based); the last one decided when the approval is over.
    t.integer('current_level').notNullable().defaultTo(1);
    t.timestamp('level_started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // The last level escalated (0: none): a level escalates once, when its SLA runs out.
    t.integer('escalated_level').notNullable().defaultTo(0);
    // A signature level's request is sent after commit by a job; this leases it to one sender.
    t.timestamp('signature_lease_until', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('decided_at', { useTz: true });
    t.index(['status', 'current_level']);
  });

  await knex.schema.createTable('approval_decisions', (t) => {
    t.increments('id').primary();
    t.text('approval_id').notNullable().references('approvals.id');
    t.integer('level').notNullable();
    t.text('person_id').references('people.id');
    t.text('provider');
    t.text('envelope_id');
    t.text('decision').notNullable().checkIn(['approve', 'reject']);
    t.text('comment');
    t.text('via').notNullable().checkIn(['api', 'link', 'signature']);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // A person decides a level once; so does a signature envelope.
    t.unique(['approval_id', 'level', 'person_id']);
    t.unique(['approval_id', 'level', 'envelope_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('approval_decisions');
  await knex.schema.dropTable('approvals');
  await knex.schema.alterTable('api_keys', (t) => {
    t.dropColumn('person_id');
  });
  await knex.raw('ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check');
  await knex.raw(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'partner', 'vendor'))`);
  await knex.schema.dropTable('people');
}
