import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Decision } from './approval.ts';

// The links a person decides with: `base64url(claims).base64url(HMAC-SHA256(key, claims))`. The
// signature makes the token unforgeable and its claims (approval, person, decision, expiry)
// untouchable; single use is the database's (approval_links.used_at), since a signature alone
// cannot be spent. The SMS carries a short random id of the same table instead: too short to sign,
// too long to guess (10 base62 characters, about 59 bits), and it expires and is spent the same way.

export interface LinkClaims {
  /** The approval_links row. */
  id: string;
  approvalId: string;
  personId: string;
  decision: Decision;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** A link as stored: the signed token's row, or the SMS short link's (no decision bound). */
export interface NewApprovalLink {
  id: string;
  approvalId: string;
  orderId: string;
  personId: string;
  decision: Decision | null;
  level: number;
  expiresAt: Date;
}

export type TokenReading =
  | { kind: 'signed'; claims: LinkClaims }
  | { kind: 'expired'; claims: LinkClaims }
  | { kind: 'short'; id: string }
  /** Not a token we signed, or one changed since. */
  | { kind: 'tampered' };

const shortIdPattern = /^[A-Za-z0-9]{10}$/;
const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const newLinkId = (): string => randomBytes(16).toString('base64url');

export function newShortId(): string {
  // 248 = 4 × 62: bytes at or above it are dropped so that every character is equally likely.
  let id = '';
  while (id.length < 10) for (const byte of randomBytes(16)) if (byte < 248 && id.length < 10) id += base62[byte % 62];
  return id;
}

const mac = (key: Buffer, payload: string): Buffer => createHmac('sha256', key).update(payload).digest();

export function signLinkToken(claims: LinkClaims, key: Buffer): string {
  const payload = Buffer.from(
    JSON.stringify({ v: 1, i: claims.id, a: claims.approvalId, p: claims.personId, d: claims.decision, e: claims.expiresAt }),
  ).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/** What a token in a link says, checked: its signature first, then its expiry at `now`. */
export function readLinkToken(token: string, key: Buffer, now: Date): TokenReading {
  if (shortIdPattern.test(token)) return { kind: 'short', id: token };
  const [payload, signature, ...rest] = token.split('.');
  if (payload === undefined || signature === undefined || rest.length > 0) return { kind: 'tampered' };
  const expected = mac(key, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { kind: 'tampered' };
  const claims = parseClaims(Buffer.from(payload, 'base64url').toString('utf8'));
  if (claims === undefined) return { kind: 'tampered' };
  return claims.expiresAt * 1000 <= now.getTime() ? { kind: 'expired', claims } : { kind: 'signed', claims };
}

function parseClaims(json: string): LinkClaims | undefined {
  try {
    const c = JSON.parse(json) as Record<string, unknown>;
    if (c.v !== 1 || typeof c.i !== 'string' || typeof c.a !== 'string' || typeof c.p !== 'string') return undefined;
    if ((c.d !== 'approve' && c.d !== 'reject') || typeof c.e !== 'number') return undefined;
    return { id: c.i, approvalId: c.a, personId: c.p, decision: c.d, expiresAt: c.e };
  } catch {
    return undefined;
  }
}

/**
 * An ISO 8601 duration of days and time (P3D, PT12H, P1DT6H, P2W) in milliseconds; undefined for
 * anything else (years and months have no fixed length, so a link's lifetime is not given in them).
 */
export function durationMs(text: string): number | undefined {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text);
  if (match === null || text === 'P' || text.endsWith('T')) return undefined;
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  return ((((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}
