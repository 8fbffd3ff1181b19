import { lookup, type Catalog } from './catalog.ts';
import { identifierKinds, itemCodeKey } from './item-codes.ts';
import type { CanonicalOrder, OrderLine } from './order.ts';

/**
 * A partner may name an item its own way: its buyer part number, a UPC/GTIN, an NDC, a catalog
 * number. A line the catalog cannot plan as it stands is resolved to our SKU through the partner's
 * cross-references (its item number → our SKU) and then the catalog's product codes.
 */

export interface ResolvedItem {
  lineNumber: string;
  sku: string;
  /** Where the SKU came from: `partner:<identifier>` or `catalog:<identifier>`. */
  via: string;
  value: string;
}

export interface UnresolvedItem {
  lineNumber: string;
  sku?: string;
  identifiers: Record<string, string>;
  detail: string;
  /** Set when the line names its item but orders none of it (X12 lets PO102 be 0): only a person can say what was meant. */
  problem?: 'zero-quantity';
}

export interface ItemResolutionResult {
  order: CanonicalOrder;
  resolved: ResolvedItem[];
  unresolved: UnresolvedItem[];
}

/** The buyer's own numbers are tried first: they are what a cross-reference is kept for. */
const partnerFirst = ['buyerPart', 'buyerItem', 'buyerCatalog', 'purchaserItem'];

const plans = (catalog: Catalog, sku: string | undefined): boolean =>
  sku !== undefined && sku !== '' && (lookup(catalog.skus, sku) !== undefined || catalog.default !== undefined);

/** A bundle's parent is planned through its components when the catalog does not list it. */
const needsResolving = (line: OrderLine, catalog: Catalog, parents: ReadonlySet<string>): boolean =>
  !plans(catalog, line.sku) && !(parents.has(line.lineNumber) && (line.sku === undefined || lookup(catalog.skus, line.sku) === undefined));

const parentsOf = (order: Pick<CanonicalOrder, 'lines'>): Set<string> =>
  new Set(order.lines.flatMap((line) => (line.parentLineNumber === undefined ? [] : [line.parentLineNumber])));

/** The identifier values of the lines that need resolving, in the order they are tried. */
function candidates(line: OrderLine): [string, string][] {
  const identifiers = Object.entries(line.identifiers ?? {});
  const rank = (name: string): number => (partnerFirst.includes(name) ? partnerFirst.indexOf(name) : partnerFirst.length);
  const sorted = identifiers.sort(([a], [b]) => rank(a) - rank(b));
  return line.sku === undefined || line.sku === '' ? sorted : [['sku', line.sku], ...sorted];
}

/** The values to look up in the partner's cross-references: every identifier of every line that needs one. */
export function partnerItemsToLookUp(order: Pick<CanonicalOrder, 'lines'>, catalog: Catalog): string[] {
  const parents = parentsOf(order);
  const values = order.lines
    .filter((line) => needsResolving(line, catalog, parents))
    .flatMap((line) => candidates(line).map(([, value]) => value));
  return [...new Set(values)];
}

const describe = (line: OrderLine): string => {
  const named = candidates(line).map(([name, value]) => `${name} ${value}`);
  return named.length === 0 ? 'it names no item at all' : `none of ${named.join(', ')} is in the partner's cross-references or the catalog`;
};

/**
 * Resolves every line it can. `partnerItems` holds the partner's cross-references for the values
 * partnerItemsToLookUp asked for. A line still unplannable is listed, with what it did name.
 */
export function resolveItems(order: CanonicalOrder, partnerItems: ReadonlyMap<string, string>, catalog: Catalog): ItemResolutionResult {
  const parents = parentsOf(order);
  const resolved: ResolvedItem[] = [];
  const unresolved: UnresolvedItem[] = [];
  const lines = order.lines.map((line) => {
    if (!needsResolving(line, catalog, parents)) return line;
    let found: ResolvedItem | undefined;
    for (const [name, value] of candidates(line)) {
      const viaPartner = partnerItems.get(value);
      if (viaPartner !== undefined) {
        found = { lineNumber: line.lineNumber, sku: viaPartner, via: `partner:${name}`, value };
        break;
      }
      const kind = identifierKinds[name];
      const key = kind === undefined ? undefined : itemCodeKey(kind, value);
      const viaCatalog = key === undefined || catalog.references === undefined ? undefined : lookup(catalog.references, key);
      if (viaCatalog !== undefined) {
        found = { lineNumber: line.lineNumber, sku: viaCatalog, via: `catalog:${name}`, value };
        break;
      }
    }
    if (found !== undefined && (plans(catalog, found.sku) || parents.has(line.lineNumber))) {
      resolved.push(found);
      return { ...line, sku: found.sku };
    }
    unresolved.push({
      lineNumber: line.lineNumber,
      ...(line.sku === undefined ? {} : { sku: line.sku }),
      identifiers: { ...line.identifiers },
      detail:
        found === undefined
          ? `line ${line.lineNumber}: ${describe(line)}`
          : `line ${line.lineNumber}: ${found.via.replace(':', ' ')} ${found.value} names SKU "${found.sku}", which the catalog has no plan for`,
    });
    return line;
  });
  return { order: resolved.length === 0 ? order : { ...order, lines }, resolved, unresolved };
}

/** Lines ordered with quantity 0: held for a person whatever their items resolve to. */
export function zeroQuantityLines(order: Pick<CanonicalOrder, 'lines'>): UnresolvedItem[] {
  return order.lines
    .filter((line) => line.quantity === 0)
    .map((line) => ({
      lineNumber: line.lineNumber,
      ...(line.sku === undefined ? {} : { sku: line.sku }),
      identifiers: { ...line.identifiers },
      detail: `line ${line.lineNumber}: the quantity ordered is 0, so it is not clear what the partner wants`,
      problem: 'zero-quantity' as const,
    }));
}

/** Why an order waits: 'unresolved-items', 'zero-quantity', or both. */
export const holdReason = (lines: readonly UnresolvedItem[]): string =>
  [...new Set(lines.map((line) => (line.problem === 'zero-quantity' ? 'zero-quantity' : 'unresolved-items')))].sort().join(' and ');
