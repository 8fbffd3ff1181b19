import type { Knex } from 'knex';

// The order's timeline reads its documents by order, and the answers (997/999, TA1) to its inbound
// interchange by the document they answer: documents is the largest table, so both are indexed.

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX documents_order ON documents (order_id) WHERE order_id IS NOT NULL');
  await knex.raw(
    `CREATE INDEX documents_answers ON documents ((control ->> 'inboundDocumentId')) WHERE (control ->> 'inboundDocumentId') IS NOT NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX documents_answers');
  await knex.raw('DROP INDEX documents_order');
}
