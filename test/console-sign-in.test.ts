import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { adminKey, startTestApp, type TestApp } from './support/app.ts';
import { databaseKinds } from './support/databases.ts';

// Signing in to the console, from the browser's side: the cookies it gets, the forms it must carry
// a token in, what a session may do through the API, and how it ends.

const cookiesOf = (response: LightMyRequestResponse): Record<string, { value: string; raw: string }> =>
  Object.fromEntries(
    ([] as string[]).concat(response.headers['set-cookie'] ?? []).map((raw) => {
      const [pair = ''] = raw.split(';');
      const at = pair.indexOf('=');
      return [pair.slice(0, at), { value: pair.slice(at + 1), raw }];
    }),
  );

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

const formToken = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe.each(databaseKinds)('console sign-in on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => t.close());

  /** Signs in with a key as a browser would; the session cookie and the session's form token. */
  async function signIn(key: string): Promise<{ cookie: string; csrf: string; response: LightMyRequestResponse }> {
    const page = await t.request({ method: 'GET', url: '/console/sign-in' });
    const token = formToken(page.body);
    const response = await t.request({
      method: 'POST',
      url: '/console/sign-in',
      ...form({ _csrf: token, key, next: '' }),
      headers: { ...form({}).headers, cookie: `ordergate_sign_in=${cookiesOf(page).ordergate_sign_in?.value}` },
    });
    const session = cookiesOf(response).ordergate_session?.value ?? '';
    const home = await t.request({ method: 'GET', url: '/console', headers: { cookie: `ordergate_session=${session}` } });
    const landing = await t.request({
      method: 'GET',
      url: String(home.headers.location),
      headers: { cookie: `ordergate_session=${session}` },
    });
    return { cookie: `ordergate_session=${session}`, csrf: formToken(landing.body), response };
  }

  it('shows a labelled form with a token and sets its cookie SameSite=Strict, HttpOnly', async () => {
    const page = await t.request({ method: 'GET', url: '/console/sign-in' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toMatch(/<label for="key">/);
    expect(page.body).toMatch(/name="key"/);
    const cookie = cookiesOf(page).ordergate_sign_in;
    expect(cookie?.raw).toMatch(/HttpOnly/);
    expect(cookie?.raw).toMatch(/SameSite=Strict/);
    expect(cookie?.raw).not.toMatch(/Secure/);
    expect(formToken(page.body)).toBe(cookie?.value);
  });

  it('refuses a sign-in form without its token, and an unknown key', async () => {
    const forged = await t.request({ method: 'POST', url: '/console/sign-in', ...form({ key: adminKey }) });
    expect(forged.statusCode).toBe(403);
    expect(cookiesOf(forged).ordergate_session).toBeUndefined();
    const page = await t.request({ method: 'GET', url: '/console/sign-in' });
    const wrong = await t.request({
      method: 'POST',
      url: '/console/sign-in',
      ...form({ _csrf: formToken(page.body), key: 'no-such-key' }),
      headers: { ...form({}).headers, cookie: `ordergate_sign_in=${formToken(page.body)}` },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('unknown or revoked');
  });

  it('opens a session with a key: a Strict, HttpOnly cookie that the API takes for reading, and for changing only with the form token', async () => {
    const shop = await t.partner('Console shop');
    const { cookie, csrf, response } = await signIn(shop.key);
    expect(response.statusCode).toBe(303);
    const raw = cookiesOf(response).ordergate_session?.raw ?? '';
    expect(raw).toMatch(/HttpOnly/);
    expect(raw).toMatch(/SameSite=Strict/);
    expect(csrf).not.toBe('');
    const again = await t.request({ method: 'GET', url: '/console/sign-in?next=%2Fconsole%2Fwork', headers: { cookie } });
    expect([again.statusCode, again.headers.location]).toEqual([303, '/console/work']);

    const orders = await t.request({ method: 'GET', url: '/v1/orders', headers: { cookie } });
    expect(orders.statusCode).toBe(200);
    // A partner's session is a partner: the admin's operations stay closed to it.
    expect((await t.request({ method: 'GET', url: '/v1/partners', headers: { cookie } })).statusCode).toBe(403);

    const cancel = (headers: Record<string, string>) =>
      t.request({
        method: 'POST',
        url: '/v1/orders/00000000-0000-4000-8000-000000000000/cancel',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        payload: JSON.stringify({ reason: 'test' }),
      });
    const withoutToken = await cancel({});
    expect(withoutToken.statusCode).toBe(403);
    expect(withoutToken.json().detail).toContain('x-csrf-token');
    expect((await cancel({ 'x-csrf-token': 'wrong' })).statusCode).toBe(403);
    // With the token the request reaches the operation (no such order), not refused for who sent it.
    expect((await cancel({ 'x-csrf-token': csrf })).statusCode).toBe(404);
  });

  it('ends the session at sign-out, and when its key is revoked', async () => {
    const shop = await t.partner('Revoked shop');
    const first = await signIn(shop.key);
    const forgedOut = await t.request({
      method: 'POST',
      url: '/console/sign-out',
      ...form({}),
      headers: { ...form({}).headers, cookie: first.cookie },
    });
    expect(forgedOut.statusCode).toBe(403);
    const out = await t.request({
      method: 'POST',
      url: '/console/sign-out',
      ...form({ _csrf: first.csrf }),
      headers: { ...form({}).headers, cookie: first.cookie },
    });
    expect(out.statusCode).toBe(303);
    expect((await t.request({ method: 'GET', url: '/v1/orders', headers: { cookie: first.cookie } })).statusCode).toBe(401);

    const second = await signIn(shop.key);
    expect((await t.request({ method: 'GET', url: '/v1/orders', headers: { cookie: second.cookie } })).statusCode).toBe(200);
    const keys = await t.request({ method: 'GET', url: `/v1/partners/${shop.id}/api-keys`, key: adminKey });
    for (const key of keys.json().keys ?? keys.json())
      await t.request({ method: 'DELETE', url: `/v1/partners/${shop.id}/api-keys/${key.id}`, key: adminKey });
    expect((await t.request({ method: 'GET', url: '/v1/orders', headers: { cookie: second.cookie } })).statusCode).toBe(401);
    const page = await t.request({ method: 'GET', url: '/console/orders', headers: { cookie: second.cookie } });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/console/sign-in?next=%2Fconsole%2Forders');
  });

  it('clears sessions that have expired when someone signs in', async () => {
    const expired = { token_hash: 'f'.repeat(64), key_id: 'admin-env', csrf: 'x', created_at: new Date(0), expires_at: new Date(1000) };
    await t.database.db('console_sessions').insert(expired);
    await signIn(adminKey);
    expect(await t.database.db('console_sessions').where({ token_hash: expired.token_hash }).first()).toBeUndefined();
    expect((await t.database.db('console_sessions').count({ n: '*' }))[0]?.n).not.toBe(0);
  });

  it('refuses a vendor key', async () => {
    const vendor = await t.request({
      method: 'POST',
      url: '/v1/vendors',
      key: adminKey,
      payload: { id: 'console-vendor', name: 'Vendor', channel: 'mailbox' },
    });
    const issued = await t.request({ method: 'POST', url: `/v1/vendors/${vendor.json().id}/api-keys`, key: adminKey });
    const page = await t.request({ method: 'GET', url: '/console/sign-in' });
    const refused = await t.request({
      method: 'POST',
      url: '/console/sign-in',
      ...form({ _csrf: formToken(page.body), key: issued.json().key }),
      headers: { ...form({}).headers, cookie: `ordergate_sign_in=${formToken(page.body)}` },
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain('vendor API only');
  });

  it('sends a one-time link by e-mail to a known person, and says the same for an unknown address', async () => {
    const person = await t.request({
      method: 'POST',
      url: '/v1/people',
      key: adminKey,
      payload: { name: 'Olga', email: 'olga@example.com', roles: ['operations'] },
    });
    expect(person.statusCode).toBe(201);
    const ask = async (email: string) => {
      const page = await t.request({ method: 'GET', url: '/console/sign-in' });
      const token = formToken(page.body);
      return t.request({
        method: 'POST',
        url: '/console/sign-in/link',
        ...form({ _csrf: token, email }),
        headers: { ...form({}).headers, cookie: `ordergate_sign_in=${token}` },
      });
    };
    const known = await ask('OLGA@example.com');
    const unknown = await ask('nobody@example.com');
    expect(known.statusCode).toBe(200);
    expect(unknown.body.replace('nobody@example.com', 'X')).toBe(known.body.replace('OLGA@example.com', 'X'));
    const mails = await t.database.db('notifications').where({ person_id: person.json().id }).select('to', 'text');
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toBe('olga@example.com');
    const link = /http:\/\/localhost:8080(\/console\/sign-in\/link\/\S+)/.exec(mails[0].text)?.[1] ?? '';

    // Opening the link changes nothing (mail scanners open links); the button spends it, once.
    const opened = await t.request({ method: 'GET', url: link });
    expect(opened.statusCode).toBe(200);
    const token = formToken(opened.body);
    const use = () =>
      t.request({
        method: 'POST',
        url: link,
        ...form({ _csrf: token }),
        headers: { ...form({}).headers, cookie: `ordergate_sign_in=${token}` },
      });
    const used = await use();
    expect(used.statusCode).toBe(303);
    const cookie = `ordergate_session=${cookiesOf(used).ordergate_session?.value}`;
    const tasks = await t.request({ method: 'GET', url: '/v1/tasks?assignee=me', headers: { cookie } });
    expect(tasks.statusCode).toBe(200);
    expect((await use()).statusCode).toBe(410);

    // Anyone can ask for a link: at most three wait at once, so nobody can fill the person's mailbox.
    for (let i = 0; i < 5; i += 1) expect((await ask('olga@example.com')).statusCode).toBe(200);
    const sent = await t.database.db('notifications').where({ person_id: person.json().id }).count({ n: '*' });
    expect(Number(sent[0]?.n)).toBe(1 + 3);
  });
});
