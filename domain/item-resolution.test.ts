import { describe, expect, it } from 'vitest';
import { checkCatalog, type Catalog } from './catalog.ts';
import { itemCodeKey, normalizeGtin, normalizeNdc } from './item-codes.ts';
import { holdReason, partnerItemsToLookUp, resolveItems, zeroQuantityLines } from './item-resolution.ts';
import type { CanonicalOrder, OrderLine } from './order.ts';

const plan = { tasks: [{ name: 'ship', type: 'ship', vendor: 'v', sla: 'P1D' }] };

function catalog(extra: Record<string, unknown> = {}): Catalog {
  const checked = checkCatalog({
    vendors: { v: { name: 'V' } },
    skus: { 'MODEM-X1': plan, 'KIT-1': { tasks: [{ name: 'ship', type: 'ship', vendor: 'v', sla: 'P1D', component: 'MODEM-X1' }] } },
    items: { 'MODEM-X1': { gtin: ['614141000012'], ndc: ['1234-5678-90'] } },
    ...extra,
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.error));
  return checked.value;
}

const order = (lines: Partial<OrderLine>[]): CanonicalOrder => ({
  channel: 'x12',
  externalRef: 'PO-1',
  orderType: 'new',
  orderDate: '2026-12-01',
  currency: 'USD',
  totals: { lineCount: lines.length, amount: 0 },
  lines: lines.map((line, index) => ({ lineNumber: String(index + 1), quantity: 1, uom: 'EA', ...line })),
});

describe('product codes', () => {
  it('compares GTIN-8, UPC-A, EAN-13 and GTIN-14 as 14 digits, and refuses a wrong check digit', () => {
    expect(normalizeGtin('614141000012')).toBe('00614141000012');
    expect(normalizeGtin('00614141000012')).toBe('00614141000012');
    expect(normalizeGtin('4006381333931')).toBe('04006381333931');
    expect(normalizeGtin('96385074')).toBe('00000096385074');
    expect(normalizeGtin('614141000013')).toBeUndefined();
    expect(normalizeGtin('61414100001')).toBeUndefined();
    expect(normalizeGtin('ABC')).toBeUndefined();
  });

  it('writes an NDC as its 11-digit 5-4-2 form from each 10-digit layout', () => {
    expect(normalizeNdc('1234-5678-90')).toBe('01234567890');
    expect(normalizeNdc('12345-678-90')).toBe('12345067890');
    expect(normalizeNdc('12345-6789-0')).toBe('12345678900');
    expect(normalizeNdc('12345678901')).toBe('12345678901');
    // Ten digits without hyphens: which part lacks its zero cannot be known.
    expect(normalizeNdc('1234567890')).toBeUndefined();
    expect(itemCodeKey('ndc', '01234-5678-90')).toBe('ndc:01234567890');
  });
});

