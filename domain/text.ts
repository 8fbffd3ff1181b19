// Text the database cannot hold. PostgreSQL's text and jsonb refuse U+0000, and jsonb refuses a
// UTF-16 surrogate without its pair (JSON allows both as escapes, JavaScript strings hold both):
// stored, either fails the whole transaction. Every channel refuses them first, in its own terms.

/** What is wrong with the first character the database cannot hold, or undefined when all can be held. */
export function badCharacter(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit === 0) return `holds U+0000 (NUL) at character ${i + 1}`;
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = value.charCodeAt(i + 1);
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      i++;
      continue;
    }
    return `holds a lone UTF-16 surrogate (U+${unit.toString(16).toUpperCase()}) at character ${i + 1}`;
  }
  return undefined;
}

/**
 * Whether JSON text may hold such a character once parsed: JSON writes U+0000 and a surrogate only
 * as an escape (a raw NUL is malformed, and UTF-8 never decodes to a lone surrogate), so text
 * without one needs no walk (most bodies; the scan is a fraction of the parse).
 */
export const mayHoldBadText = (json: string): boolean => /\\u(?:0000|[dD][89abcdefABCDEF])/.test(json);

export const escapePointer = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1');

export interface BadText {
  /** RFC 6901 pointer to the string (for a bad property name, to the property). */
  pointer: string;
  detail: string;
}

/**
 * Every string in a parsed JSON value (property names too) that the database cannot hold, with its
 * pointer; at most `max` of them, so that the answer stays small whatever was sent. Iterative: a
 * deeply nested body cannot exhaust the stack.
 */
export function findBadText(document: unknown, max = 10): BadText[] {
  const found: BadText[] = [];
  const stack: [unknown, string][] = [[document, '']];
  while (stack.length > 0 && found.length < max) {
    const [value, pointer] = stack.pop() as [unknown, string];
    if (typeof value === 'string') {
      const detail = badCharacter(value);
      if (detail !== undefined) found.push({ pointer, detail });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], `${pointer}/${i}`]);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        const at = `${pointer}/${escapePointer(key)}`;
        const detail = badCharacter(key);
        if (detail !== undefined) found.push({ pointer: at, detail: `its name ${detail}` });
        else stack.push([child, at]);
      }
    }
  }
  // Reported in document order, as the stack found them.
  return found;
}

const loneOrNul = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A copy that the database can hold: every such character replaced by U+FFFD (for what we record of refused input). */
export const storable = (value: string): string => (badCharacter(value) === undefined ? value : value.replace(loneOrNul, '\ufffd'));
