/**
 * Product codes that name the same item in different ways: GTIN-8, UPC-A (GTIN-12), EAN-13 and
 * GTIN-14 are one number space (GS1), compared as 14 digits; a US National Drug Code is compared as
 * its 11-digit (5-4-2) billing form.
 */

/** The GS1 check digit of the digits before it (weights 3 and 1 from the right). */
function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = body.length - 1, weight = 3; i >= 0; i -= 1, weight = 4 - weight) sum += Number(body[i]) * weight;
  return (10 - (sum % 10)) % 10;
}

/** A GTIN as 14 digits, or undefined when it is not 8, 12, 13 or 14 digits with a right check digit. */
export function normalizeGtin(text: string): string | undefined {
  const digits = text.trim();
  if (!/^(\d{8}|\d{12,14})$/.test(digits)) return undefined;
  if (gs1CheckDigit(digits.slice(0, -1)) !== Number(digits.at(-1))) return undefined;
  return digits.padStart(14, '0');
}

/**
 * An NDC as 11 digits. Hyphenated 10-digit forms (4-4-2, 5-3-2, 5-4-1) are padded to 5-4-2, the
 * form X12 N4 carries; 11 digits are taken as they are. An unhyphenated 10-digit NDC is ambiguous
 * (which part lacks its zero?) and is left undefined rather than guessed.
 */
export function normalizeNdc(text: string): string | undefined {
  const parts = text.trim().split('-');
  if (parts.length === 3 && parts.every((part) => /^\d+$/.test(part))) {
    const [labeler = '', product = '', pack = ''] = parts;
    if (labeler.length > 5 || product.length > 4 || pack.length > 2) return undefined;
    const digits = labeler.padStart(5, '0') + product.padStart(4, '0') + pack.padStart(2, '0');
    return labeler.length + product.length + pack.length >= 10 ? digits : undefined;
  }
  return /^\d{11}$/.test(text.trim()) ? text.trim() : undefined;
}

export type ItemCodeKind = 'gtin' | 'ndc';

/** The key a code is indexed under in the catalog: `gtin:00012345678905`, `ndc:12345678901`. */
export function itemCodeKey(kind: ItemCodeKind, text: string): string | undefined {
  const normalized = kind === 'gtin' ? normalizeGtin(text) : normalizeNdc(text);
  return normalized === undefined ? undefined : `${kind}:${normalized}`;
}

/** Which line identifiers (as the channel maps name them) carry which kind of code. */
export const identifierKinds: Readonly<Record<string, ItemCodeKind>> = {
  gtin: 'gtin',
  upc: 'gtin',
  ean: 'gtin',
  upcCase: 'gtin',
  upcCaseCode: 'gtin',
  ndc: 'ndc',
};
