import type { Knex } from 'knex';
import type { AckTargets, AcknowledgedDocument } from '../../pipeline/ports.ts';

// Outbound documents and the partner's acknowledgment of them: found by control id, verdict
// recorded, and marked overdue when the wait is over. Only documents stored with a due time
// (the 855/856/810 we send; never our own 997/999) take part.

const columns = ['id', 'partner_id', 'order_id', 'type', 'control', 'ack_state', 'ack_due_at'];

const toDocument = (row: Record<string, unknown>): AcknowledgedDocument => ({
  id: row.id as string,
  partnerId: row.partner_id as string,
  orderId: (row.order_id as string | null) ?? null,
  type: row.type as string,
  control: row.control as Record<string, string>,
  ackState: (row.ack_state as AcknowledgedDocument['ackState']) ?? null,
  ackDueAt: row.ack_due_at === null || row.ack_due_at === undefined ? null : new Date(row.ack_due_at as string),
});

export async function acknowledgedDocuments(
  trx: Knex.Transaction,
  partnerId: string,
  targets: AckTargets,
): Promise<AcknowledgedDocument[]> {
  const [key, values] =
    'gsControlNumbers' in targets ? ['gsControlNumber', targets.gsControlNumbers] : ['isaControlNumber', targets.isaControlNumbers];
  if (values.length === 0) return [];
  // One statement for a whole acknowledgment interchange, however many groups it answers.
  const rows = await trx('documents')
    .select(columns)
    .where({ partner_id: partnerId, direction: 'outbound', channel: 'x12' })
    .whereNotNull('ack_due_at')
    // Control numbers are compared as numbers: a partner may echo ISA13 without its leading zeros.
    .whereRaw(`ltrim(control->>?, '0') = ANY(?::text[])`, [key, [...new Set(values.map((value) => value.replace(/^0+/, '')))]])
    .orderBy('created_at')
    .forUpdate();
  return rows.map(toDocument);
}

export async function recordAcknowledgment(
  trx: Knex.Transaction,
  documentId: string,
  state: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await trx('documents')
    .where({ id: documentId })
    .update({ ack_state: state, ack_detail: JSON.stringify(detail), acked_at: trx.raw('clock_timestamp()') });
}

export async function markAcknowledgmentsOverdue(trx: Knex.Transaction, now: Date, limit: number): Promise<AcknowledgedDocument[]> {
  const result = await trx.raw(
    `UPDATE documents SET ack_state = 'overdue'
     WHERE id IN (SELECT id FROM documents WHERE ack_state IS NULL AND ack_due_at IS NOT NULL AND ack_due_at <= ?
                  ORDER BY ack_due_at LIMIT ? FOR UPDATE SKIP LOCKED)
     RETURNING ${columns.join(', ')}`,
    [now, limit],
  );
  return (result.rows as Record<string, unknown>[]).map(toDocument);
}
