import type { Channel } from '../domain/order.ts';
import { sha256Hex as sha256 } from '../domain/sha256.ts';
import type { DocumentRecord } from './ports.ts';

export interface Inbound<P> {
  channel: Channel;
  partnerId: string;
  /** Who sent it, for the order's history: "partner:<id>" or "admin". */
  actor: string;
  /** Where a repeat of this request is recognised: the Idempotency-Key, the ISA13, the payloadID... */
  dedupe: { scope: string; key: string };
  documentType: string;
  contentType: string;
  body: Uint8Array;
  /** The document as the channel parsed it. */
  payload: P;
  control?: Record<string, string>;
}

export interface Received<P> extends Inbound<P> {
  /** Same request ⇔ same fingerprint; JSON is compared by content, not by key order or spacing. */
  fingerprint: string;
  document: DocumentRecord;
}

/** Stable JSON: keys sorted at every level. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function receive<P>(inbound: Inbound<P>): Received<P> {
  const digest = sha256(inbound.body);
  const fingerprint = inbound.contentType.includes('json') ? sha256(canonicalJson(inbound.payload)) : digest;
  return {
    ...inbound,
    fingerprint,
    document: {
      channel: inbound.channel,
      type: inbound.documentType,
      contentType: inbound.contentType,
      body: inbound.body,
      sha256: digest,
      control: { ...inbound.control, [inbound.dedupe.scope]: inbound.dedupe.key },
    },
  };
}
