import type { Knex } from 'knex';

// The console lists documents newest first (GET /v1/documents?sort=newest), all of them for the
// admin and one partner's otherwise; partners poll their mailbox oldest first. Both orders read
// these indexes forwards or backwards and stop after a page, however large the table grows. An X12
// interchange holds orders without being any one order's document: its orders are found by the
// events that name it (the list shows each interchange's first few).

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX documents_stored ON documents (created_at, id)');
  await knex.raw('CREATE INDEX documents_partner_stored ON documents (partner_id, created_at, id)');
  await knex.raw(
    `CREATE INDEX order_events_document ON order_events ((detail ->> 'documentId'), order_id) WHERE (detail ->> 'documentId') IS NOT NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX order_events_document');
  await knex.raw('DROP INDEX documents_partner_stored');
  await knex.raw('DROP INDEX documents_stored');
}
