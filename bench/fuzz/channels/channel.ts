import type { Random } from '../random.ts';

// What every channel hands the runner: one request per index, built from that index's generator alone.

export interface FuzzInput {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** How it was made: the source or generator, then each mutation, e.g. `generated 850 / element:nasty(nul) / bytes:flip`. */
  label: string;
}

/** What the campaign set up on the gateway, and the limits it works within. */
export interface FuzzContext {
  /** An API key of the partner every channel posts as. */
  partnerKey: string;
  /** A key of another partner, with no X12 identity or webhook sources of its own. */
  otherKey: string;
  x12: { qualifier: string; id: string; ourQualifier: string; ourId: string };
  cxml: { domain: string; identity: string; secret: string };
  shopify: { account: string; secret: string };
  standard: { path: string; secret: string };
  /** Largest body the gateway takes (BODY_LIMIT_BYTES); huge inputs are spread up to a little beyond it. */
  maxBytes: number;
  /** Tells this campaign's identifiers (payloadIDs, ISA13s, idempotency keys) from another's on the same database. */
  runTag: string;
}

export interface Channel {
  name: 'x12' | 'cxml' | 'json' | 'webhook';
  build(rng: Random, index: number, context: FuzzContext): FuzzInput;
}
