import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, sampleOrder, startTestApp, type TestApp } from '../test/support/app.ts';

const bundle = readFileSync(new URL('../adapters/x12/fixtures/850-bundle.x12', import.meta.url), 'utf8');
const x12 = (id: string, more: object = {}) => ({ qualifier: 'ZZ', id, ourQualifier: 'ZZ', ourId: 'ORDERGATE', ...more });
const cxml = (identity: string, more: object = {}) => ({
  fromDomain: 'NetworkID',
  fromIdentity: identity,
  sharedSecret: 'secret-0001',
  ...more,
});

describe('partner lifecycle', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('postgres');
  });
  afterAll(async () => t?.close());

  const admin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.request({ method, url, key: adminKey, ...(payload === undefined ? {} : { payload }) });
  const register = async (body: object) => {
    const res = await admin('POST', '/v1/partners', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; name: string };
  };

  describe('GET /v1/partners', () => {
    it('pages with the cursor, searches by name, X12 id and cXML identity, and never shows a secret', async () => {
      const made = [
        await register({ name: 'Paging Alpha Supply', x12: x12('PAGEALPHA') }),
        await register({ name: 'Paging Beta Wholesale', cxml: cxml('beta@paging.example') }),
        await register({ name: 'paging gamma', x12: x12('PAGEGAMMA'), cxml: cxml('gamma@paging.example') }),
      ];
      const seen: { id: string; name: string }[] = [];
      let url = '/v1/partners?q=PAGING&limit=2';
      for (let pages = 0; pages < 5; pages += 1) {
        const res = await admin('GET', url);
        expect(res.statusCode, res.body).toBe(200);
        const page = res.json() as { partners: { id: string; name: string }[]; nextCursor?: string };
        expect(page.partners.length).toBeLessThanOrEqual(2);
        seen.push(...page.partners);
        if (page.nextCursor === undefined) break;
        url = `/v1/partners?q=PAGING&limit=2&cursor=${page.nextCursor}`;
      }
      expect(seen.map((p) => p.id)).toEqual(made.map((p) => p.id));
      const gamma = seen[2] as Record<string, unknown>;
      expect(gamma.x12).toEqual({
        identities: [{ qualifier: 'ZZ', id: 'PAGEGAMMA', ourQualifier: 'ZZ', ourId: 'ORDERGATE' }],
        map: 'default',
        version: '004010',
      });
      expect(gamma.cxml).toEqual({ fromDomain: 'NetworkID', fromIdentity: 'gamma@paging.example' });
      expect(JSON.stringify(seen)).not.toContain('secret-0001');

      const byX12 = (await admin('GET', '/v1/partners?q=PAGEALPHA')).json();
      expect(byX12.partners.map((p: { id: string }) => p.id)).toEqual([made[0]?.id]);
      const byCxml = (await admin('GET', '/v1/partners?q=BETA@paging.example')).json();
      expect(byCxml.partners.map((p: { id: string }) => p.id)).toEqual([made[1]?.id]);
      // A LIKE wildcard in q is a character to find, not a pattern.
      expect((await admin('GET', '/v1/partners?q=%25')).json().partners).toEqual([]);
    });

    it('refuses a cursor it did not issue, and partner keys', async () => {
      const bad = await admin('GET', '/v1/partners?cursor=not-a-cursor');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('invalid-cursor');
      const partner = await t.partner('Nosy');
      expect((await t.request({ method: 'GET', url: '/v1/partners', key: partner.key })).statusCode).toBe(403);
    });
  });

  describe('PATCH /v1/partners/{id}', () => {
    it('changes the name and identity fields, and removes a URL set to null', async () => {
      const { id } = await register({ name: 'Patchable', x12: x12('PATCHME', { endpointUrl: 'https://edi.example/in' }) });
      const res = await admin('PATCH', `/v1/partners/${id}`, {
        name: 'Patched',
        x12: { id: 'PATCHED', map: 'known-parties', endpointUrl: null },
        cxml: cxml('patched@example'),
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        id,
        name: 'Patched',
        x12: { identities: [{ qualifier: 'ZZ', id: 'PATCHED', ourQualifier: 'ZZ', ourId: 'ORDERGATE' }], map: 'known-parties' },
        cxml: { fromDomain: 'NetworkID', fromIdentity: 'patched@example' },
      });
      expect(res.json().x12.endpointUrl).toBeUndefined();
      expect((await admin('GET', `/v1/partners/${id}`)).json()).toEqual(res.json());
    });

    it('keeps the unresolved-items policy when a change does not name it (a default used to be filled in)', async () => {
      const { id } = await register({ name: 'Strict Items', x12: x12('STRICTITEMS') });
      expect((await admin('PATCH', `/v1/partners/${id}`, { unresolvedItems: 'reject' })).json().unresolvedItems).toBe('reject');
      expect((await admin('PATCH', `/v1/partners/${id}`, { name: 'Strict Items Inc' })).json().unresolvedItems).toBe('reject');
      const pairs = [{ qualifier: 'ZZ', id: 'STRICTITEMS', ourQualifier: 'ZZ', ourId: 'ORDERGATE' }];
      expect((await admin('PATCH', `/v1/partners/${id}`, { x12: { identities: pairs } })).json().unresolvedItems).toBe('reject');
      expect((await admin('GET', `/v1/partners/${id}`)).json()).toMatchObject({ name: 'Strict Items Inc', unresolvedItems: 'reject' });
    });

    it('stores a new shared secret salted and hashed, and keeps the old one when none is sent', async () => {
      const { id } = await register({ name: 'Secretive', cxml: cxml('secretive@example') });
      const before = await t.database.db('partner_cxml').where({ partner_id: id }).first();
      await admin('PATCH', `/v1/partners/${id}`, { cxml: { confirmationUrl: 'https://buyer.example/cxml' } });
      expect(await t.database.db('partner_cxml').where({ partner_id: id }).first()).toMatchObject({
        secret_hash: before.secret_hash,
        confirmation_url: 'https://buyer.example/cxml',
      });
      const res = await admin('PATCH', `/v1/partners/${id}`, { cxml: { sharedSecret: 'a-new-secret-2' } });
      expect(res.statusCode).toBe(200);
      const after = await t.database.db('partner_cxml').where({ partner_id: id }).first();
      expect(after.secret_hash).not.toBe(before.secret_hash);
      expect(after.secret_salt).not.toBe(before.secret_salt);
      expect(JSON.stringify(after)).not.toContain('a-new-secret-2');
      expect(res.body).not.toContain('a-new-secret-2');
    });

    it('answers 409 identity-in-use for an identity another partner holds, 400 for an incomplete new one, 404 for no partner', async () => {
      await register({ name: 'Holder', x12: x12('HELDX12'), cxml: cxml('held@example') });
      const { id } = await register({ name: 'Wanter', x12: x12('WANTER') });
      const takenX12 = await admin('PATCH', `/v1/partners/${id}`, { x12: { id: 'HELDX12' } });
      expect(takenX12.statusCode).toBe(409);
      expect(takenX12.json()).toMatchObject({ code: 'identity-in-use', errors: [{ pointer: '/x12/id' }] });
      const takenCxml = await admin('PATCH', `/v1/partners/${id}`, { cxml: cxml('held@example', { fromDomain: 'networkid' }) });
      expect(takenCxml.statusCode).toBe(409);
      expect(takenCxml.json()).toMatchObject({ code: 'identity-in-use', errors: [{ pointer: '/cxml/fromIdentity' }] });
      // Its own identity, sent again, is no conflict.
      expect((await admin('PATCH', `/v1/partners/${id}`, { x12: { id: 'WANTER', version: '005010' } })).statusCode).toBe(200);

      const incomplete = await admin('PATCH', `/v1/partners/${id}`, { cxml: { fromDomain: 'DUNS' } });
      expect(incomplete.statusCode).toBe(400);
      expect(incomplete.json()).toMatchObject({ code: 'invalid-request' });
      expect(incomplete.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/cxml/fromIdentity', '/cxml/sharedSecret']);
      const unchanged = (await admin('GET', `/v1/partners/${id}`)).json();
      expect(unchanged).toMatchObject({ name: 'Wanter', x12: { identities: [{ id: 'WANTER' }], version: '005010' } });
      expect(unchanged.cxml).toBeUndefined();

      const missing = await admin('PATCH', '/v1/partners/00000000-0000-4000-8000-000000000000', { name: 'Nobody' });
      expect(missing.statusCode).toBe(404);
      expect((await admin('PATCH', `/v1/partners/${id}`, {})).statusCode).toBe(400);
    });

    it('refuses an X12 map that does not exist at registration and at patch (it was a 500 at the first interchange)', async () => {
      const refused = await admin('POST', '/v1/partners', { name: 'Mapless', x12: x12('MAPLESS', { map: 'no-such-map' }) });
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'invalid-request', errors: [{ in: 'body', pointer: '/x12/map' }] });
      expect((await admin('GET', '/v1/partners?q=Mapless')).json().partners).toEqual([]);

      const { id } = await register({ name: 'Mapped', x12: x12('ACMEBUYER') });
      const patched = await admin('PATCH', `/v1/partners/${id}`, { x12: { map: 'no-such-map' } });
      expect(patched.statusCode).toBe(400);
      expect(patched.json()).toMatchObject({ code: 'invalid-request', errors: [{ pointer: '/x12/map' }] });

      // The partner keeps a working map: its first interchange is acknowledged, not a 500.
      const key = (await admin('POST', `/v1/partners/${id}/api-keys`)).json().key as string;
      const sent = await t.request({
        method: 'POST',
        url: '/v1/x12',
        key,
        headers: { 'content-type': 'application/edi-x12' },
        payload: bundle,
      });
      expect(sent.statusCode).toBe(200);
    });
  });

  describe('API keys', () => {
    it('lists a partner key with its creation and last use, never the key or its hash', async () => {
      const partner = await t.partner('Keyed');
      const before = (await admin('GET', `/v1/partners/${partner.id}/api-keys`)).json();
      expect(before.keys).toEqual([
        {
          id: expect.any(String),
          role: 'partner',
          prefix: partner.key.slice(0, 8),
          createdAt: expect.any(String),
          lastUsedAt: null,
          revokedAt: null,
        },
      ]);

      expect((await t.request({ method: 'GET', url: '/v1/orders', key: partner.key })).statusCode).toBe(200);
      const res = await admin('GET', `/v1/partners/${partner.id}/api-keys`);
      expect(res.statusCode).toBe(200);
      const [key] = res.json().keys;
      expect(Date.parse(key.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(key.createdAt));
      const { key_hash } = await t.database.db('api_keys').where({ id: key.id }).first('key_hash');
      expect(res.body).not.toContain(partner.key);
      expect(res.body).not.toContain(partner.key.slice(4, 16));
      expect(res.body).not.toContain(key_hash);
      expect((await admin('GET', '/v1/partners/00000000-0000-4000-8000-000000000000/api-keys')).statusCode).toBe(404);
    });

    it('writes a key’s last use at most once a minute', async () => {
      const partner = await t.partner('Busy');
      const [{ id }] = await t.database.db('api_keys').where({ partner_id: partner.id }).select('id');
      await t.request({ method: 'GET', url: '/v1/orders', key: partner.key });
      const first = (await t.database.db('api_keys').where({ id }).first('last_used_at')).last_used_at as Date;
      await t.request({ method: 'GET', url: '/v1/orders', key: partner.key });
      expect((await t.database.db('api_keys').where({ id }).first('last_used_at')).last_used_at).toEqual(first);
      // A minute later (the stored use moved back), the next request writes it again.
      await t.database
        .db('api_keys')
        .where({ id })
        .update({ last_used_at: t.database.db.raw(`now() - interval '61 seconds'`) });
      await t.request({ method: 'GET', url: '/v1/orders', key: partner.key });
      const again = (await t.database.db('api_keys').where({ id }).first('last_used_at')).last_used_at as Date;
      expect(again.getTime()).toBeGreaterThanOrEqual(first.getTime());
    });

    it('revokes a partner key: the very next request with it is 401, while its other key works', async () => {
      const partner = await t.partner('Revoked');
      const second = (await admin('POST', `/v1/partners/${partner.id}/api-keys`)).json() as { id: string; key: string };
      const use = (key: string) =>
        t.request({
          method: 'POST',
          url: '/v1/orders',
          key,
          headers: { 'idempotency-key': `revoke-${key.slice(-6)}` },
          payload: sampleOrder,
        });
      expect((await use(partner.key)).statusCode).toBe(201); // the key was just seen: anything remembered would remember it now
      const [{ id: firstId }] = await t.database.db('api_keys').where({ partner_id: partner.id }).whereNot({ id: second.id }).select('id');

      const revoked = await admin('DELETE', `/v1/partners/${partner.id}/api-keys/${firstId}`);
      expect(revoked.statusCode).toBe(204);
      expect(revoked.body).toBe('');
      const next = await t.request({ method: 'GET', url: '/v1/orders', key: partner.key });
      expect(next.statusCode).toBe(401);
      expect(next.json().code).toBe('unauthorized');
      expect((await t.request({ method: 'GET', url: '/v1/orders', key: second.key })).statusCode).toBe(200);

      const keys = (await admin('GET', `/v1/partners/${partner.id}/api-keys`)).json().keys as { id: string; revokedAt: string | null }[];
      expect(keys.find((k) => k.id === firstId)?.revokedAt).toEqual(expect.any(String));
      expect(keys.find((k) => k.id === second.id)?.revokedAt).toBeNull();
      // Again: nothing changes; another partner's key, or none: 404.
      expect((await admin('DELETE', `/v1/partners/${partner.id}/api-keys/${firstId}`)).statusCode).toBe(204);
      const other = await t.partner('Other');
      expect((await admin('DELETE', `/v1/partners/${other.id}/api-keys/${second.id}`)).statusCode).toBe(404);
      expect((await t.request({ method: 'GET', url: '/v1/orders', key: second.key })).statusCode).toBe(200);
    });

    it('lists and revokes vendor keys the same way', async () => {
      const created = await admin('POST', '/v1/vendors', { id: 'keyed-vendor', name: 'Keyed Vendor', channel: 'mailbox' });
      expect(created.statusCode).toBe(201);
      const { apiKey } = created.json() as { apiKey: string };
      const pull = () => t.request({ method: 'GET', url: '/v1/vendor/tasks', key: apiKey });
      expect((await pull()).statusCode).toBe(200);

      const listed = await admin('GET', '/v1/vendors/keyed-vendor/api-keys');
      expect(listed.statusCode).toBe(200);
      const [key] = listed.json().keys;
      expect(key).toMatchObject({ role: 'vendor', lastUsedAt: expect.any(String), revokedAt: null });
      expect(listed.body).not.toContain(apiKey);

      expect((await admin('DELETE', `/v1/vendors/keyed-vendor/api-keys/${key.id}`)).statusCode).toBe(204);
      expect((await pull()).statusCode).toBe(401);
      expect((await admin('GET', '/v1/vendors/no-such-vendor/api-keys')).statusCode).toBe(404);
      expect((await admin('DELETE', `/v1/vendors/no-such-vendor/api-keys/${key.id}`)).statusCode).toBe(404);
    });

    it('issues another vendor key, shown once: it works beside the first, is listed without itself, and revoked alone', async () => {
      const created = await admin('POST', '/v1/vendors', { id: 'rekeyed-vendor', name: 'Rekeyed Vendor', channel: 'mailbox' });
      const first = (created.json() as { apiKey: string }).apiKey;

      const issued = await admin('POST', '/v1/vendors/rekeyed-vendor/api-keys');
      expect(issued.statusCode).toBe(201);
      expect(issued.headers['cache-control']).toBe('no-store');
      const second = issued.json() as { id: string; vendorId: string; key: string };
      expect(second).toEqual({ id: expect.any(String), vendorId: 'rekeyed-vendor', key: expect.stringMatching(/^ogv_/) });
      expect(second.key).not.toBe(first);
      // Only its hash is stored.
      const stored = await t.database.db('api_keys').where({ id: second.id }).first('key_hash', 'role', 'vendor_id');
      expect(stored).toMatchObject({ role: 'vendor', vendor_id: 'rekeyed-vendor' });
      expect(JSON.stringify(stored)).not.toContain(second.key);

      const pull = (key: string) => t.request({ method: 'GET', url: '/v1/vendor/tasks', key });
      expect((await pull(second.key)).statusCode).toBe(200);
      expect((await pull(first)).statusCode).toBe(200);
      // The vendor's key acts for the vendor, not for anyone else.
      expect((await t.request({ method: 'GET', url: '/v1/vendor/tasks?vendorId=keyed-vendor', key: second.key })).statusCode).toBe(403);

      const listed = await admin('GET', '/v1/vendors/rekeyed-vendor/api-keys');
      const keys = listed.json().keys as { id: string; role: string; lastUsedAt: string | null; revokedAt: string | null }[];
      expect(keys).toHaveLength(2);
      expect(keys.find((k) => k.id === second.id)).toMatchObject({ role: 'vendor', lastUsedAt: expect.any(String), revokedAt: null });
      expect(listed.body).not.toContain(second.key);
      expect(listed.body).not.toContain(stored.key_hash);

      expect((await admin('DELETE', `/v1/vendors/rekeyed-vendor/api-keys/${second.id}`)).statusCode).toBe(204);
      expect((await pull(second.key)).statusCode).toBe(401);
      expect((await pull(first)).statusCode).toBe(200);

      expect((await admin('POST', '/v1/vendors/no-such-vendor/api-keys')).statusCode).toBe(404);
      const partner = await t.partner('Not An Admin');
      expect((await t.request({ method: 'POST', url: '/v1/vendors/rekeyed-vendor/api-keys', key: partner.key })).statusCode).toBe(403);
      expect((await t.request({ method: 'POST', url: '/v1/vendors/rekeyed-vendor/api-keys', key: first })).statusCode).toBe(403);
    });
  });
});
