import type { Knex } from 'knex';

// Approvals by mail and SMS: the links a person decides with (single use: `used_at` is set by the
// POST that decides), and every message the gateway keeps, sends, or could not send.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('approval_links', (t) => {
    /** The token's id (in its signed payload), or the SMS short id: the row is looked up by either. */
    t.text('id').primary();
    t.text('approval_id').notNullable().references('approvals.id');
    t.text('order_id').notNullable().references('orders.id');
    t.text('person_id').notNullable().references('people.id');
    /** Bound by the signed token; null for the SMS short link, whose page offers both. */
    t.text('decision').checkIn(['approve', 'reject']);
    t.integer('level').notNullable();
    /** What the person was sent (domain/approval.ts ApprovalSummary): the page shows the same. */
    t.jsonb('summary').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['approval_id']);
  });

  await knex.schema.createTable('notifications', (t) => {
    t.text('id').primary();
    t.text('order_id').notNullable().references('orders.id');
    t.text('approval_id').notNullable().references('approvals.id');
    t.text('person_id').notNullable().references('people.id');
    t.text('channel').notNullable().checkIn(['email', 'sms']);
    t.text('to').notNullable();
    t.text('subject');
    t.text('text').notNullable();
    t.text('html');
    t.jsonb('links').notNullable();
    t.text('state').notNullable().defaultTo('pending').checkIn(['pending', 'sent', 'failed', 'not-sent']);
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true });
    t.index(['order_id']);
  });
  // The sender's claim reads only what is waiting.
  await knex.raw(`CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state = 'pending'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('notifications');
  await knex.schema.dropTable('approval_links');
}
