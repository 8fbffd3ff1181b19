import type { Knex } from 'knex';

// What a retail partner's implementation guide demands of our 856 and 810, kept as data on the
// partner's X12 settings (partner_x12.profile, the shape of domain/partner-profile.ts), and the two
// counters it needs:
// - sscc_serials: the last serial reference given per (extension digit, GS1 company prefix). An SSCC
//   must be unique for its prefix whoever it is for, so the counter is the prefix's, not a partner's
//   (two partners assigned from one prefix never get the same number).
// - invoice_numbers: a sequence, so that every invoice has a number of its own (it was `INV-<PO>`,
//   which two orders under one PO number shared). Unique, not gap-free: a rolled-back number is lost.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('partner_x12', (t) => {
    t.jsonb('profile');
  });
  await knex.schema.createTable('sscc_serials', (t) => {
    t.text('extension_digit').notNullable();
    t.text('company_prefix').notNullable();
    t.bigInteger('last').notNullable();
    t.primary(['extension_digit', 'company_prefix']);
  });
  await knex.raw('CREATE SEQUENCE invoice_numbers');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP SEQUENCE invoice_numbers');
  await knex.schema.dropTable('sscc_serials');
  await knex.schema.alterTable('partner_x12', (t) => {
    t.dropColumn('profile');
  });
}
