import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // A cXML sender (From credential domain + identity) belongs to one partner. The shared secret is
  // kept only as a salted hash: each request carries it in clear, so a hash is enough to compare.
  await knex.schema.createTable('partner_cxml', (t) => {
    t.text('partner_id').primary().references('partners.id');
    t.text('from_domain').notNullable();
    t.text('from_identity').notNullable();
    t.text('secret_salt').notNullable();
    t.text('secret_hash').notNullable();
    t.text('confirmation_url');
    t.unique(['from_domain', 'from_identity']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('partner_cxml');
}
