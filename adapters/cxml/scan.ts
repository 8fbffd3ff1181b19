import { documentLimitNames, type DocumentLimits } from './limits.ts';

// One linear pass over an XML text that refuses, at the first violation, what no cXML document
// needs and what makes parsers slow or answers large: nesting deeper, elements with more
// attributes, names, attribute values or text longer than the limits, more elements or
// attributes in all than the limits, any markup declaration but one DOCTYPE without an internal
// subset. Comments, CDATA
// sections, processing instructions and attribute values are skipped as what they are, so
// `<!ENTITY` inside them is data, not a declaration. It also matches end tags to start tags (the
// element stack is bounded by the depth limit), so that it can say where the Header ends; the
// rest of well-formedness is the validator's, after it. It never throws and never backtracks:
// each character is looked at a bounded number of times.

export type ScanRefusal =
  | { kind: 'limit'; limit: keyof DocumentLimits; offset: number; detail: string }
  | { kind: 'declaration'; offset: number; detail: string }
  | { kind: 'malformed'; offset: number; detail: string };

export interface ScanStats {
  elements: number;
  attributes: number;
  maxDepth: number;
  maxAttributes: number;
  /** Longest attribute value, in characters as written. */
  longestAttribute: number;
  /** Longest run of text and CDATA between two tags, in characters as written. */
  longestText: number;
}

export interface ScanEvents {
  /** An element starts; `end` is just after its start tag. Return true to stop the scan there. */
  open?(name: string, depth: number, start: number, end: number): boolean | void;
  /** An element ends (a self-closing one right after its open); `end` is just after its end tag. */
  close?(name: string, depth: number, end: number): boolean | void;
}

export type ScanOutcome =
  | {
      ok: true;
      stats: ScanStats;
      /** Where an event stopped the scan, and the elements still open there (outermost first). */
      stopped?: { at: number; open: string[] };
      /** The scan reached `end` before the text did, in the middle of the document. */
      cut: boolean;
    }
  | { ok: false; refusal: ScanRefusal; stats: ScanStats };

