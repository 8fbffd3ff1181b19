import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Decision } from './approval.ts';

// The links a person decides with: `{id}.{expiry}.{signature}`, the signature an HMAC-SHA256 over
// the link's id, approval, person, decision and expiry. The token carries only the id and the
// expiry (a short link a mail client will not break); the rest is the row's, and a token whose
// signature does not cover the row it names was not made for it. Single use is the database's
// (approval_links.used_at), since a signature alone cannot be spent. The SMS carries a short random
// id of the same table instead: too short to sign, too long to guess (10 base62 characters, about
// 59 bits), and it expires and is spent the same way.

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
  | { kind: 'signed'; id: string; expiresAt: number; signature: string }
  | { kind: 'short'; id: string }
  /** Not shaped like any token we make. */
  | { kind: 'malformed' };

const shortIdPattern = /^[A-Za-z0-9]{10}$/;
const base62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const newLinkId = (): string => randomBytes(16).toString('base64url');

export function newShortId(): string {
  // 248 = 4 × 62: bytes at or above it are dropped so that every character is equally likely.
  let id = '';
  while (id.length < 10) for (const byte of randomBytes(16)) if (byte < 248 && id.length < 10) id += base62[byte % 62];
  return id;
}

const mac = (key: Buffer, claims: LinkClaims): Buffer =>
  createHmac('sha256', key)
    .update(['v1', claims.id, claims.approvalId, claims.personId, claims.decision, String(claims.expiresAt)].join('\n'))
    .digest();

export const signLinkToken = (claims: LinkClaims, key: Buffer): string =>
  `${claims.id}.${claims.expiresAt.toString(36)}.${mac(key, claims).toString('base64url')}`;

/** What a token in a link names; whether it may be believed is `signedFor`'s to say. */
export function readLinkToken(token: string): TokenReading {
  if (shortIdPattern.test(token)) return { kind: 'short', id: token };
  const match = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (match === null) return { kind: 'malformed' };
  const [, id, expiry, signature] = match as unknown as [string, string, string, string];
  return { kind: 'signed', id, expiresAt: parseInt(expiry, 36), signature };
}

/** Whether the token was signed with `key` for exactly these claims (its expiry included). */
export function signedFor(reading: Extract<TokenReading, { kind: 'signed' }>, claims: LinkClaims, key: Buffer): boolean {
  if (reading.id !== claims.id || reading.expiresAt !== claims.expiresAt) return false;
  const given = Buffer.from(reading.signature, 'base64url');
  const expected = mac(key, claims);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
