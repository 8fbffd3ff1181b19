import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findSession, type ConsoleSession, type Database } from '../../adapters/db/index.ts';

// The console's cookies. The session cookie is the credential (HttpOnly, SameSite=Strict, Secure
// over TLS); every form carries the session's own token (csrf), compared in constant time. Before a
// session exists the sign-in forms carry a token of their own, double-submitted in a cookie.

export const sessionCookie = 'ordergate_session';
export const signInCookie = 'ordergate_sign_in';
const noticeCookie = 'ordergate_notice';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in console session, set by the console's hook on its pages. */
    consoleSession?: ConsoleSession & { token: string };
  }
}

export const sameToken = (sent: unknown, expected: string): boolean => {
  if (typeof sent !== 'string' || sent.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(sent), Buffer.from(expected));
};

export const freshToken = (): string => randomBytes(24).toString('base64url');

/** Whether the console's cookies must be Secure: served over TLS, directly or behind a proxy that says so. */
export const overTls = (request: FastifyRequest, publicBaseUrl: string | undefined): boolean =>
  request.protocol === 'https' || publicBaseUrl?.startsWith('https:') === true;

export const cookieOptions = (request: FastifyRequest, publicBaseUrl: string | undefined, maxAgeSeconds?: number) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'strict' as const,
  secure: overTls(request, publicBaseUrl),
  ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
});

/** The session behind the request's cookie, if it is still good. */
export async function sessionOf(
  db: Database,
  request: FastifyRequest,
  now: Date,
): Promise<(ConsoleSession & { token: string }) | undefined> {
  const token = request.cookies[sessionCookie];
  if (token === undefined || token.length > 100) return undefined;
  const session = await findSession(db, token, now);
  return session === undefined ? undefined : { ...session, token };
}

/** A one-line message for the next page shown (after a form's redirect). */
export function leaveNotice(reply: FastifyReply, request: FastifyRequest, publicBaseUrl: string | undefined, notice: Notice): void {
  reply.setCookie(noticeCookie, JSON.stringify(notice), cookieOptions(request, publicBaseUrl, 60));
}

export interface Notice {
  kind: 'done' | 'problem';
  text: string;
}

export function takeNotice(request: FastifyRequest, reply: FastifyReply): Notice | undefined {
  const raw = request.cookies[noticeCookie];
  if (raw === undefined) return undefined;
  reply.clearCookie(noticeCookie, { path: '/' });
  try {
    const parsed = JSON.parse(raw) as Partial<Notice>;
    return (parsed.kind === 'done' || parsed.kind === 'problem') && typeof parsed.text === 'string'
      ? { kind: parsed.kind, text: parsed.text.slice(0, 500) }
      : undefined;
  } catch {
    return undefined;
  }
}
