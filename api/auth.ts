import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { findPrincipalByHash, findSession, hashKey, type Database, type Principal } from '../adapters/db/index.ts';
import { sameToken, sessionCookie } from './console/session.ts';
import { ProblemError } from './problems.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const bearer = /^Bearer\s+(\S+)\s*$/i;

const safeMethods = new Set(['GET', 'HEAD']);

/**
 * The principal of a console session's cookie, when no Authorization header is sent (the console's
 * own calls, and the browser's live stream). A call that changes something must also carry the
 * session's form token in `x-csrf-token`: a cookie alone is what a forged request would have.
 */
async function sessionPrincipal(db: Database, request: FastifyRequest): Promise<Principal | undefined> {
  const token = request.cookies[sessionCookie];
  if (token === undefined || token.length > 100) return undefined;
  const session = await findSession(db, token, new Date());
  if (session === undefined) return undefined;
  if (!safeMethods.has(request.method) && !sameToken(request.headers['x-csrf-token'], session.csrf))
    throw Object.assign(new ProblemError('forbidden', 'a console session changes nothing without its form token (x-csrf-token)'), {
      statusCode: 403,
    });
  return session.principal;
}

/**
 * Security handler for the spec's bearerAuth scheme; the operation's scopes are the roles it admits.
 * The key is looked up in the database on every request (one indexed read), never remembered: a
 * revoked key fails on the very next request, on every instance. A console session is read the same way.
 */
export function bearerAuth(db: Database) {
  return async (request: FastifyRequest, _reply: FastifyReply, roles: string[]): Promise<void> => {
    const match = bearer.exec(request.headers.authorization ?? '');
    const principal =
      match?.[1] !== undefined
        ? await findPrincipalByHash(db, hashKey(match[1]))
        : request.headers.authorization === undefined
          ? await sessionPrincipal(db, request)
          : undefined;
    if (principal === undefined) {
      const error = new ProblemError(
        'unauthorized',
        match === null ? 'send "Authorization: Bearer <key>"' : 'this API key is unknown or revoked',
        undefined,
        { 'www-authenticate': 'Bearer' },
      );
      throw Object.assign(error, { statusCode: 401 });
    }
    if (roles.length > 0 && !roles.includes(principal.role)) {
      throw Object.assign(
        new ProblemError('forbidden', `this operation is for ${roles.join(' or ')} keys; this is a ${principal.role} key`),
        { statusCode: 403 },
      );
    }
    request.principal = principal;
  };
}

export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new Error('route has no security requirement but reads the principal');
  return request.principal;
}

/**
 * A check of one fixed bearer token (METRICS_TOKEN), in constant time (both sides hashed to equal
 * lengths first); without a token, everything passes.
 */
export function bearerToken(token: string | undefined): (authorization: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = createHash('sha256').update(token).digest();
  return (authorization) => {
    const sent = bearer.exec(authorization ?? '')?.[1];
    return sent !== undefined && timingSafeEqual(createHash('sha256').update(sent).digest(), expected);
  };
}
