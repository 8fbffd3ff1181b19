import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Assignee } from '../../domain/approval.ts';
import type { ApprovalRecord, ApprovalTransaction, DecisionRecord, PersonRecord } from '../../pipeline/ports.ts';

// Approvals, their decisions and the people who make them, in the caller's transaction.

interface ApprovalRow {
  id: string;
  order_id: string;
  partner_id: string;
  status: ApprovalRecord['status'];
  reasons: ApprovalRecord['reasons'];
  levels: ApprovalRecord['levels'];
  current_level: number;
  level_started_at: Date;
  created_at: Date;
  decided_at: Date | null;
}

interface DecisionRow {
  level: number;
  person_id: string | null;
  person_name: string | null;
  provider: string | null;
  envelope_id: string | null;
  decision: DecisionRecord['decision'];
  comment: string | null;
  via: DecisionRecord['via'];
  created_at: Date;
}

export const approvalRecord = (row: ApprovalRow): ApprovalRecord => ({
  id: row.id,
  orderId: row.order_id,
  partnerId: row.partner_id,
  status: row.status,
  reasons: row.reasons,
  levels: row.levels,
  currentLevel: row.current_level,
  levelStartedAt: new Date(row.level_started_at).toISOString(),
  createdAt: new Date(row.created_at).toISOString(),
  decidedAt: row.decided_at === null ? null : new Date(row.decided_at).toISOString(),
});

export const decisionRecord = (row: DecisionRow): DecisionRecord => ({
  level: row.level,
  personId: row.person_id,
  personName: row.person_name,
  provider: row.provider,
  envelopeId: row.envelope_id,
  decision: row.decision,
  comment: row.comment,
  via: row.via,
  at: new Date(row.created_at).toISOString(),
});

export const personRecord = (row: {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  roles: string[];
}): PersonRecord => ({
  id: row.id,
  name: row.name,
  email: row.email,
  phone: row.phone,
  roles: row.roles,
});

const personColumns = ['id', 'name', 'email', 'phone', 'roles'] as const;

export async function decisionsOf(db: Knex | Knex.Transaction, approvalId: string): Promise<DecisionRecord[]> {
  const rows: DecisionRow[] = await db('approval_decisions as d')
    .leftJoin('people as p', 'p.id', 'd.person_id')
    .where({ 'd.approval_id': approvalId })
    .orderBy('d.id')
    .select('d.*', 'p.name as person_name');
  return rows.map(decisionRecord);
}

export function approvalStore(trx: Knex.Transaction): ApprovalTransaction {
  return {
    async insertApproval({ orderId, partnerId, reasons, levels }) {
      const [row] = await trx('approvals')
        .insert({
          id: randomUUID(),
          order_id: orderId,
          partner_id: partnerId,
          status: 'pending',
          reasons: JSON.stringify(reasons),
          levels: JSON.stringify(levels),
        })
        .returning('*');
      return approvalRecord(row as ApprovalRow);
    },

    async lockApproval(approvalId) {
      const row = await trx<ApprovalRow>('approvals').where({ id: approvalId }).forUpdate().first();
      return row === undefined ? undefined : approvalRecord(row);
    },

    approvalDecisions: (approvalId) => decisionsOf(trx, approvalId),

    async recordDecision(approvalId, decision) {
      const inserted = await trx('approval_decisions')
        .insert({
          approval_id: approvalId,
          level: decision.level,
          person_id: decision.personId,
          provider: decision.provider,
          envelope_id: decision.envelopeId,
          decision: decision.decision,
          comment: decision.comment,
          via: decision.via,
        })
        .onConflict()
        .ignore()
        .returning('id');
      return inserted.length > 0;
    },

    async updateApproval(approvalId, change) {
      await trx('approvals')
        .where({ id: approvalId })
        .update({
          ...(change.currentLevel === undefined ? {} : { current_level: change.currentLevel, level_started_at: trx.fn.now() }),
          ...(change.status === undefined ? {} : { status: change.status }),
          ...(change.decided === true ? { decided_at: trx.fn.now() } : {}),
        });
    },

    async person(personId) {
      const row = await trx('people').where({ id: personId }).first(personColumns);
      return row === undefined ? undefined : personRecord(row);
    },

    async peopleFor(assignees: readonly Assignee[]) {
      const roles = assignees.flatMap((a) => ('role' in a ? [a.role] : []));
      const ids = assignees.flatMap((a) => ('person' in a ? [a.person] : []));
      if (roles.length === 0 && ids.length === 0) return [];
      const rows = await trx('people')
        .where((q) => {
          if (ids.length > 0) q.orWhereIn('id', ids);
          if (roles.length > 0) q.orWhereRaw('roles && ?::text[]', [roles]);
        })
        .orderBy('id')
        .select(personColumns);
      return rows.map(personRecord);
    },

    async pendingApprovalOf(orderId) {
      const row = await trx<ApprovalRow>('approvals').where({ order_id: orderId, status: 'pending' }).forUpdate().first();
      return row === undefined ? undefined : approvalRecord(row);
    },

    async leaseSignatureLevels(now, leaseUntil, limit) {
      const rows: ApprovalRow[] = await trx('approvals')
        .where({ status: 'pending' })
        .whereRaw(`levels -> (current_level - 1) ->> 'method' = 'signature'`)
        .where((q) => q.whereNull('signature_lease_until').orWhere('signature_lease_until', '<=', now))
        .whereNotExists(
          trx('signature_envelopes').whereRaw(
            'signature_envelopes.approval_id = approvals.id AND signature_envelopes.level = approvals.current_level',
          ),
        )
        .orderBy('level_started_at')
        .limit(limit)
        .forUpdate()
        .skipLocked();
      if (rows.length > 0)
        await trx('approvals')
          .whereIn(
            'id',
            rows.map((row) => row.id),
          )
          .update({ signature_lease_until: leaseUntil });
      return rows.map(approvalRecord);
    },

    async holdSignatureLevel(approvalId, until) {
      await trx('approvals').where({ id: approvalId }).update({ signature_lease_until: until });
    },

    async signatureFailures(orderId, approvalId, level) {
      const row = await trx('order_events')
        .where({ order_id: orderId, cause: 'approval.signature-not-sent' })
        .whereRaw(`detail ->> 'approvalId' = ? AND (detail ->> 'level')::int = ?`, [approvalId, level])
        .count('* as n')
        .first();
      return Number(row?.n ?? 0);
    },

    async recordEscalation(approvalId, levels, level) {
      await trx('approvals')
        .where({ id: approvalId })
        .update({ levels: JSON.stringify(levels), escalated_level: level });
    },

    async partnerName(partnerId) {
      const row = await trx('partners').where({ id: partnerId }).first('name');
      return (row?.name as string | undefined) ?? partnerId;
    },
  };
}
