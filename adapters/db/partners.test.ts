import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../../test/support/databases.ts';
import { createPartner, createPartnerKey, ensureAdminKey, findPrincipal, hashKey } from './partners.ts';

describe.each(databaseKinds)('partners and keys on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => database?.drop());

  it('stores only the hash of a partner key and finds the partner by it', async () => {
    const created = await createPartner(database.db, { name: 'Acme' });
    if (!created.ok) throw new Error('not created');
    const { partner } = created;
    const { key } = await createPartnerKey(database.db, partner.id);
    const rows = await database.db('api_keys').where({ partner_id: partner.id });
    expect(rows).toHaveLength(1);
    expect(rows[0].key_hash).toBe(hashKey(key));
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(await findPrincipal(database.db, key)).toEqual({ role: 'partner', partnerId: partner.id });
    expect(await findPrincipal(database.db, `${key}x`)).toBeUndefined();
  });

  it('generates an admin key once, and lets a configured key replace it', async () => {
    const first = await ensureAdminKey(database.db, undefined);
    expect(first.generated).toMatch(/^oga_/);
    expect(await ensureAdminKey(database.db, undefined)).toEqual({});
    expect(await findPrincipal(database.db, first.generated as string)).toEqual({ role: 'admin', partnerId: null });

    const configured = 'configured-admin-key-0123456789';
    await ensureAdminKey(database.db, configured);
    expect(await findPrincipal(database.db, configured)).toEqual({ role: 'admin', partnerId: null });
    expect(await findPrincipal(database.db, first.generated as string)).toBeUndefined();

    // Without the variable again, the configured key stops working and a new one is generated.
    const again = await ensureAdminKey(database.db, undefined);
    expect(again.generated).toMatch(/^oga_/);
    expect(await findPrincipal(database.db, configured)).toBeUndefined();
  });
});
