import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.ts';

// A console session without a browser: signed in through the sign-in form with a key, and pages
// fetched with its cookie, as the server-side console tests need them.

const cookieValue = (response: LightMyRequestResponse, name: string): string => {
  const raw = ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`)) ?? '';
  return raw.slice(name.length + 1).split(';')[0] ?? '';
};

export interface ConsoleSession {
  get(url: string): Promise<LightMyRequestResponse>;
}

export async function consoleSession(t: TestApp, key: string): Promise<ConsoleSession> {
  const page = await t.request({ method: 'GET', url: '/console/sign-in' });
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const signedIn = await t.request({
    method: 'POST',
    url: '/console/sign-in',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `ordergate_sign_in=${cookieValue(page, 'ordergate_sign_in')}` },
    payload: new URLSearchParams({ _csrf: token, key, next: '' }).toString(),
  });
  const session = cookieValue(signedIn, 'ordergate_session');
  if (session === '') throw new Error(`signing in did not open a session (${signedIn.statusCode})`);
  return { get: (url) => t.request({ method: 'GET', url, headers: { cookie: `ordergate_session=${session}` } }) };
}
