import { randomUUID } from 'node:crypto';
import type { ApprovalStatus } from '../../domain/approval.ts';
import type { ApprovalRecord, DecisionRecord, PersonRecord } from '../../pipeline/ports.ts';
import { approvalRecord, decisionsOf, personRecord } from './approval-store.ts';
import type { Database } from './connect.ts';
import { hashKey, newApiKey } from './partners.ts';

// People who decide approvals, their keys, and the approvals as the API shows them.

export interface NewPerson {
  name: string;
  email?: string;
  phone?: string;
  roles: string[];
}

export async function createPerson(db: Database, person: NewPerson): Promise<PersonRecord> {
  const [row] = await db('people')
    .insert({ id: randomUUID(), name: person.name, email: person.email ?? null, phone: person.phone ?? null, roles: person.roles })
    .returning(['id', 'name', 'email', 'phone', 'roles']);
  return personRecord(row);
}

export async function personHasRole(db: Database, personId: string, role: string): Promise<boolean> {
  return (await db('people').where({ id: personId }).whereRaw('? = ANY (roles)', [role]).first('id')) !== undefined;
}

export async function listPeople(db: Database): Promise<PersonRecord[]> {
  const rows = await db('people').orderBy(['name', 'id']).select('id', 'name', 'email', 'phone', 'roles');
  return rows.map(personRecord);
}

export async function personExists(db: Database, personId: string): Promise<boolean> {
  return (await db('people').where({ id: personId }).first('id')) !== undefined;
}

/** A new key for the person, shown once; undefined when there is no such person. */
export async function createPersonKey(db: Database, personId: string): Promise<{ id: string; key: string } | undefined> {
  if ((await db('people').where({ id: personId }).first('id')) === undefined) return undefined;
  const key = newApiKey('ogh');
  const id = randomUUID();
  await db('api_keys').insert({ id, person_id: personId, role: 'person', key_hash: hashKey(key), key_prefix: key.slice(0, 8) });
  return { id, key };
}

export type ApprovalView = Omit<ApprovalRecord, 'levelStartedAt'> & { decisions: DecisionRecord[] };

async function withDecisions(db: Database, records: ApprovalRecord[]): Promise<ApprovalView[]> {
  const views: ApprovalView[] = [];
  for (const { levelStartedAt: _started, ...record } of records) views.push({ ...record, decisions: await decisionsOf(db, record.id) });
  return views;
}

/**
 * Approvals, newest first: those whose current level asks `personId` (by id, or by one of the
 * person's roles) when given, else all.
 */
export async function listApprovals(
  db: Database,
  filter: { personId?: string; status?: ApprovalStatus; limit: number },
): Promise<ApprovalView[]> {
  const query = db('approvals').orderBy([
    { column: 'created_at', order: 'desc' },
    { column: 'id', order: 'desc' },
  ]);
  if (filter.status !== undefined) query.where({ status: filter.status });
  if (filter.personId !== undefined) {
    // The current level's assignees: a {"person": id}, or a {"role": r} the person holds.
    query.whereRaw(
      `EXISTS (
         SELECT 1 FROM jsonb_array_elements(levels -> (current_level - 1) -> 'assignees') a, people p
         WHERE p.id = ? AND (a ->> 'person' = p.id OR a ->> 'role' = ANY (p.roles)))`,
      [filter.personId],
    );
  }
  const rows = await query.limit(filter.limit);
  return withDecisions(db, rows.map(approvalRecord));
}

export async function getApproval(db: Database, approvalId: string): Promise<ApprovalView | undefined> {
  const row = await db('approvals').where({ id: approvalId }).first();
  return row === undefined ? undefined : (await withDecisions(db, [approvalRecord(row)]))[0];
}

/** The order's approvals; undefined when the order does not exist or belongs to another partner than `partnerId` (null: anyone's). */
export async function approvalsOfOrder(db: Database, orderId: string, partnerId: string | null): Promise<ApprovalView[] | undefined> {
  const order = await db('orders').where({ id: orderId }).first('partner_id');
  if (order === undefined || (partnerId !== null && order.partner_id !== partnerId)) return undefined;
  const rows = await db('approvals').where({ order_id: orderId }).orderBy('created_at');
  return withDecisions(db, rows.map(approvalRecord));
}
