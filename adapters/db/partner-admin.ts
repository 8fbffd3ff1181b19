import type { Knex } from 'knex';
import type { PartnerDeadline } from '../../domain/partner-deadlines.ts';
import type { X12Profile } from '../../domain/partner-profile.ts';
import type { Database } from './connect.ts';
import {
  getPartnerCxml,
  getPartnerX12,
  identitiesOf,
  pairTakenAt,
  saveCxml,
  saveX12,
  type NewOurCredential,
  type PartnerCxml,
  type SecretSealer,
  type PartnerX12,
  type X12Pair,
} from './partner-identities.ts';
import type { TotalMismatchSetting } from '../../domain/approval-policy.ts';
import { approvalFields, getPartner, type CreditLimit, type Partner } from './partners.ts';

// Partners as the admin manages them: listed and searched, and changed after registration.

export interface PartnerFilter {
  /** Part of the name (any case), or an X12 sender id (any of the partner's) or cXML From identity exactly. */
  q?: string;
  limit: number;
  cursor?: { createdAt: string; id: string };
}

interface PartnerRow {
  id: string;
  name: string;
  created_at: Date;
  created_at_exact: string;
  settings: { unresolvedItems?: string } | null;
  trusted: boolean;
  credit_limit: string | null;
  credit_limit_currency: string | null;
  total_mismatch: string;
  deadlines: PartnerDeadline[];
}

const likeEscaped = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Oldest registration first, so that paging forward never skips a partner registered meanwhile. */
export async function listPartners(
  db: Database,
  filter: PartnerFilter,
): Promise<{ partners: Partner[]; next?: { createdAt: string; id: string } }> {
  const query = db('partners').select(
    'id',
    'name',
    'created_at',
    'settings',
    'trusted',
    'credit_limit',
    'credit_limit_currency',
    'total_mismatch',
    'deadlines',
    db.raw(`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact`),
  );
  const { q } = filter;
  if (q !== undefined) {
    query.where((where) =>
      where
        .whereRaw(`name ILIKE ? ESCAPE '\\'`, [`%${likeEscaped(q)}%`])
        .orWhereIn('id', db('partner_x12_identities').select('partner_id').where({ identifier: q }))
        .orWhereIn('id', db('partner_cxml').select('partner_id').whereRaw('lower(from_identity) = lower(?)', [q])),
    );
  }
  if (filter.cursor !== undefined) query.whereRaw('(created_at, id) > (?::timestamptz, ?)', [filter.cursor.createdAt, filter.cursor.id]);
  const rows = (await query.orderBy([{ column: 'created_at' }, { column: 'id' }]).limit(filter.limit + 1)) as PartnerRow[];
  const page = rows.slice(0, filter.limit);
  const identities = await identitiesOf(
    db,
    page.map((row) => row.id),
  );
  const partners = page.map((row) => ({
    id: row.id,
    name: row.name,
    createdAt: new Date(row.created_at).toISOString(),
    unresolvedItems: row.settings?.unresolvedItems === 'reject' ? ('reject' as const) : ('hold' as const),
    ...approvalFields(row),
    deadlines: row.deadlines,
    ...identities.get(row.id),
  }));
  const last = page.at(-1);
  return rows.length > filter.limit && last !== undefined
    ? { partners, next: { createdAt: last.created_at_exact, id: last.id } }
    : { partners };
}

/**
 * A change to a partner: each field given replaces the stored one; a URL set to null is removed.
 * X12 `identities` replaces the whole list; the fields of one pair given flat change the partner's
 * only pair (the single-identity shape), which a partner with several pairs refuses.
 */
