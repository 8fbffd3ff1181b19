import { describe, expect, it } from 'vitest';
import { newLinkId, newShortId, readLinkToken, signedFor, signLinkToken, type LinkClaims } from './approval-links.ts';

const key = Buffer.alloc(32, 1);
const claims: LinkClaims = { id: newLinkId(), approvalId: 'ap1', personId: 'ann', decision: 'approve', expiresAt: 1_800_000_000 };

describe('approval link tokens', () => {
  it('are believed only for the claims and the key they were signed with', () => {
    const reading = readLinkToken(signLinkToken(claims, key));
    if (reading.kind !== 'signed') throw new Error(`read as ${reading.kind}`);
    expect(reading).toMatchObject({ id: claims.id, expiresAt: claims.expiresAt });
    expect(signedFor(reading, claims, key)).toBe(true);
    for (const changed of [
      { approvalId: 'ap2' },
      { personId: 'bob' },
      { decision: 'reject' as const },
      { expiresAt: claims.expiresAt + 1 },
    ])
      expect(signedFor(reading, { ...claims, ...changed }, key), JSON.stringify(changed)).toBe(false);
    expect(signedFor(reading, claims, Buffer.alloc(32, 2))).toBe(false);
  });

  it('tell short ids and malformed tokens apart', () => {
    const short = newShortId();
    expect(short).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(readLinkToken(short)).toEqual({ kind: 'short', id: short });
    for (const bad of ['', 'abc', `${claims.id}.zz`, `${signLinkToken(claims, key)}.x`, `${short}1`])
      expect(readLinkToken(bad)).toEqual({ kind: 'malformed' });
  });
});
