import { XMLParser, XMLValidator } from 'fast-xml-parser';

// Reading cXML safely: nothing external is ever fetched, no entity is declared, and only then is
// the document parsed. The DOCTYPE line that points at the cXML DTD is accepted and ignored.

export type ParseFailure = { status: 406 | 413; text: string };
export type CxmlTree = Record<string, unknown>;

/** Elements that may repeat, so that one occurrence still reads as a list. */
const repeatable = new Set([
  'ItemOut',
  'Credential',
  'Extrinsic',
  'DeliverTo',
  'Street',
  'Classification',
  'Comments',
  'Contact',
  'Email',
  'Phone',
  'CarrierIdentifier',
  'ShipNoticePortion',
  'ShipNoticeItem',
  'ConfirmationItem',
  'ConfirmationStatus',
  'Attachment',
  'URL',
  'Packaging',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // No entity may be declared (checked before); character references (&#60;) and the five XML entities are decoded.
  processEntities: { enabled: true, maxEntityCount: 0, maxTotalExpansions: 10_000, maxExpandedLength: 1_000_000 },
  htmlEntities: true,
  isArray: (name) => repeatable.has(name),
});

const decoder = new TextDecoder('utf-8', { fatal: true });

export function parseCxml(body: Uint8Array, maxBytes: number): { ok: true; tree: CxmlTree } | { ok: false; failure: ParseFailure } {
  if (body.length > maxBytes)
    return { ok: false, failure: { status: 413, text: `document of ${body.length} bytes is larger than the ${maxBytes} accepted` } };
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    return { ok: false, failure: { status: 406, text: 'document is not UTF-8' } };
  }
  if (/<!ENTITY/i.test(text) || /<!DOCTYPE[^>]*\[/i.test(text)) {
    return { ok: false, failure: { status: 406, text: 'entity declarations and internal DTD subsets are not accepted' } };
  }
  if ((text.match(/<!DOCTYPE/gi) ?? []).length > 1) return { ok: false, failure: { status: 406, text: 'more than one DOCTYPE' } };
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    return {
      ok: false,
      failure: { status: 406, text: `not well-formed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}` },
    };
  }
  try {
    return { ok: true, tree: parser.parse(text) as CxmlTree };
  } catch (error) {
    return { ok: false, failure: { status: 406, text: `not acceptable XML: ${(error as Error).message}` } };
  }
}

/**
 * The document as it is stored: the partner's SharedSecret replaced, so that no secret rests in
 * the documents table (only its salted hash, with the partner).
 */
export function redactSecrets(body: Uint8Array): Buffer {
  const text = Buffer.from(body).toString('utf8');
  return Buffer.from(text.replace(/(<SharedSecret\b[^>]*>)[\s\S]*?(<\/SharedSecret>)/g, '$1[redacted]$2'));
}