export interface PartnerPatch {
  name?: string;
  unresolvedItems?: 'hold' | 'reject';
  trusted?: boolean;
  /** null removes it. */
  creditLimit?: CreditLimit | null;
  totalMismatch?: TotalMismatchSetting;
  /** Replaces the partner's deadlines whole; [] removes them. */
  deadlines?: PartnerDeadline[];
  x12?: Partial<X12Pair> & {
    identities?: X12Pair[];
    version?: string;
    map?: string;
    endpointUrl?: string | null;
    /** Replaces the stored profile whole; null removes it. */
    profile?: X12Profile | null;
  };
  cxml?: Partial<Omit<PartnerCxml, 'confirmationUrl' | 'ourCredential'>> & {
    sharedSecret?: string;
    confirmationUrl?: string | null;
    /** Replaces ours whole (the secret with it); null removes it. */
    ourCredential?: NewOurCredential | null;
  };
}

export type PartnerUpdate =
  | { ok: true; partner: Partner }
  | { ok: false; reason: 'not-found' }
  /** Another partner holds the identity (for X12 pairs given as a list, the index of the first one taken). */
  | { ok: false; reason: 'taken'; identity: 'x12' | 'cxml'; pairIndex?: number }
  /** The partner had no such identity, and the change does not give every field a new one needs. */
  | { ok: false; reason: 'incomplete'; identity: 'x12' | 'cxml'; missing: string[] }
  /** One pair given flat, to a partner with several: which one it means is unknown. */
  | { ok: false; reason: 'ambiguous'; identity: 'x12'; pairs: number };

const pairFields = ['qualifier', 'id', 'ourQualifier', 'ourId'] as const;
const cxmlRequired = ['fromDomain', 'fromIdentity', 'sharedSecret'] as const;

/** Present fields of `patch` over `base`, a null in one of `nullable` removing it. */
function merged<T extends object>(base: T | undefined, patch: object, ...nullable: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null && nullable.includes(field)) delete out[field];
    else out[field] = value;
  }
  return out;
}

const missingOf = (fields: Record<string, unknown>, required: readonly string[]): string[] =>
  required.filter((f) => fields[f] === undefined);

class Refused extends Error {
  constructor(readonly update: PartnerUpdate) {
    super('partner update refused');
  }
}

/** The pairs the partner has after the change: the list given, or its one pair with the flat fields laid over it. */
function pairsAfter(existing: PartnerX12 | undefined, patch: NonNullable<PartnerPatch['x12']>): X12Pair[] {
  if (patch.identities !== undefined) return patch.identities;
  const flat = pairFields.filter((f) => patch[f] !== undefined);
  const pairs = existing?.identities ?? [];
  if (flat.length === 0) {
    if (pairs.length === 0) throw new Refused({ ok: false, reason: 'incomplete', identity: 'x12', missing: ['identities'] });
    return pairs;
  }
  if (pairs.length > 1) throw new Refused({ ok: false, reason: 'ambiguous', identity: 'x12', pairs: pairs.length });
  const fields = merged(pairs[0], patch);
  const missing = missingOf(fields, pairFields);
  if (missing.length > 0) throw new Refused({ ok: false, reason: 'incomplete', identity: 'x12', missing });
  return [
    { qualifier: String(fields.qualifier), id: String(fields.id), ourQualifier: String(fields.ourQualifier), ourId: String(fields.ourId) },
  ];
}

async function changeX12(trx: Knex.Transaction, partnerId: string, patch: NonNullable<PartnerPatch['x12']>): Promise<void> {
  const existing = await getPartnerX12(trx, partnerId);
  const identities = pairsAfter(existing, patch);
  const pairIndex = await pairTakenAt(trx, partnerId, identities);
  if (pairIndex !== undefined)
    throw new Refused({ ok: false, reason: 'taken', identity: 'x12', ...(patch.identities === undefined ? {} : { pairIndex }) });
  const { identities: _pairs, ...settings } = existing ?? {};
  const fields = merged(
    settings,
    { version: patch.version, map: patch.map, endpointUrl: patch.endpointUrl, profile: patch.profile },
    'endpointUrl',
    'profile',
  );
  await saveX12(trx, partnerId, { ...(fields as Pick<PartnerX12, 'version' | 'map' | 'endpointUrl' | 'profile'>), identities });
}

