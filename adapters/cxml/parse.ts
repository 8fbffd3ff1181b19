import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { documentLimits, type DocumentLimits } from './limits.ts';
import { findBadText } from '../../domain/text.ts';
import { describeRefusal, scanXml } from './scan.ts';

// Reading cXML safely: nothing external is ever fetched, no entity is declared, no document over
// the limits (limits.ts) reaches the parser, and only then is the document parsed. The DOCTYPE
// line that points at the cXML DTD is accepted and ignored.

export type ParseFailure = { status: 400 | 406 | 413; text: string };
export type CxmlTree = Record<string, unknown>;

/** Elements that may repeat, so that one occurrence still reads as a list. */
export const repeatableElements = [
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
];
const repeatable = new Set(repeatableElements);

/** fast-xml-parser's options but `isArray` (a function: built from repeatableElements where it runs). */
export const parserOptions = {
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // No entity may be declared (the scanner refuses every declaration); character references (&#60;), the five
  // XML entities and HTML's named ones are decoded. Each of those is no longer than the reference it replaces,
  // so their number needs no cap (one of 10,000 refused orders that simply have more `&amp;`s than that).
  processEntities: { enabled: true, maxEntityCount: 0, maxExpandedLength: 1_000_000 },
  htmlEntities: true,
} as const;
const parser = new XMLParser({
  ...parserOptions,
  processEntities: { ...parserOptions.processEntities },
  isArray: (name) => repeatable.has(name),
});

const decoder = new TextDecoder('utf-8', { fatal: true });

export type Parsed = { ok: true; tree: CxmlTree } | { ok: false; failure: ParseFailure };

/** The body as text: no larger than accepted, and UTF-8. */
export function decodeCxml(body: Uint8Array, maxBytes: number): { ok: true; text: string } | { ok: false; failure: ParseFailure } {
  if (body.length > maxBytes)
    return { ok: false, failure: { status: 413, text: `document of ${body.length} bytes is larger than the ${maxBytes} accepted` } };
  try {
    return { ok: true, text: decoder.decode(body) };
  } catch {
    return { ok: false, failure: { status: 406, text: 'document is not UTF-8' } };
  }
}

/**
 * Well-formedness (fast-xml-parser's validator), then the tree. Only for text the scanner has
 * passed: within the limits, no declaration but a DOCTYPE without an internal subset.
 */
export function wellFormedTree(text: string): Parsed {
  const valid = XMLValidator.validate(text, validatorOptions);
  if (valid !== true) return notWellFormed(valid.err);
  let tree: CxmlTree;
  try {
    tree = parser.parse(text) as CxmlTree;
  } catch (error) {
    return notAcceptable((error as Error).message);
  }
  return storableTree(tree);
}

/** XML 1.0 has no NUL, but the validator lets one through; stored, it would fail the transaction. */
export function storableTree(tree: CxmlTree): Parsed {
  const bad = findBadText(tree, 3);
  if (bad.length > 0)
    return { ok: false, failure: { status: 400, text: bad.map((b) => `${elementPath(b.pointer)} ${b.detail}`).join('; ') } };
  return { ok: true, tree };
}

/** A pointer into the parsed tree as the document names it: "/cXML/Request/ItemOut/0/@lineNumber" → "cXML/Request/ItemOut[1]@lineNumber". */
function elementPath(pointer: string): string {
  let path = '';
  for (const token of pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (token === '#text') continue;
    if (/^\d+$/.test(token)) path += `[${Number(token) + 1}]`;
    else if (token.startsWith('@')) path += token;
    else path += path === '' ? token : `/${token}`;
  }
  return path === '' ? 'the document' : `element ${path}`;
}

export const validatorOptions = { allowBooleanAttributes: false } as const;
export const notWellFormed = (err: { line: number; col: number; msg: string }): Parsed => ({
  ok: false,
  failure: { status: 406, text: `not well-formed XML at line ${err.line}, column ${err.col}: ${err.msg}` },
});
export const notAcceptable = (message: string): Parsed => ({ ok: false, failure: { status: 406, text: `not acceptable XML: ${message}` } });

/** A whole document: one linear scan against the limits (406 naming the one exceeded), then parsed. */
export function parseCxmlText(text: string, limits: DocumentLimits = documentLimits): Parsed {
  const scanned = scanXml(text, limits);
  if (!scanned.ok) return { ok: false, failure: { status: 406, text: describeRefusal(text, scanned.refusal, limits) } };
  return wellFormedTree(text);
}

export function parseCxml(body: Uint8Array, maxBytes: number): Parsed {
  const decoded = decodeCxml(body, maxBytes);
  return decoded.ok ? parseCxmlText(decoded.text) : decoded;
}

const isWordChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

/**
 * The document as it is stored: the partner's SharedSecret replaced, so that no secret rests in
 * the documents table (only its salted hash, with the partner). One pass: every search starts
 * where the last one ended (a pattern with a lazy `[\s\S]*?` went back to each `<SharedSecret`
 * with no end tag after it: minutes for a body of CDATA sections that each hold one).
 */
export function redactSecrets(body: Uint8Array): Buffer {
  const text = Buffer.from(body).toString('utf8');
  const open = '<SharedSecret';
  const close = '</SharedSecret>';
  const parts: string[] = [];
  let from = 0; // what is not yet copied
  let search = 0;
  for (let at = text.indexOf(open); at !== -1; at = text.indexOf(open, search)) {
    const nameEnd = at + open.length;
    if (isWordChar(text.charCodeAt(nameEnd))) {
      search = nameEnd; // <SharedSecretX
      continue;
    }
    const tagEnd = text.indexOf('>', nameEnd);
    if (tagEnd === -1) break;
    if (text.charCodeAt(tagEnd - 1) === 0x2f) {
      search = tagEnd + 1; // <SharedSecret/>
      continue;
    }
    const end = text.indexOf(close, tagEnd + 1);
    if (end === -1) break;
    parts.push(text.slice(from, tagEnd + 1), '[redacted]');
    from = end;
    search = end + close.length;
  }
  parts.push(text.slice(from));
  return Buffer.from(parts.join(''));
}