const GT = 0x3e; // >
const SLASH = 0x2f;
const EQUALS = 0x3d;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BANG = 0x21;
const QUESTION = 0x3f;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** Line and column (both from 1) of an offset, for messages. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const until = Math.min(offset, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < until; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Signals that the scan cannot go on; caught in scanXml, never leaves it. */
class Stop {
  constructor(readonly outcome: 'refused' | 'cut' | 'stopped') {}
}

export function scanXml(document: string, limits: DocumentLimits, options: { end?: number; events?: ScanEvents } = {}): ScanOutcome {
  // What lies at or after `end` is not looked at, not even by a search.
  const cutShort = options.end !== undefined && options.end < document.length;
  const text = cutShort ? document.slice(0, options.end) : document;
  const end = text.length;
  const events = options.events ?? {};
  const stats: ScanStats = { elements: 0, attributes: 0, maxDepth: 0, maxAttributes: 0, longestAttribute: 0, longestText: 0 };
  const stack: { name: string; offset: number }[] = [];
  let refusal: ScanRefusal | undefined;
  let stoppedAt = 0;
  let rootSeen = false;
  let rootClosed = false;
  let doctypes = 0;
  let textRun = 0;

  const refuse = (r: ScanRefusal): never => {
    refusal = r;
    throw new Stop('refused');
  };
  const overLimit = (limit: keyof DocumentLimits, offset: number, detail: string): never =>
    refuse({ kind: 'limit', limit, offset, detail });
  const malformed = (offset: number, detail: string): never => refuse({ kind: 'malformed', offset, detail });
  /** The visible text ran out inside something: cut short by `end`, or the document itself ends there. */
  const ranOut = (offset: number, inside: string): never => {
    if (cutShort) throw new Stop('cut');
    return malformed(offset, `the document ends inside ${inside}`);
  };
  const addText = (length: number, offset: number) => {
    textRun += length;
    if (textRun > stats.longestText) stats.longestText = textRun;
    if (textRun > limits.textLength) overLimit('textLength', offset, `text of more than ${limits.textLength} characters between two tags`);
  };
  /** A name from `from` up to whitespace, '/', '>' or '='. */
  const readName = (from: number, what: string): number => {
    let i = from;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (isSpace(c) || c === SLASH || c === GT || c === EQUALS) break;
      i++;
      if (i - from > limits.nameLength) overLimit('nameLength', from, `${what} name of more than ${limits.nameLength} characters`);
    }
    if (i >= end) ranOut(from, `a ${what} name`);
    return i;
  };
  const skipSpace = (from: number): number => {
    let i = from;
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    return i;
  };
  const stop = (at: number): never => {
    stoppedAt = at;
    throw new Stop('stopped');
  };

  const startTag = (lt: number): number => {
    const nameEnd = readName(lt + 1, 'element');
    const name = text.slice(lt + 1, nameEnd);
    if (name === '') malformed(lt, "'<' is not followed by an element name");
    let attributes = 0;
    let i = nameEnd;
    let selfClosing = false;
    for (;;) {
      i = skipSpace(i);
      if (i >= end) ranOut(lt, `the start tag of ${name}`);
      const c = text.charCodeAt(i);
      if (c === GT) {
        i++;
        break;
      }
      if (c === SLASH) {
        if (i + 1 >= end) ranOut(lt, `the start tag of ${name}`);
        if (text.charCodeAt(i + 1) !== GT) malformed(i, `'/' in the start tag of ${name} is not followed by '>'`);
        selfClosing = true;
        i += 2;
        break;
      }
      const attributeStart = i;
      i = readName(i, 'attribute');
      if (i === attributeStart) malformed(i, `an attribute of ${name} has no name`);
      attributes++;
      if (attributes > stats.maxAttributes) stats.maxAttributes = attributes;
      if (attributes > limits.attributesPerElement)
        overLimit('attributesPerElement', attributeStart, `element ${name} has more than ${limits.attributesPerElement} attributes`);
      stats.attributes++;
      if (stats.attributes > limits.attributes) overLimit('attributes', attributeStart, `more than ${limits.attributes} attributes`);
      i = skipSpace(i);
      if (i >= end) ranOut(lt, `the start tag of ${name}`);
      if (text.charCodeAt(i) !== EQUALS) malformed(i, `attribute ${text.slice(attributeStart, i).trimEnd()} of ${name} has no value`);
      i = skipSpace(i + 1);
      if (i >= end) ranOut(lt, `the start tag of ${name}`);
      const quote = text.charCodeAt(i);
      if (quote !== QUOTE && quote !== APOSTROPHE) malformed(i, `an attribute value of ${name} is not quoted`);
      const close = text.indexOf(quote === QUOTE ? '"' : "'", i + 1);
      const length = (close === -1 ? end : close) - i - 1;
      if (length > stats.longestAttribute) stats.longestAttribute = length;
      if (length > limits.attributeLength)
        overLimit('attributeLength', i, `an attribute value of ${name} is longer than ${limits.attributeLength} characters`);
      if (close === -1) ranOut(i, `an attribute value of ${name}`);
      i = close + 1;
    }
    const depth = stack.length + 1;
    if (depth > limits.depth) overLimit('depth', lt, `element ${name} is nested deeper than ${limits.depth} elements`);
    if (rootClosed) malformed(lt, `element ${name} comes after the root element has ended`);
    stats.elements++;
    if (stats.elements > limits.elements) overLimit('elements', lt, `more than ${limits.elements} elements`);
    if (depth > stats.maxDepth) stats.maxDepth = depth;
    rootSeen = true;
    textRun = 0;
    if (!selfClosing) stack.push({ name, offset: lt });
    if (events.open?.(name, depth, lt, i) === true) stop(i);
    if (selfClosing) {
      if (depth === 1) rootClosed = true;
      if (events.close?.(name, depth, i) === true) stop(i);
    }
    return i;
  };

  const endTag = (lt: number): number => {
    const nameEnd = readName(lt + 2, 'element');
    const name = text.slice(lt + 2, nameEnd);
    const i = skipSpace(nameEnd);
    if (i >= end) ranOut(lt, `the end tag of ${name}`);
    if (text.charCodeAt(i) !== GT) malformed(i, `the end tag of ${name} does not end with '>'`);
    const open = stack.pop();
    if (open === undefined) malformed(lt, `Closing tag '${name}' has not been opened.`);
    else if (open.name !== name) {
      const at = lineAndColumn(text, open.offset);
      malformed(lt, `Expected closing tag '${open.name}' (opened in line ${at.line}, col ${at.column}) instead of closing tag '${name}'.`);
    }
    const depth = stack.length + 1;
    if (depth === 1) rootClosed = true;
    textRun = 0;
    if (events.close?.(name, depth, i + 1) === true) stop(i + 1);
    return i + 1;
  };

  /** Skips to just after `terminator`, or runs out. */
  const through = (from: number, terminator: string, inside: string, at: number): number => {
    const found = text.indexOf(terminator, from);
    if (found === -1) ranOut(at, inside);
    return found + terminator.length;
  };

  const doctype = (lt: number): number => {
    if (rootSeen) malformed(lt, 'a DOCTYPE after the root element');
    doctypes++;
    if (doctypes > 1) refuse({ kind: 'declaration', offset: lt, detail: 'more than one DOCTYPE' });
    let i = lt + '<!DOCTYPE'.length;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === QUOTE || c === APOSTROPHE) {
        const close = text.indexOf(c === QUOTE ? '"' : "'", i + 1);
        if (close === -1) break;
        i = close + 1;
        continue;
      }
      if (c === 0x5b /* [ */)
        refuse({ kind: 'declaration', offset: i, detail: 'entity declarations and internal DTD subsets are not accepted' });
      if (c === GT) return i + 1;
      i++;
    }
    return ranOut(lt, 'the DOCTYPE');
  };

  const markup = (lt: number): number => {
    // Too close to `end` to tell a comment, CDATA section or DOCTYPE from a declaration.
    if (cutShort && lt + '<!DOCTYPE'.length > end) throw new Stop('cut');
    if (text.startsWith('<!--', lt)) return through(lt + 4, '-->', 'a comment', lt);
    if (text.startsWith('<![CDATA[', lt)) {
      if (stack.length === 0) malformed(lt, 'a CDATA section outside the root element');
      const close = text.indexOf(']]>', lt + 9);
      const length = (close === -1 ? end : close) - lt - 9;
      addText(Math.max(0, length), lt);
      if (close === -1) ranOut(lt, 'a CDATA section');
      return close + 3;
    }
    if (text.startsWith('<!DOCTYPE', lt)) return doctype(lt);
    if (text.startsWith('<!ENTITY', lt))
      refuse({ kind: 'declaration', offset: lt, detail: 'entity declarations and internal DTD subsets are not accepted' });
    const word = /^<![A-Za-z[-]{0,20}/.exec(text.slice(lt, lt + 23))?.[0] ?? '<!';
    return refuse({ kind: 'declaration', offset: lt, detail: `markup declarations (${word}) are not accepted` });
  };

  try {
    let pos = 0;
    while (pos < end) {
      let lt = text.indexOf('<', pos);
      if (lt === -1 || lt >= end) lt = end;
      if (lt > pos) {
        if (stack.length > 0) addText(lt - pos, pos);
        else
          for (let i = pos; i < lt; i++)
            if (!isSpace(text.charCodeAt(i)))
              malformed(i, rootSeen ? 'text after the root element' : `char '${text[i] ?? ''}' is not expected before the root element.`);
      }
      if (lt >= end) break;
      if (lt + 1 >= end) ranOut(lt, 'a tag');
      const next = text.charCodeAt(lt + 1);
      if (next === SLASH) pos = endTag(lt);
      else if (next === BANG) pos = markup(lt);
      else if (next === QUESTION) pos = through(lt + 2, '?>', 'a processing instruction', lt);
      else pos = startTag(lt);
    }
    if (cutShort) return { ok: true, stats, cut: true };
    const innermost = stack[stack.length - 1];
    if (innermost !== undefined) {
      const at = lineAndColumn(text, innermost.offset);
      malformed(
        text.length,
        `the document ends with ${stack.length} element${stack.length === 1 ? '' : 's'} open, the innermost '${innermost.name}' (opened in line ${at.line}, col ${at.column})`,
      );
    }
    if (!rootSeen) malformed(text.length, 'Start tag expected.');
    return { ok: true, stats, cut: false };
  } catch (signal) {
    if (!(signal instanceof Stop)) throw signal;
    if (signal.outcome === 'cut') return { ok: true, stats, cut: true };
    if (signal.outcome === 'stopped') return { ok: true, stats, cut: false, stopped: { at: stoppedAt, open: stack.map((e) => e.name) } };
    return { ok: false, refusal: refusal as ScanRefusal, stats };
  }
}

/** A refusal as the Status text says it: the limit by its name, or what is wrong and where. */
export function describeRefusal(text: string, refusal: ScanRefusal, limits: DocumentLimits): string {
  const { line, column } = lineAndColumn(text, refusal.offset);
  switch (refusal.kind) {
    case 'limit':
      return `limit ${documentLimitNames[refusal.limit]} (${limits[refusal.limit]}) exceeded at line ${line}, column ${column}: ${refusal.detail}`;
    case 'declaration':
      return refusal.detail;
    case 'malformed':
      return `not well-formed XML at line ${line}, column ${column}: ${refusal.detail}`;
  }
}
