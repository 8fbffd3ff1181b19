import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // One X12 identity per partner; an ISA sender (qualifier + id) belongs to exactly one partner.
  await knex.schema.createTable('partner_x12', (t) => {
    t.text('partner_id').primary().references('partners.id');
    t.text('qualifier').notNullable();
    t.text('identifier').notNullable();
    t.text('our_qualifier').notNullable();
    t.text('our_identifier').notNullable();
    t.text('version').notNullable();
    t.text('map').notNullable();
    t.text('endpoint_url');
    t.unique(['qualifier', 'identifier']);
  });

  // Outbound control numbers: taken by UPDATE ... RETURNING inside the sending transaction, so a
  // rollback gives the number back and the sequence per partner has no gaps.
  await knex.schema.createTable('control_numbers', (t) => {
    t.text('partner_id').notNullable().references('partners.id');
    t.text('kind').notNullable();
    t.bigInteger('last').notNullable().defaultTo(0);
    t.primary(['partner_id', 'kind']);
  });

  await knex.schema.alterTable('documents', (t) => {
    t.jsonb('findings');
    t.text('delivery_state');
    t.integer('delivery_attempts').notNullable().defaultTo(0);
    t.text('last_delivery_error');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('documents', (t) => {
    t.dropColumn('findings');
    t.dropColumn('delivery_state');
    t.dropColumn('delivery_attempts');
    t.dropColumn('last_delivery_error');
  });
  await knex.schema.dropTable('control_numbers');
  await knex.schema.dropTable('partner_x12');
}
