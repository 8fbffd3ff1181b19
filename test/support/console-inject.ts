import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestApp } from './app.ts';

// A console session without a browser: signed in through the sign-in form with a key, and pages
// fetched and forms sent with its cookie and form token, as the server-side console tests need them.

export const cookieValue = (response: LightMyRequestResponse, name: string): string | undefined => {
  const raw = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`));
  return raw?.slice(name.length + 1).split(';')[0];
};

/** The form token a console page's forms carry. */
export const formToken = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

const formType = { 'content-type': 'application/x-www-form-urlencoded' };

export interface ConsoleSession {
  /** `ordergate_session=…`, for a request of the test's own. */
  cookie: string;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  /** A form of the session, with its token unless `fields` bring their own `_csrf`. */
  post(url: string, fields?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Follows a form's redirect as a browser would, with the notice cookie it left. */
  follow(response: LightMyRequestResponse): Promise<LightMyRequestResponse>;
}

export async function consoleSession(t: TestApp, key: string): Promise<ConsoleSession> {
  const page = await t.request({ method: 'GET', url: '/console/sign-in' });
  const token = formToken(page.body);
  const signedIn = await t.request({
    method: 'POST',
    url: '/console/sign-in',
    headers: { ...formType, cookie: `ordergate_sign_in=${cookieValue(page, 'ordergate_sign_in')}` },
    payload: new URLSearchParams({ _csrf: token, key, next: '' }).toString(),
  });
  const session = cookieValue(signedIn, 'ordergate_session');
  if (session === undefined) throw new Error(`signing in did not open a session (${signedIn.statusCode})`);
  const cookie = `ordergate_session=${session}`;
  // Every signed-in page carries the token in its sign-out form, a missing one included.
  const csrf = formToken((await t.request({ method: 'GET', url: '/console/no-such-page', headers: { cookie } })).body);
  const get = (url: string, extra = '') => t.request({ method: 'GET', url, headers: { cookie: `${cookie}${extra}` } });
  return {
    cookie,
    csrf,
    get: (url) => get(url),
    post: (url, fields = {}) =>
      t.request({
        method: 'POST',
        url,
        headers: { ...formType, cookie },
        payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
      }),
    follow(response) {
      expect(response.statusCode, response.body).toBe(303);
      const notice = cookieValue(response, 'ordergate_notice');
      return get(String(response.headers.location), notice === undefined ? '' : `; ordergate_notice=${notice}`);
    },
  };
}
