import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database } from './connect.ts';

export interface Partner {
  id: string;
  name: string;
  createdAt: string;
}

export type Principal = { role: 'admin'; partnerId: null } | { role: 'partner'; partnerId: string };

/** Keys are 256 random bits, so a plain SHA-256 is enough to store them safely and look them up by hash. */
export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

export const newApiKey = (prefix: 'oga' | 'ogp'): string => `${prefix}_${randomBytes(32).toString('base64url')}`;

const toPartner = (row: { id: string; name: string; created_at: Date }): Partner => ({ id: row.id, name: row.name, createdAt: new Date(row.created_at).toISOString() });

export async function createPartner(db: Database, name: string): Promise<Partner> {
  const [row] = await db('partners').insert({ id: randomUUID(), name }).returning(['id', 'name', 'created_at']);
  return toPartner(row);
}

export async function getPartner(db: Database, id: string): Promise<Partner | undefined> {
  const row = await db('partners').where({ id }).first();
  return row === undefined ? undefined : toPartner(row);
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
