import type { Knex } from 'knex';
import type { SignatureProvider } from '../../domain/approval.ts';

// Envelopes sent for signature levels, and the callback events heard about them. An event is
// claimed before it is acted on, so that a repeat (a provider retry, a replay) finds it taken.

export interface SignatureEnvelope {
  provider: SignatureProvider;
  envelopeId: string;
  approvalId: string;
  level: number;
  status: 'sent' | 'approved' | 'rejected';
}

export async function recordSignatureEnvelope(db: Knex, envelope: Omit<SignatureEnvelope, 'status'>): Promise<void> {
  await db('signature_envelopes').insert({
    provider: envelope.provider,
    envelope_id: envelope.envelopeId,
    approval_id: envelope.approvalId,
    level: envelope.level,
    status: 'sent',
  });
}

export async function findSignatureEnvelope(
  db: Knex,
  provider: SignatureProvider,
  envelopeId: string,
): Promise<(SignatureEnvelope & { approvalPending: boolean; currentLevel: number }) | undefined> {
  const row = await db('signature_envelopes as e')
    .join('approvals as a', 'a.id', 'e.approval_id')
    .where({ 'e.provider': provider, 'e.envelope_id': envelopeId })
    .first('e.provider', 'e.envelope_id', 'e.approval_id', 'e.level', 'e.status', 'a.status as approval_status', 'a.current_level');
  if (row === undefined) return undefined;
  return {
    provider: row.provider,
    envelopeId: row.envelope_id,
    approvalId: row.approval_id,
    level: row.level,
    status: row.status,
    approvalPending: row.approval_status === 'pending',
    currentLevel: row.current_level,
  };
}

/** True when this call recorded the event; false when it had been recorded already. */
export async function claimSignatureEvent(
  db: Knex,
  event: { provider: SignatureProvider; eventId: string; envelopeId: string; outcome: string; detail: string },
): Promise<boolean> {
  const inserted = await db('signature_events')
    .insert({
      provider: event.provider,
      event_id: event.eventId,
      envelope_id: event.envelopeId,
      outcome: event.outcome,
      detail: event.detail,
    })
    .onConflict(['provider', 'event_id'])
    .ignore()
    .returning('event_id');
  return inserted.length === 1;
}

/** Gives an event back when acting on it failed, so that the provider's retry is heard. */
export async function releaseSignatureEvent(db: Knex, provider: SignatureProvider, eventId: string): Promise<void> {
  await db('signature_events').where({ provider, event_id: eventId }).delete();
}

export async function settleSignatureEnvelope(
  db: Knex,
  provider: SignatureProvider,
  envelopeId: string,
  status: 'approved' | 'rejected',
): Promise<void> {
  await db('signature_envelopes').where({ provider, envelope_id: envelopeId }).update({ status, updated_at: db.fn.now() });
}
