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

  it('reads the keys of requests that arrive together with one statement, and a key revoked before a request fails it', async () => {
    const made = await Promise.all(
      ['Batch A', 'Batch B'].map(async (name) => {
        const created = await createPartner(database.db, { name });
        if (!created.ok) throw new Error('not created');
        return { id: created.partner.id, key: (await createPartnerKey(database.db, created.partner.id)).key };
      }),
    );
    const [a, b] = made as [{ id: string; key: string }, { id: string; key: string }];
    const reads: string[] = [];
    const count = (query: { sql: string }) => {
      if (query.sql.includes('api_keys') && query.sql.toLowerCase().startsWith('select')) reads.push(query.sql);
    };
    database.db.on('query', count);
    try {
      const found = await Promise.all([a.key, b.key, 'unknown-key', a.key, b.key, a.key].map((key) => findPrincipal(database.db, key)));
      expect(found).toEqual([
        { role: 'partner', partnerId: a.id },
        { role: 'partner', partnerId: b.id },
        undefined,
        { role: 'partner', partnerId: a.id },
        { role: 'partner', partnerId: b.id },
        { role: 'partner', partnerId: a.id },
      ]);
      expect(reads).toHaveLength(1);
      await database.db('api_keys').where({ partner_id: a.id }).update({ revoked_at: database.db.fn.now() });
      expect(await findPrincipal(database.db, a.key)).toBeUndefined();
      expect(reads).toHaveLength(2);
    } finally {
      database.db.off('query', count);
    }
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
