import type { Knex } from 'knex';

// Signature levels: each envelope (DocuSign) or agreement (Acrobat Sign) sent for an approval
// level, and every callback event received for one, so that the same event twice changes nothing.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('signature_envelopes', (t) => {
    t.text('provider').notNullable().checkIn(['docusign', 'acrobat-sign']);
    t.text('envelope_id').notNullable();
    t.text('approval_id').notNullable().references('approvals.id');
    t.integer('level').notNullable();
    t.text('status').notNullable().checkIn(['sent', 'approved', 'rejected']);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Ids are the provider's: unique within it, not across them.
    t.primary(['provider', 'envelope_id']);
    t.index(['approval_id', 'level']);
  });
  await knex.schema.createTable('signature_events', (t) => {
    t.text('provider').notNullable();
    t.text('event_id').notNullable();
    t.text('envelope_id').notNullable();
    t.text('outcome').notNullable().checkIn(['approved', 'rejected', 'pending']);
    t.text('detail').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['provider', 'event_id']);
    t.foreign(['provider', 'envelope_id']).references(['provider', 'envelope_id']).inTable('signature_envelopes');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('signature_events');
  await knex.schema.dropTable('signature_envelopes');
}