async function changeCxml(
  trx: Knex.Transaction,
  partnerId: string,
  patch: NonNullable<PartnerPatch['cxml']>,
  sealer: SecretSealer | undefined,
): Promise<void> {
  const existing = await getPartnerCxml(trx, partnerId);
  // Ours is set apart: it is replaced whole or kept, never merged field by field.
  const { ourCredential: _shown, ...theirsBefore } = existing ?? {};
  const { ourCredential, ...theirs } = patch;
  const fields = merged(theirsBefore, theirs, 'confirmationUrl');
  const missing = missingOf(fields, existing === undefined ? cxmlRequired : []);
  if (missing.length > 0) throw new Refused({ ok: false, reason: 'incomplete', identity: 'cxml', missing });
  const holder = await trx('partner_cxml')
    .whereRaw('lower(from_domain) = lower(?)', [String(fields.fromDomain)])
    .andWhere({ from_identity: String(fields.fromIdentity) })
    .whereNot({ partner_id: partnerId })
    .first('partner_id');
  if (holder !== undefined) throw new Refused({ ok: false, reason: 'taken', identity: 'cxml' });
  await saveCxml(
    trx,
    partnerId,
    {
      ...(fields as unknown as Omit<PartnerCxml, 'ourCredential'> & { sharedSecret?: string }),
      ...(ourCredential === undefined ? {} : { ourCredential }),
    },
    sealer,
  );
}

/** The partner's own columns the patch changes: approval facts (017) and deadlines (022). */
function approvalPatch(patch: PartnerPatch): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  if (patch.trusted !== undefined) columns.trusted = patch.trusted;
  if (patch.totalMismatch !== undefined) columns.total_mismatch = patch.totalMismatch;
  // Orders already stored keep the timers they were given; the new deadlines time the orders to come.
  if (patch.deadlines !== undefined) columns.deadlines = JSON.stringify(patch.deadlines);
  if (patch.creditLimit !== undefined) {
    columns.credit_limit = patch.creditLimit?.amount ?? null;
    columns.credit_limit_currency = patch.creditLimit?.currency ?? null;
  }
  return columns;
}

const uniqueViolation = (error: unknown): boolean => (error as { code?: string }).code === '23505';

/** Applies the change in one transaction, the partner's row locked, or says why it cannot. */
export async function updatePartner(db: Database, id: string, patch: PartnerPatch, sealer?: SecretSealer): Promise<PartnerUpdate> {
  try {
    await db.transaction(async (trx) => {
      const row = await trx('partners').where({ id }).forUpdate().first('id');
      if (row === undefined) throw new Refused({ ok: false, reason: 'not-found' });
      if (patch.name !== undefined) await trx('partners').where({ id }).update({ name: patch.name });
      if (patch.unresolvedItems !== undefined)
        await trx('partners')
          .where({ id })
          .update({ settings: trx.raw(`settings || ?::jsonb`, [JSON.stringify({ unresolvedItems: patch.unresolvedItems })]) });
      const approval = approvalPatch(patch);
      if (Object.keys(approval).length > 0) await trx('partners').where({ id }).update(approval);
      if (patch.x12 !== undefined) await changeX12(trx, id, patch.x12);
      if (patch.cxml !== undefined) await changeCxml(trx, id, patch.cxml, sealer);
    });
  } catch (error) {
    if (error instanceof Refused) return error.update;
    // Another partner took the identity at the same moment: it was taken.
    if (uniqueViolation(error))
      return {
        ok: false,
        reason: 'taken',
        identity: String((error as { constraint?: string }).constraint).includes('cxml') ? 'cxml' : 'x12',
      };
    throw error;
  }
  const partner = await getPartner(db, id);
  if (partner === undefined) return { ok: false, reason: 'not-found' };
  return { ok: true, partner };
}