describe('resolveItems', () => {
  it('keeps a line whose SKU the catalog plans, and asks the partner table for nothing', () => {
    const result = resolveItems(order([{ sku: 'MODEM-X1', identifiers: { buyerPart: 'B-1' } }]), new Map(), catalog());
    expect(result.resolved).toEqual([]);
    expect(result.unresolved).toEqual([]);
    expect(partnerItemsToLookUp(order([{ sku: 'MODEM-X1' }]), catalog())).toEqual([]);
  });

  it("resolves the buyer's part number through the partner's cross-references first", () => {
    const input = order([{ identifiers: { upc: '614141000012', buyerPart: 'B-7' } }]);
    expect(partnerItemsToLookUp(input, catalog())).toEqual(['B-7', '614141000012']);
    const result = resolveItems(input, new Map([['B-7', 'KIT-1']]), catalog());
    expect(result.order.lines[0]?.sku).toBe('KIT-1');
    expect(result.resolved).toEqual([{ lineNumber: '1', sku: 'KIT-1', via: 'partner:buyerPart', value: 'B-7' }]);
  });

  it("resolves a UPC, EAN or GTIN through the catalog's codes, whatever its length", () => {
    for (const [name, value] of [
      ['upc', '614141000012'],
      ['gtin', '00614141000012'],
      ['ean', '0614141000012'],
    ] as const) {
      const result = resolveItems(order([{ identifiers: { [name]: value } }]), new Map(), catalog());
      expect(result.order.lines[0]?.sku).toBe('MODEM-X1');
      expect(result.resolved[0]?.via).toBe(`catalog:${name}`);
    }
    expect(resolveItems(order([{ identifiers: { ndc: '01234567890' } }]), new Map(), catalog()).order.lines[0]?.sku).toBe('MODEM-X1');
  });

  it('lists a line that still names no plannable item, with what it did name', () => {
    const result = resolveItems(
      order([{ sku: 'MODEM-X1' }, { identifiers: { buyerPart: 'NOPE', upc: '614141000029' } }, {}]),
      new Map(),
      catalog(),
    );
    expect(result.resolved).toEqual([]);
    expect(result.unresolved).toEqual([
      {
        lineNumber: '2',
        identifiers: { buyerPart: 'NOPE', upc: '614141000029' },
        detail: "line 2: none of buyerPart NOPE, upc 614141000029 is in the partner's cross-references or the catalog",
      },
      { lineNumber: '3', identifiers: {}, detail: 'line 3: it names no item at all' },
    ]);
  });

  it('without a default plan, an unlisted SKU is resolved too, and a reference to an unplannable SKU is no resolution', () => {
    const unlisted = order([{ sku: 'THEIR-SKU', identifiers: { buyerPart: 'B-9' } }]);
    expect(resolveItems(unlisted, new Map([['THEIR-SKU', 'MODEM-X1']]), catalog()).order.lines[0]?.sku).toBe('MODEM-X1');
    const bad = resolveItems(unlisted, new Map([['B-9', 'GONE']]), catalog());
    expect(bad.unresolved[0]?.detail).toBe('line 1: partner buyerPart B-9 names SKU "GONE", which the catalog has no plan for');
  });

  it("with a default plan any SKU plans, so only lines without one are resolved; a bundle's parent needs none", () => {
    const withDefault = catalog({ default: plan });
    const result = resolveItems(
      order([{ sku: 'ANYTHING' }, { lineNumber: '2' }, { lineNumber: '2.1', parentLineNumber: '2', sku: 'MODEM-X1' }]),
      new Map(),
      withDefault,
    );
    expect(result.unresolved).toEqual([]);
  });
});

describe('zero quantities', () => {
  it('names each line ordered 0, and the hold reason says which problems there are', () => {
    const lines = zeroQuantityLines(order([{ sku: 'MODEM-X1' }, { sku: 'MODEM-X1', quantity: 0 }]));
    expect(lines).toEqual([
      {
        lineNumber: '2',
        sku: 'MODEM-X1',
        identifiers: {},
        detail: 'line 2: the quantity ordered is 0, so it is not clear what the partner wants',
        problem: 'zero-quantity',
      },
    ]);
    expect(holdReason(lines)).toBe('zero-quantity');
    expect(holdReason([{ lineNumber: '1', identifiers: {}, detail: '' }, ...lines])).toBe('unresolved-items and zero-quantity');
  });
});

describe('catalog items', () => {
  it('refuses a code with a wrong check digit and a code that names two SKUs, each with its pointer', () => {
    const checked = checkCatalog({
      vendors: { v: { name: 'V' } },
      skus: { A: plan, B: plan },
      items: { A: { gtin: ['614141000013', '614141000012'] }, B: { gtin: ['00614141000012'], upc: ['x'] } },
    });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.error.map((p) => [p.pointer, p.code])).toEqual([
      ['/items/A/gtin/0', 'bad-item-code'],
      ['/items/B/upc', 'unknown-field'],
      ['/items/B/gtin/0', 'duplicate-item-code'],
    ]);
  });
});
