import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { TotalMismatchSetting } from '../../domain/approval-policy.ts';
import type { PartnerDeadline } from '../../domain/partner-deadlines.ts';
import { readKey } from './key-reads.ts';
import { totalMismatchOf } from './approval-facts.ts';
import type { Database } from './connect.ts';
import {
  getPartnerCxml,
  getPartnerX12,
  insertCxml,
  insertX12,
  pairsOf,
  pairTakenAt,
  type NewCxml,
  type NewX12,
  type PartnerCxml,
  type PartnerX12,
  type SecretSealer,
} from './partner-identities.ts';

export interface Partner {
  id: string;
  name: string;
  createdAt: string;
  x12?: PartnerX12;
  cxml?: PartnerCxml;
  /** What happens to an order whose items do not resolve (pipeline UnresolvedItemsPolicy). */
  unresolvedItems: 'hold' | 'reject';
  /** Approval policies' auto-approval rules may let a trusted partner's orders through. */
  trusted: boolean;
  /** Approval policies' overCreditLimit compares the partner's open orders with it. */
  creditLimit?: CreditLimit;
  /** What a stated total that does not match the lines comes to (domain/stated-total.ts). */
  totalMismatch: TotalMismatchSetting;
  /** The partner's clocks on our documents, each a timer on its orders (pipeline/deadlines.ts). */
  deadlines: PartnerDeadline[];
}

export interface CreditLimit {
  amount: number;
  currency: string;
}

/** The partner's columns for the approval facts (017), as partners rows carry them. */
export interface ApprovalColumns {
  trusted?: boolean;
  credit_limit?: string | null;
  credit_limit_currency?: string | null;
  total_mismatch?: string;
}

export const approvalFields = (row: ApprovalColumns): Pick<Partner, 'trusted' | 'creditLimit' | 'totalMismatch'> => ({
  trusted: row.trusted === true,
  totalMismatch: totalMismatchOf(row.total_mismatch),
  ...(row.credit_limit === null ||
  row.credit_limit === undefined ||
  row.credit_limit_currency === null ||
  row.credit_limit_currency === undefined
    ? {}
    : { creditLimit: { amount: Number(row.credit_limit), currency: row.credit_limit_currency } }),
});

/** A vendor's key has no partner: it reaches only the vendor operations, which read vendorId. */
export type Principal =
  | { role: 'admin'; partnerId: null }
  | { role: 'partner'; partnerId: string }
  | { role: 'vendor'; partnerId: null; vendorId: string }
  | { role: 'person'; partnerId: null; personId: string };

/** Keys are 256 random bits, so a plain SHA-256 is enough to store them safely and look them up by hash. */
export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export const newApiKey = (prefix: 'oga' | 'ogp' | 'ogv' | 'ogh'): string => `${prefix}_${randomBytes(32).toString('base64url')}`;

const toPartner = (
  row: {
    id: string;
    name: string;
    created_at: Date;
    settings?: { unresolvedItems?: string } | null;
    deadlines?: PartnerDeadline[] | null;
  } & ApprovalColumns,
): Partner => ({
  id: row.id,
  name: row.name,
  createdAt: new Date(row.created_at).toISOString(),
  unresolvedItems: row.settings?.unresolvedItems === 'reject' ? 'reject' : 'hold',
  ...approvalFields(row),
  deadlines: row.deadlines ?? [],
});

export type NewPartner = {
  name: string;
  x12?: NewX12;
  cxml?: NewCxml;
  trusted?: boolean;
  creditLimit?: CreditLimit;
  totalMismatch?: TotalMismatchSetting;
  deadlines?: PartnerDeadline[];
};

/**
 * A partner, or the identity that already belongs to another partner: for X12, the index of the
 * first of its pairs another partner holds (undefined when two registrations raced for it).
 */
export type PartnerCreation = { ok: true; partner: Partner } | { ok: false; taken: 'x12' | 'cxml'; pairIndex?: number };

const uniqueViolation = (error: unknown): boolean => (error as { code?: string }).code === '23505';

