import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database } from './connect.ts';

export interface PartnerX12 {
  qualifier: string;
  id: string;
  ourQualifier: string;
  ourId: string;
  version: string;
  map: string;
  endpointUrl?: string;
}

export interface Partner {
  id: string;
  name: string;
  createdAt: string;
  x12?: PartnerX12;
}

export type Principal = { role: 'admin'; partnerId: null } | { role: 'partner'; partnerId: string };

/** Keys are 256 random bits, so a plain SHA-256 is enough to store them safely and look them up by hash. */
export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export const newApiKey = (prefix: 'oga' | 'ogp'): string => `${prefix}_${randomBytes(32).toString('base64url')}`;

const toPartner = (row: { id: string; name: string; created_at: Date }): Partner => ({ id: row.id, name: row.name, createdAt: new Date(row.created_at).toISOString() });

interface X12Row {
  partner_id: string;
  qualifier: string;
  identifier: string;
  our_qualifier: string;
  our_identifier: string;
  version: string;
  map: string;
  endpoint_url: string | null;
}

const toX12 = (row: X12Row): PartnerX12 => ({
  qualifier: row.qualifier,
  id: row.identifier,
  ourQualifier: row.our_qualifier,
  ourId: row.our_identifier,
  version: row.version,
  map: row.map,
  ...(row.endpoint_url === null ? {} : { endpointUrl: row.endpoint_url }),
});

export type NewPartner = { name: string; x12?: Omit<PartnerX12, 'version' | 'map'> & Partial<Pick<PartnerX12, 'version' | 'map'>> };

const uniqueViolation = (error: unknown): boolean => (error as { code?: string }).code === '23505';

/** Undefined when the X12 identity already belongs to another partner. */
export async function createPartner(db: Database, partner: NewPartner): Promise<Partner | undefined> {
  try {
    return await db.transaction(async (trx) => {
      const [row] = await trx('partners').insert({ id: randomUUID(), name: partner.name }).returning(['id', 'name', 'created_at']);
      const created = toPartner(row);
      if (partner.x12 === undefined) return created;
      const { qualifier, id, ourQualifier, ourId, version, map, endpointUrl } = partner.x12;
      const x12Row: X12Row = { partner_id: created.id, qualifier, identifier: id, our_qualifier: ourQualifier, our_identifier: ourId, version: version ?? '004010', map: map ?? 'default', endpoint_url: endpointUrl ?? null };
      await trx('partner_x12').insert(x12Row);
      return { ...created, x12: toX12(x12Row) };
    });
  } catch (error) {
    if (uniqueViolation(error)) return undefined;
    throw error;
  }
}

export async function getPartnerX12(db: Database, partnerId: string): Promise<PartnerX12 | undefined> {
  const row = await db<X12Row>('partner_x12').where({ partner_id: partnerId }).first();
  return row === undefined ? undefined : toX12(row);
}

export async function getPartner(db: Database, id: string): Promise<Partner | undefined> {
  const row = await db('partners').where({ id }).first();
  if (row === undefined) return undefined;
  const x12 = await getPartnerX12(db, id);
  return { ...toPartner(row), ...(x12 === undefined ? {} : { x12 }) };
}

export async function createPartnerKey(db: Database, partnerId: string): Promise<{ id: string; key: string }> {
  const key = newApiKey('ogp');
  const id = randomUUID();
  await db('api_keys').insert({ id, partner_id: partnerId, role: 'partner', key_hash: hashKey(key), key_prefix: key.slice(0, 8) });
  return { id, key };
}

export async function findPrincipal(db: Database, key: string): Promise<Principal | undefined> {
  const row = await db('api_keys').where({ key_hash: hashKey(key) }).whereNull('revoked_at').first('role', 'partner_id');
  if (row === undefined) return undefined;
  return row.role === 'admin' ? { role: 'admin', partnerId: null } : { role: 'partner', partnerId: row.partner_id };
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
