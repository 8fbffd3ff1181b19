import type { IdempotencyRecord, StoreTransaction } from './ports.ts';
import type { Received } from './receive.ts';

export type DedupeVerdict =
  { kind: 'new' } | { kind: 'repeat'; record: IdempotencyRecord } | { kind: 'key-reused'; record: IdempotencyRecord };

/** Same key + same content → the first answer again; same key + other content → a conflict. */
export async function dedupe<P>(tx: StoreTransaction, received: Received<P>): Promise<DedupeVerdict> {
  const { scope, key } = received.dedupe;
  const claim = await tx.claimIdempotencyKey(received.partnerId, scope, key, received.fingerprint);
  if (claim === 'claimed') return { kind: 'new' };
  return claim.requestHash === received.fingerprint ? { kind: 'repeat', record: claim } : { kind: 'key-reused', record: claim };
}
