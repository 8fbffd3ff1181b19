import type { Channel } from '../domain/order.ts';
import { sha256Hex } from '../domain/sha256.ts';
import type { OrderStore, StoreTransaction } from './ports.ts';

// Sending a document to a partner: take its control numbers, store it, commit, and only then push
// it to the partner's endpoint (or leave it in the mailbox). Stored before sent, so a crash between
// the two loses nothing: the document is there to resend, with the same control numbers.

export interface OutboundDocument {
  partnerId: string;
  orderId: string | null;
  channel: Channel;
  type: string;
  contentType: string;
  /** How long the partner has to acknowledge it (X12: a 997/999); absent when no acknowledgment is expected. */
  ackWithinMs?: number;
  /** Writes the document once its control numbers are taken (gap-free per partner and kind). */
  render(
    take: (counts: Record<string, number>) => Promise<Record<string, number>>,
  ): { body: string; control: Record<string, string> } | Promise<{ body: string; control: Record<string, string> }>;
}

/** `answer`: what the partner's reply said (a cXML Response status), kept with the document's control ids. */
export type Deliverer = (
  url: string,
  document: { body: string; contentType: string },
) => Promise<{ ok: boolean; attempts: number; error?: string; answer?: Record<string, string> }>;

/** Where a partner's documents go, and how: a push to its endpoint judged the channel's way. */
export interface Delivery {
  endpointUrl: string;
  deliver: Deliverer;
}

export interface SentDocument {
  documentId: string;
  body: string;
  control: Record<string, string>;
  delivery: 'mailbox' | 'delivered' | 'failed';
  attempts: number;
}

/** Takes the document's control numbers and stores it, in the caller's transaction. */
export async function storeDocument(
  tx: StoreTransaction,
  document: OutboundDocument,
  endpointUrl: string | undefined,
): Promise<StoredDocument> {
  const rendered = await document.render((counts) => tx.takeControlNumbers(document.partnerId, counts));
  const documentId = await tx.insertDocument(document.partnerId, document.orderId, {
    direction: 'outbound',
    channel: document.channel,
    type: document.type,
    contentType: document.contentType,
    body: Buffer.from(rendered.body),
    sha256: sha256Hex(rendered.body),
    control: rendered.control,
    deliveryState: endpointUrl === undefined ? 'mailbox' : 'pending',
    ...(document.ackWithinMs === undefined ? {} : { ackDueAt: new Date(Date.now() + document.ackWithinMs) }),
  });
  return { documentId, ...rendered };
}

export interface StoredDocument {
  documentId: string;
  body: string;
  control: Record<string, string>;
}

/** `delivery` undefined: the partner has no endpoint, the document waits in its mailbox. */
export async function sendDocument(store: OrderStore, document: OutboundDocument, delivery: Delivery | undefined): Promise<SentDocument> {
  const stored = await store.transaction((tx) => storeDocument(tx, document, delivery?.endpointUrl));
  if (delivery === undefined) return { ...stored, delivery: 'mailbox', attempts: 0 };
  return pushDocument({ store, deliver: delivery.deliver }, stored, document.contentType, delivery.endpointUrl);
}

/** Pushes a stored document to the partner's endpoint and records how that went. */
export async function pushDocument(
  deps: { store: OrderStore; deliver: Deliverer },
  stored: StoredDocument,
  contentType: string,
  endpointUrl: string,
): Promise<SentDocument> {
  const result = await deps.deliver(endpointUrl, { body: stored.body, contentType });
  const state = result.ok ? 'delivered' : 'failed';
  await deps.store.transaction((tx) =>
    tx.recordDelivery(stored.documentId, {
      state,
      attempts: result.attempts,
      ...(result.error === undefined ? {} : { error: result.error }),
      ...(result.answer === undefined ? {} : { answer: result.answer }),
    }),
  );
  return { ...stored, delivery: state, attempts: result.attempts };
}
