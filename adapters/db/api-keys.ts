import type { Database } from './connect.ts';

// API keys as an operator sees them: which exist, when each was last used, and revocation. The
// key itself is shown once when issued; only its hash is stored, and neither is ever listed.

/** Whose keys: a partner's, a vendor's or a person's. */
export type KeyOwner = { partnerId: string } | { vendorId: string } | { personId: string };

export interface ApiKeyView {
  id: string;
  role: 'admin' | 'partner' | 'vendor' | 'person';
  /** The key's first characters (its kind and a few more): enough to tell keys apart, far too few to use. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface KeyRow {
  id: string;
  role: ApiKeyView['role'];
  key_prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const iso = (value: Date | null): string | null => (value === null ? null : new Date(value).toISOString());

const ownerColumns = (owner: KeyOwner): Record<string, string> =>
  'partnerId' in owner
    ? { partner_id: owner.partnerId }
    : 'vendorId' in owner
      ? { vendor_id: owner.vendorId }
      : { person_id: owner.personId };

/** Every key of the owner, revoked ones included, oldest first. */
export async function listApiKeys(db: Database, owner: KeyOwner): Promise<ApiKeyView[]> {
  const rows = await db<KeyRow>('api_keys')
    .where(ownerColumns(owner))
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .select('id', 'role', 'key_prefix', 'created_at', 'last_used_at', 'revoked_at');
  return rows.map((row) => ({
    id: row.id,
    role: row.role,
    prefix: row.key_prefix,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  }));
}

/**
 * Revokes the owner's key; false when the owner has no such key. Revoking a revoked key changes
 * nothing. Keys are looked up in the database on every request, so the next request with it fails.
 */
export async function revokeApiKey(db: Database, owner: KeyOwner, keyId: string): Promise<boolean> {
  const row = await db('api_keys')
    .where({ id: keyId, ...ownerColumns(owner) })
    .first('revoked_at');
  if (row === undefined) return false;
  if (row.revoked_at === null) await db('api_keys').where({ id: keyId }).whereNull('revoked_at').update({ revoked_at: db.fn.now() });
  return true;
}

/** How stale a key's last use may be before a request writes it again: keeps writes off the hot path. */
export const lastUseResolutionSeconds = 60;

/** Notes that the key was used now, unless that was already noted within the last minute. */
export async function noteKeyUsed(db: Database, keyId: string, lastUsedAt: Date | null): Promise<void> {
  if (lastUsedAt !== null && Date.now() - new Date(lastUsedAt).getTime() < lastUseResolutionSeconds * 1000) return;
  await db('api_keys')
    .where({ id: keyId })
    .andWhere((q) => q.whereNull('last_used_at').orWhereRaw(`last_used_at < now() - make_interval(secs => ?)`, [lastUseResolutionSeconds]))
    .update({ last_used_at: db.fn.now() });
}
