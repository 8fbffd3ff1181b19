// What the outbound transaction sets share: value formats, product ID pairs, the N1 party loop.
import type { Address, OrderLine, Party, StoredOrder } from '../../../domain/order.ts';
import type { ProfileParty } from '../../../domain/partner-profile.ts';
import { seg, type OutSegment } from '../serialize.ts';

/** An X12 decimal (R) element: at most four places, the precision of prices, without float residue. */
export function decimal(value: number): string;
export function decimal(value: number | undefined): string | undefined;
export function decimal(value: number | undefined): string | undefined {
  return value === undefined ? undefined : String(Math.round(value * 10_000) / 10_000);
}

/** YYYY-MM-DD (or an ISO date-time) as an X12 CCYYMMDD date. */
export const date8 = (isoDate: string): string => isoDate.slice(0, 10).replace(/-/g, '');

/**
 * Product/Service ID qualifiers (235) for the identifier names the default 850 map gives
 * (mappings/x12/850/default.json), so that a partner gets back the qualifiers it sent. Where the map
 * reads two qualifiers as one name (VN and VP as vendorPart), the first one here is written.
 */
const identifierQualifiers: Readonly<Record<string, string>> = {
  vendorPart: 'VN',
  buyerPart: 'BP',
  buyerItem: 'IN',
  vendorCatalog: 'VC',
  buyerCatalog: 'CB',
  purchaserItem: 'PI',
  stockKeepingUnit: 'SK',
  manufacturerPart: 'MG',
  manufacturer: 'MF',
  upc: 'UP',
  upcCase: 'UA',
  upcCaseCode: 'UN',
  ean: 'EN',
  gtin: 'UK',
  ndc: 'ND',
  serialNumber: 'SN',
  partDescription: 'PD',
};

/** PO1, SLN and IT1 have room for ten qualifier/ID pairs (LIN for fifteen); more would break the segment. */
const maxPairs = 10;

/** What the 850 map keeps for a qualifier it has no name for: the qualifier itself. */
const isQualifier = (key: string): boolean => /^[A-Z0-9]{2}$/.test(key);

/**
 * Qualifier/ID pairs for a line, one per qualifier: its identifiers in the table's order (so that
 * output does not depend on the order keys were stored in), then the partner's own qualifiers; names
 * with no qualifier stay out. The SKU goes first as VN (vendor's item number), or SK (stock keeping
 * unit) when VN is taken, unless an identifier already carries it, as when the 850 map took it from one.
 * A GTIN goes out in its 14-digit form (GS1 pads shorter ones with leading zeros), as UK requires.
 * Pairs past the segment's room are left out.
 */
export function productIds(line: OrderLine): string[] {
  const identifiers = line.identifiers ?? {};
  const named = Object.entries(identifierQualifiers).flatMap(([key, qualifier]) => {
    const value = identifiers[key];
    return value === undefined ? [] : [[qualifier, key === 'gtin' ? value.padStart(14, '0') : value] as const];
  });
  const own = Object.keys(identifiers)
    .filter(isQualifier)
    .sort()
    .map((q) => [q, identifiers[q] as string] as const);
  const pairs = new Map<string, string>();
  for (const [qualifier, value] of [...named, ...own]) if (!pairs.has(qualifier)) pairs.set(qualifier, value);
  const skuQualifier = ['VN', 'SK'].find((q) => !pairs.has(q));
  const withSku =
    line.sku !== undefined && skuQualifier !== undefined && ![...pairs.values()].includes(line.sku) ? [skuQualifier, line.sku] : [];
  return [...withSku, ...[...pairs].flat()].slice(0, 2 * maxPairs);
}

/**
 * Product IDs for a line shipped or billed on its own (LIN, IT1). A component adds the buyer's order
 * line it belongs to (PL, purchaser's order line number): the bundle's PO1, where the 850 put it.
 */
export function itemIds(line: OrderLine): string[] {
  return line.parentLineNumber === undefined
    ? productIds(line)
    : [...productIds(line).slice(0, 2 * (maxPairs - 1)), 'PL', line.parentLineNumber];
}

/**
 * The number the partner gave a line, which it matches our answers on: its PO101 for a line of its
 * own, its SLN01 for a bundle's component (the 850 map keeps it in the line's extras; the line's
 * own number is the parent's joined to it), with the SLN03 relationship it sent. A component from
 * another channel keeps its line number and is I (included).
 */
export function partnerLine(line: OrderLine): { number: string; relationship: string } {
  const { sln01, relationship } = line.extras ?? {};
  return {
    number: typeof sln01 === 'string' ? sln01 : line.lineNumber,
    relationship: typeof relationship === 'string' ? relationship : 'I',
  };
}

/** N1 (entity code, name, 92 = code assigned by the buyer), N3 (two address lines each, two at most), N4. */
export function partyLoop(entity: 'ST' | 'BT', party: Party): OutSegment[] {
  return n1Loop(entity, party.name, party.code === undefined ? [] : ['92', party.code], party.address);
}

/** A party of the partner's guide profile (N1*SF, N1*RI), with the N103 qualifier the guide asks for. */
export const profilePartyLoop = (entity: 'SF' | 'RI', party: ProfileParty): OutSegment[] =>
  n1Loop(entity, party.name, party.idQualifier === undefined || party.id === undefined ? [] : [party.idQualifier, party.id], party.address);

function n1Loop(entity: string, name: string, id: string[], address: Address | undefined): OutSegment[] {
  const out = [seg('N1', entity, name, ...id)];
  if (address === undefined) return out;
  const lines = address.lines.slice(0, 4);
  for (let i = 0; i < lines.length; i += 2) out.push(seg('N3', ...lines.slice(i, i + 2)));
  if ([address.city, address.region, address.postalCode, address.country].some((v) => v !== undefined)) {
    out.push(seg('N4', address.city, address.region, address.postalCode, address.country));
  }
  return out;
}

/** The order's lines by the partner's line number; a number the order does not have is a caller's error. */
export function orderLines(order: StoredOrder, document: string): (lineNumber: string) => OrderLine {
  const byNumber = new Map(order.lines.map((l) => [l.lineNumber, l]));
  return (lineNumber) => {
    const line = byNumber.get(lineNumber);
    if (line === undefined) throw new Error(`the ${document} names line "${lineNumber}", which order ${order.externalRef} does not have`);
    return line;
  };
}
