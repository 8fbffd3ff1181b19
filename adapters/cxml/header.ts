import { documentLimitNames, documentLimits, identifierLimits, tooLong, type DocumentLimits } from './limits.ts';
import { decodeCxml, wellFormedTree, type CxmlTree, type ParseFailure } from './parse.ts';
import { describeRefusal, scanXml } from './scan.ts';
import { attr, child, children, text, type Node } from './tree.ts';

// Who sends, read before anything else and from a bounded part of the body: the scan stops where
// cXML/Header ends, which must be within the first `headerLength` characters; only that prefix
// (closed again with the root's end tag) is checked and parsed. The sender is authenticated from
// it, and only then is the rest of the document read (parseCxmlText), so that a sender without
// the right secret never costs more than a prefix of bounded size.

export interface CxmlHeader {
  payloadId: string;
  timestamp: string;
  from: { domain: string; identity: string }[];
  /** Whom the sender addresses: our credential in the partnership, once the partnership has one. */
  to: { domain: string; identity: string }[];
  sender: { domain: string; identity: string; sharedSecret: string } | undefined;
}

/** The envelope facts needed before anything else: who sends, and which payload this is. */
export function readHeader(tree: CxmlTree): { ok: true; header: CxmlHeader } | { ok: false; text: string } {
  const cxml = child(tree, 'cXML');
  if (cxml === undefined) return { ok: false, text: 'the root element is not cXML' };
  const payloadId = attr(cxml, 'payloadID');
  const timestamp = attr(cxml, 'timestamp');
  if (payloadId === undefined || timestamp === undefined) return { ok: false, text: 'cXML needs the payloadID and timestamp attributes' };
  const header = child(cxml, 'Header');
  if (header === undefined) return { ok: false, text: 'cXML/Header is missing' };
  const credentials = (node: Node) =>
    children(node, 'Credential').map((c) => ({
      domain: attr(c, 'domain') ?? '',
      identity: text(child(c, 'Identity')) ?? '',
      sharedSecret: text(child(c, 'SharedSecret')),
    }));
  const from = credentials(child(header, 'From')).map(({ domain, identity }) => ({ domain, identity }));
  const to = credentials(child(header, 'To')).map(({ domain, identity }) => ({ domain, identity }));
  const senderCredential = credentials(child(header, 'Sender')).find((c) => c.sharedSecret !== undefined);
  if (from.length === 0) return { ok: false, text: 'Header/From needs a Credential' };
  return {
    ok: true,
    header: {
      payloadId,
      timestamp,
      from,
      to,
      sender:
        senderCredential === undefined
          ? undefined
          : { domain: senderCredential.domain, identity: senderCredential.identity, sharedSecret: senderCredential.sharedSecret ?? '' },
    },
  };
}

/**
 * Whether the document is addressed to our credential in the partnership: one of its To
 * credentials is ours, the domain compared in any case as the From credential is ("NetworkId" /
 * "NetworkID"), the identity exactly.
 */
export function addressedToUs(header: CxmlHeader, ours: { domain: string; identity: string }): boolean {
  return header.to.some((c) => c.domain.toLowerCase() === ours.domain.toLowerCase() && c.identity === ours.identity);
}

/** The To credentials as a refusal names them: `NetworkID/AN01000000001`, or that there is none. */
export const describeTo = (header: CxmlHeader): string =>
  header.to.length === 0 ? 'no Header/To credential' : `Header/To ${header.to.map((c) => `${c.domain}/${c.identity}`).join(', ')}`;

/** The Header's identifiers (the dedupe key, the credentials partners are found by) longer than accepted: 400 findings naming each. */
export function checkHeaderIdentifiers(tree: CxmlTree): string[] {
  const cxml = child(tree, 'cXML');
  const header = child(cxml, 'Header');
  const found = tooLong('cXML@payloadID', attr(cxml, 'payloadID'), identifierLimits.payloadID);
  for (const party of ['From', 'To', 'Sender']) {
    children(child(header, party), 'Credential').forEach((credential, index) => {
      const at = `Header/${party}/Credential[${index + 1}]`;
      found.push(
        ...tooLong(`${at}@domain`, attr(credential, 'domain'), identifierLimits.credentialDomain),
        ...tooLong(`${at}/Identity`, text(child(credential, 'Identity')), identifierLimits.credentialIdentity),
        ...tooLong(`${at}/SharedSecret`, text(child(credential, 'SharedSecret')), identifierLimits.sharedSecret),
      );
    });
  }
  return found;
}

export interface CxmlEnvelope {
  /** The whole document, decoded; not yet scanned past the Header. */
  text: string;
  header: CxmlHeader;
}

export function readEnvelope(
  body: Uint8Array,
  maxBytes: number,
  limits: DocumentLimits = documentLimits,
): { ok: true; envelope: CxmlEnvelope } | { ok: false; failure: ParseFailure } {
  const decoded = decodeCxml(body, maxBytes);
  if (!decoded.ok) return decoded;
  const { text: document } = decoded;
  const scanned = scanXml(document, limits, {
    end: limits.headerLength,
    events: {
      // Stop at a root that is not cXML, at the first child of cXML that is not Header, where the Header ends, or where cXML does.
      open: (name, depth) => (depth === 1 && name !== 'cXML') || (depth === 2 && name !== 'Header'),
      close: (name, depth) => (depth === 2 && name === 'Header') || depth === 1,
    },
  });
  if (!scanned.ok) return { ok: false, failure: { status: 406, text: describeRefusal(document, scanned.refusal, limits) } };
  if (scanned.stopped === undefined) {
    return {
      ok: false,
      failure: {
        status: 406,
        text: `limit ${documentLimitNames.headerLength} (${limits.headerLength}) exceeded: cXML/Header must end within the first ${limits.headerLength} characters`,
      },
    };
  }
  const { at, open } = scanned.stopped;
  const prefix = document.slice(0, at) + open.reduceRight((closing, name) => `${closing}</${name}>`, '');
  const parsed = wellFormedTree(prefix);
  if (!parsed.ok) return parsed;
  const header = readHeader(parsed.tree);
  if (!header.ok) return { ok: false, failure: { status: 406, text: header.text } };
  const identifiers = checkHeaderIdentifiers(parsed.tree);
  if (identifiers.length > 0) return { ok: false, failure: { status: 400, text: identifiers.join('; ') } };
  return { ok: true, envelope: { text: document, header: header.header } };
}
