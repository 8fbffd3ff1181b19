import type { FastifyReply, FastifyRequest } from 'fastify';
import { findPrincipalByHash, hashKey, type Database, type Principal } from '../adapters/db/index.ts';
import { remembered } from './remember.ts';
import { ProblemError } from './problems.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const bearer = /^Bearer\s+(\S+)\s*$/i;

/** How long a key's principal is remembered: a revoked key may work this much longer. */
const principalTtlMs = 10_000;
const maxRemembered = 10_000;

/**
 * Keys looked up in the last few seconds, so that a partner sending orders back to back costs one
 * database round trip less per request. Keyed by the key's hash, never the key itself; unknown keys
 * are not remembered: a key issued a moment ago must work at once.
 */
function principalCache(db: Database) {
  const byHash = remembered((hash: string) => findPrincipalByHash(db, hash), {
    ttlMs: principalTtlMs,
    max: maxRemembered,
    keep: (principal) => principal !== undefined,
  });
  return (key: string): Promise<Principal | undefined> => byHash(hashKey(key));
}

/** Security handler for the spec's bearerAuth scheme; the operation's scopes are the roles it admits. */
export function bearerAuth(db: Database) {
  const lookUp = principalCache(db);
  return async (request: FastifyRequest, _reply: FastifyReply, roles: string[]): Promise<void> => {
    const match = bearer.exec(request.headers.authorization ?? '');
    const principal = match?.[1] === undefined ? undefined : await lookUp(match[1]);
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
