// An XML document re-indented for reading: one element per line, two spaces per level, an element
// holding only text kept on one line. Lexical only: tags, attributes, text, entities, comments and
// CDATA are copied as they are, only the whitespace between tags and around text changes, so what
// is shown is what was stored. Undefined when the text is not XML this can follow (a tag left
// open, an end tag that does not match): the caller shows it as it is.

type Token =
  | { kind: 'open'; name: string; text: string }
  | { kind: 'close'; name: string; text: string }
  | { kind: 'leaf'; text: string } // a self-closing tag, comment, CDATA, declaration or processing instruction
  | { kind: 'text'; text: string };

/** Where a markup token starting at `at` ends (index after it), or -1. */
function markupEnd(xml: string, at: number): number {
  if (xml.startsWith('<!--', at)) return end(xml.indexOf('-->', at + 4), 3);
  if (xml.startsWith('<![CDATA[', at)) return end(xml.indexOf(']]>', at + 9), 3);
  if (xml.startsWith('<?', at)) return end(xml.indexOf('?>', at + 2), 2);
  // A tag or a declaration: '>' inside quotes (attribute values, a DOCTYPE's system id) or an internal subset does not end it.
  let quote: string | undefined;
  let subset = false;
  for (let i = at + 1; i < xml.length; i++) {
    const c = xml[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' && xml[at + 1] === '!') subset = true;
    else if (c === ']') subset = false;
    else if (c === '>' && !subset) return i + 1;
  }
  return -1;
}

const end = (found: number, length: number): number => (found === -1 ? -1 : found + length);

function tokens(xml: string): Token[] | undefined {
  const out: Token[] = [];
  let at = 0;
  while (at < xml.length) {
    const lt = xml.indexOf('<', at);
    if (lt !== at) {
      const text = xml.slice(at, lt === -1 ? xml.length : lt);
      if (text.trim() !== '') out.push({ kind: 'text', text: text.trim() });
      if (lt === -1) break;
    }
    const stop = markupEnd(xml, lt);
    if (stop === -1) return undefined;
    const text = xml.slice(lt, stop);
    const name = /^<\/?([^\s/>]+)/.exec(text)?.[1] ?? '';
    if (/^<[!?]/.test(text) || text.endsWith('/>')) out.push({ kind: 'leaf', text });
    else if (text.startsWith('</')) out.push({ kind: 'close', name, text });
    else out.push({ kind: 'open', name, text });
    at = stop;
  }
  return out;
}

export function indentXml(xml: string): string | undefined {
  const list = tokens(xml);
  if (list === undefined) return undefined;
  const lines: string[] = [];
  const open: string[] = [];
  const pad = () => '  '.repeat(open.length);
  for (let i = 0; i < list.length; i++) {
    const token = list[i] as Token;
    const next = list[i + 1];
    const after = list[i + 2];
    if (token.kind === 'open') {
      // <a>text</a> and <a></a> stay on one line.
      if (next?.kind === 'close' && next.name === token.name) {
        lines.push(pad() + token.text + next.text);
        i += 1;
      } else if (next?.kind === 'text' && after?.kind === 'close' && after.name === token.name) {
        lines.push(pad() + token.text + next.text + after.text);
        i += 2;
      } else {
        lines.push(pad() + token.text);
        open.push(token.name);
      }
    } else if (token.kind === 'close') {
      if (open.pop() !== token.name) return undefined;
      lines.push(pad() + token.text);
    } else {
      lines.push(pad() + token.text);
    }
  }
  return open.length === 0 ? lines.join('\n') : undefined;
}
