import type { Knex } from 'knex';

// A partner's acknowledgment of each outbound X12 document: when it is due, the verdict (accepted,
// accepted-with-errors, rejected, or overdue when it never came), what the 997/999/TA1 said and
// when. Only the documents still waiting are indexed by their due time, for the overdue job.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('documents', (t) => {
    t.text('ack_state');
    t.jsonb('ack_detail');
    t.timestamp('acked_at', { useTz: true });
    t.timestamp('ack_due_at', { useTz: true });
  });
  await knex.raw(
    `ALTER TABLE documents ADD CONSTRAINT documents_ack_state_check CHECK (ack_state IN ('accepted', 'accepted-with-errors', 'rejected', 'overdue'))`,
  );
  await knex.raw(`CREATE INDEX documents_ack_due ON documents (ack_due_at) WHERE ack_state IS NULL AND ack_due_at IS NOT NULL`);
  // Acknowledgments find our documents by the partner and GS06 (or ISA13).
  await knex.raw(`CREATE INDEX documents_ack_group ON documents (partner_id, (control->>'gsControlNumber')) WHERE ack_due_at IS NOT NULL`);
  await knex.raw(
    `CREATE INDEX documents_ack_interchange ON documents (partner_id, (control->>'isaControlNumber')) WHERE ack_due_at IS NOT NULL`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX documents_ack_interchange');
  await knex.raw('DROP INDEX documents_ack_group');
  await knex.raw('DROP INDEX documents_ack_due');
  await knex.raw('ALTER TABLE documents DROP CONSTRAINT documents_ack_state_check');
  await knex.schema.alterTable('documents', (t) => {
    t.dropColumn('ack_due_at');
    t.dropColumn('acked_at');
    t.dropColumn('ack_detail');
    t.dropColumn('ack_state');
  });
}
