// Writing cXML. Written by hand rather than with fast-xml-parser's XMLBuilder: the DTD's content
// models are ordered sequences (UnitOfMeasure before ConfirmationStatus, every CarrierIdentifier
// before the ShipmentIdentifier), and one el() call per element, in DTD order, lets a reader check
// the code against the DTD line by line; an object tree would leave that order to key order and
// arrays. Every text and attribute value is escaped here, in serialize(), and nowhere else.

export type Attributes = Readonly<Record<string, string | number | undefined>>;

export interface XmlElement {
  readonly name: string;
  readonly attributes: Attributes;
  /** Elements, or text (a plain string, escaped when written). */
  readonly children: readonly (XmlElement | string)[];
}

type Child = XmlElement | string | undefined | readonly (XmlElement | undefined)[];

/** An element; undefined attributes and children are left out, so optional parts read inline. */
export function el(name: string, attributes: Attributes = {}, ...children: Child[]): XmlElement {
  const flat = children.flatMap((c) =>
    c === undefined ? [] : Array.isArray(c) ? c.filter((x): x is XmlElement => x !== undefined) : [c as XmlElement | string],
  );
  return { name, attributes, children: flat };
}

// XML 1.0 has no way to carry most control characters, not even as references; one in a vendor's
// note would make the whole document unreadable, so it becomes U+FFFD, visibly.
// eslint-disable-next-line no-control-regex
const notXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const escapeText = (value: string): string =>
  value.replace(notXml, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Line breaks and tabs as references too: a parser would otherwise turn them into spaces. */
const escapeAttribute = (value: string): string =>
  escapeText(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');

function serialize(node: XmlElement, depth: number): string {
  const pad = '  '.repeat(depth);
  const attributes = Object.entries(node.attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeAttribute(String(value))}"`)
    .join('');
  if (node.children.length === 0) return `${pad}<${node.name}${attributes}/>`;
  // Text is content: indenting around it would change it. Only element-only content is laid out.
  if (node.children.some((c) => typeof c === 'string')) {
    const inline = node.children.map((c) => (typeof c === 'string' ? escapeText(c) : serialize(c, 0))).join('');
    return `${pad}<${node.name}${attributes}>${inline}</${node.name}>`;
  }
  const inner = node.children.map((c) => serialize(c as XmlElement, depth + 1)).join('\n');
  return `${pad}<${node.name}${attributes}>\n${inner}\n${pad}</${node.name}>`;
}

/** One element, unindented: a piece put into a written document later (our shared secret, as it is sent). */
export const writeElement = (node: XmlElement): string => serialize(node, 0);

/** The version of the DTDs the documents are written to (and validated against in tests). */
export const cxmlVersion = '1.2.063';

/** A whole document: declaration, DOCTYPE naming the DTD, the root. */
export function writeDocument(root: XmlElement, dtd: 'cXML.dtd' | 'Fulfill.dtd'): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/${cxmlVersion}/${dtd}">`,
    serialize(root, 0),
    '',
  ].join('\n');
}