/** `sealer` seals our cXML shared secret, when the partnership's credential of ours is given. */
export async function createPartner(db: Database, partner: NewPartner, sealer?: SecretSealer): Promise<PartnerCreation> {
  try {
    return await db.transaction(async (trx): Promise<PartnerCreation> => {
      const { x12, cxml } = partner;
      const pairIndex = x12 === undefined ? undefined : await pairTakenAt(trx, null, pairsOf(x12));
      if (pairIndex !== undefined) return { ok: false, taken: 'x12', pairIndex };
      if (
        cxml !== undefined &&
        (await trx('partner_cxml')
          .whereRaw('lower(from_domain) = lower(?)', [cxml.fromDomain])
          .andWhere({ from_identity: cxml.fromIdentity })
          .first()) !== undefined
      ) {
        return { ok: false, taken: 'cxml' };
      }
      const [row] = await trx('partners')
        .insert({
          id: randomUUID(),
          name: partner.name,
          trusted: partner.trusted ?? false,
          total_mismatch: partner.totalMismatch ?? 'hold',
          credit_limit: partner.creditLimit?.amount ?? null,
          credit_limit_currency: partner.creditLimit?.currency ?? null,
          deadlines: JSON.stringify(partner.deadlines ?? []),
        })
        .returning(['id', 'name', 'created_at', 'trusted', 'credit_limit', 'credit_limit_currency', 'total_mismatch', 'deadlines']);
      const created = toPartner(row);
      return {
        ok: true,
        partner: {
          ...created,
          ...(x12 === undefined ? {} : { x12: await insertX12(trx, created.id, x12) }),
          ...(cxml === undefined ? {} : { cxml: await insertCxml(trx, created.id, cxml, sealer) }),
        },
      };
    });
  } catch (error) {
    // Two partners registered with one identity at the same moment: the loser hears it was taken.
    if (uniqueViolation(error))
      return { ok: false, taken: String((error as { constraint?: string }).constraint).includes('cxml') ? 'cxml' : 'x12' };
    throw error;
  }
}

export async function getPartner(db: Database, id: string): Promise<Partner | undefined> {
  const row = await db('partners').where({ id }).first();
  if (row === undefined) return undefined;
  const [x12, cxml] = await Promise.all([getPartnerX12(db, id), getPartnerCxml(db, id)]);
  return { ...toPartner(row), ...(x12 === undefined ? {} : { x12 }), ...(cxml === undefined ? {} : { cxml }) };
}

export async function createPartnerKey(db: Database, partnerId: string): Promise<{ id: string; key: string }> {
  const key = newApiKey('ogp');
  const id = randomUUID();
  await db('api_keys').insert({ id, partner_id: partnerId, role: 'partner', key_hash: hashKey(key), key_prefix: key.slice(0, 8) });
  return { id, key };
}

export const findPrincipal = (db: Database, key: string): Promise<Principal | undefined> => findPrincipalByHash(db, hashKey(key));

/**
 * The principal of a key that is not revoked: one indexed lookup (key_hash is unique), made on every
 * request so that a revocation holds at once on every instance. Its last use is written at most
 * once a minute.
 */
export async function findPrincipalByHash(db: Database, keyHash: string): Promise<Principal | undefined> {
  const row = await readKey(db, keyHash);
  if (row === undefined) return undefined;
  if (row.role === 'vendor') return { role: 'vendor', partnerId: null, vendorId: row.vendor_id as string };
  if (row.role === 'person') return { role: 'person', partnerId: null, personId: row.person_id as string };
  return row.role === 'admin' ? { role: 'admin', partnerId: null } : { role: 'partner', partnerId: row.partner_id as string };
}

/**
 * Makes sure exactly the configured admin key works. A key from the environment replaces any
 * generated one; without one, the first start generates a key and returns it so it can be shown once.
 */
export async function ensureAdminKey(db: Database, configured: string | undefined): Promise<{ generated?: string }> {
  const [active, inactive] = configured === undefined ? ['admin-generated', 'admin-env'] : ['admin-env', 'admin-generated'];
  await db('api_keys').where({ id: inactive }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
  const key = configured ?? newApiKey('oga');
  if (configured === undefined) {
    const existing = await db('api_keys').where({ id: active }).whereNull('revoked_at').first('id');
    if (existing !== undefined) return {};
  }
  await db('api_keys')
    .insert({ id: active, role: 'admin', key_hash: hashKey(key), key_prefix: key.slice(0, 8) })
    .onConflict('id')
    .merge({ key_hash: hashKey(key), key_prefix: key.slice(0, 8), revoked_at: null });
  return configured === undefined ? { generated: key } : {};
}
