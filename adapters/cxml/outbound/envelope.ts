import { newPayloadId } from '../response.ts';
import { timestamp } from './values.ts';
import { el, writeDocument, writeElement, type XmlElement } from './xml.ts';

// The cXML envelope around a request we send: who it is from (us, as the partner's network knows
// us), to (the partner) and who opens the connection (us again, with the shared secret we present),
// with a fresh payloadID. The caller passes both credentials: ours in the partnership is stored
// sealed, and only the caller opens it.

export interface CxmlCredential {
  domain: string;
  identity: string;
}

export interface CxmlEnvelope {
  from: CxmlCredential;
  to: CxmlCredential;
  sender: CxmlCredential & { userAgent: string; sharedSecret?: string };
  /** When the document is made: the cXML timestamp and the notice date. Now, unless fixed (tests). */
  at?: Date;
  /** Fixed only by tests; otherwise a new one (newPayloadId). */
  payloadId?: string;
  /** "test" when the order came in a test request; production is the DTD's default and left out. */
  deploymentMode?: 'production' | 'test';
  /** xml:lang of the document and its Comments. */
  lang?: string;
}

/**
 * What a document we store carries as our shared secret: the secret goes in only as the document is
 * sent (withSharedSecret), so that it is kept nowhere in clear, not in the document store nor in a
 * partner's mailbox, and a secret changed since is the one sent.
 */
export const sharedSecretPlaceholder = '[redacted]';

const placeholder = writeElement(el('SharedSecret', {}, sharedSecretPlaceholder));

/** The document as sent: our shared secret in place of the placeholder in Sender (the only SharedSecret we write). */
export const withSharedSecret = (xml: string, secret: string): string =>
  xml.replace(placeholder, () => writeElement(el('SharedSecret', {}, secret)));

export const envelopeTime = (envelope: CxmlEnvelope): Date => envelope.at ?? new Date();
export const envelopeLang = (envelope: CxmlEnvelope): string => envelope.lang ?? 'en-US';

const credential = (c: CxmlCredential, secret?: string): XmlElement =>
  el('Credential', { domain: c.domain }, el('Identity', {}, c.identity), secret === undefined ? undefined : el('SharedSecret', {}, secret));

/** A Fulfill.dtd document: cXML > Header, Request > the request element. */
export function fulfillRequest(envelope: CxmlEnvelope, request: XmlElement): string {
  const at = envelopeTime(envelope);
  const root = el(
    'cXML',
    { payloadID: envelope.payloadId ?? newPayloadId(at), timestamp: timestamp(at), 'xml:lang': envelopeLang(envelope) },
    el(
      'Header',
      {},
      el('From', {}, credential(envelope.from)),
      el('To', {}, credential(envelope.to)),
      el('Sender', {}, credential(envelope.sender, envelope.sender.sharedSecret), el('UserAgent', {}, envelope.sender.userAgent)),
    ),
    el('Request', { deploymentMode: envelope.deploymentMode === 'test' ? 'test' : undefined }, request),
  );
  return writeDocument(root, 'Fulfill.dtd');
}
