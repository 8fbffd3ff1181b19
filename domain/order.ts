import type { OrderStatus } from './order-status.ts';
import { err, ok, type Result } from './result.ts';
import type { Problem } from './problem.ts';
import { escapePointer } from './text.ts';

export const channels = ['api', 'x12', 'cxml', 'webhook'] as const;
export type Channel = (typeof channels)[number];
export type OrderType = 'new' | 'change' | 'cancel';
export type Extras = Record<string, unknown>;

export interface Address {
  lines: string[];
  city?: string;
  region?: string;
  postalCode?: string;
  country?: string;
}

export interface Party {
  name: string;
  /** The partner's code for the party (N104, cXML addressID, ...). */
  code?: string;
  address?: Address;
  contact?: { name?: string; email?: string; phone?: string };
}

/** One line as a channel delivered it: flat, a component names its parent by line number. */
export interface LineDraft {
  lineNumber: string;
  parentLineNumber?: string;
  sku?: string;
  /** Qualified identifiers beside the SKU: buyerPart, vendorPart, gtin, upc, ... */
  identifiers?: Record<string, string>;
  description?: string;
  quantity: number;
  uom: string;
  unitPrice?: number;
  requestedShipDate?: string;
  requestedDeliveryDate?: string;
  extras?: Extras;
  /** Where this line sits in the inbound document, so that a problem can point at it. */
  origin: string;
}

export interface OrderDraft {
  channel: Channel;
  externalRef: string;
  orderType: OrderType;
  orderDate: string;
  currency: string;
  requestedShipDate?: string;
  requestedDeliveryDate?: string;
  buyer?: Party;
  shipTo?: Party;
  billTo?: Party;
  paymentTerms?: string;
  notes?: string[];
  /** The total the partner stated, checked against the lines. */
  statedTotal?: number;
  /** Every envelope identifier the partner sent (ISA13, GS06, ST02, payloadID, Idempotency-Key...). */
  envelope?: Record<string, string>;
  lines: LineDraft[];
  extras?: Extras;
}

export interface OrderLine extends Omit<LineDraft, 'origin'> {
  /** Line number of the bundle's parent line, on the parent itself as well as on its components. */
  bundleLineNumber?: string;
  amount?: number;
}

export interface CanonicalOrder extends Omit<OrderDraft, 'lines'> {
  lines: OrderLine[];
  totals: { lineCount: number; amount: number };
}

export interface StoredOrder extends CanonicalOrder {
  id: string;
  partnerId: string;
  status: OrderStatus;
  createdAt: string;
  updatedAt: string;
  lines: (OrderLine & { id: string; parentLineId?: string; status: string })[];
}

export interface OrderProblem extends Problem {
  /** JSON pointer into the inbound document (or its channel's equivalent position). */
  pointer: string;
  code:
    | 'duplicate-line-number'
    | 'unknown-parent-line'
    | 'nested-bundle'
    | 'invalid-quantity'
    | 'invalid-price'
    | 'total-mismatch'
    | 'no-lines'
    | 'too-long';
  detail: string;
  /** The value at fault, for a channel that answers with a copy of it (X12 AK404). */
  value?: string;
}

/**
 * Longest value, in characters as JSON Schema counts them (code points), of each identifier that is
 * stored in an indexed column or a key: one table for every channel. openapi.yaml gives the JSON
 * channel the same maxLength values; cXML's table (adapters/cxml/limits.ts) and the webhook maps
 * take theirs from here; X12's guide is narrower still (BEG03 22, PO101 20, product ids 48).
 */
export const identifierLimits = Object.freeze({
  /** The partner's order reference (PO number, cXML orderID): indexed with the partner. */
  externalRef: 80,
  /** A line's number as the partner numbered it, and a component's parent line number: unique per order. */
  lineNumber: 40,
  /** Our SKU, and every qualified product identifier (buyer part, UPC ...): looked up in the catalog and references. */
  sku: 100,
  productId: 100,
  uom: 10,
  /** A party's code (X12 N104, cXML addressID). */
  partyCode: 80,
  /** A dedupe key a partner chooses: Idempotency-Key, cXML payloadID, a webhook event id. */
  dedupeKey: 255,
  /** cXML orderVersion. */
  orderVersion: 40,
});

/** Characters as JSON Schema's maxLength counts them (code points), so that every channel measures alike. */
export function characters(value: string): number {
  let count = value.length;
  for (let i = 0; i < value.length - 1; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/** The value is longer than `limit` characters (counted only when its UTF-16 length says it may be). */
export const longerThan = (value: string, limit: number): boolean => value.length > limit && characters(value) > limit;

/** The problem of an identifier longer than its limit. */
const tooLong = (pointer: string, value: string, limit: number): OrderProblem => ({
  pointer,
  code: 'too-long',
  detail: `is ${characters(value)} characters long; at most ${limit} are accepted`,
  value,
});

/**
 * Every identifier of the draft that is longer than its limit, each pointed at. Runs for every line
 * of every order: a pointer is built only for a value that is too long, never for the others (that
 * was a tenth of the X12 bench).
 */
function tooLongIdentifiers(draft: OrderDraft): OrderProblem[] {
  const problems: OrderProblem[] = [];
  const { externalRef } = draft;
  if (externalRef !== undefined && longerThan(externalRef, identifierLimits.externalRef))
    problems.push(tooLong('/externalRef', externalRef, identifierLimits.externalRef));
  for (const role of ['buyer', 'shipTo', 'billTo'] as const) {
    const code = draft[role]?.code;
    if (code !== undefined && longerThan(code, identifierLimits.partyCode))
      problems.push(tooLong(`/${role}/code`, code, identifierLimits.partyCode));
  }
  for (const line of draft.lines) {
    const { lineNumber, parentLineNumber, sku, uom, identifiers } = line;
    if (lineNumber !== undefined && longerThan(lineNumber, identifierLimits.lineNumber))
      problems.push(tooLong(`${line.origin}/lineNumber`, lineNumber, identifierLimits.lineNumber));
    if (parentLineNumber !== undefined && longerThan(parentLineNumber, identifierLimits.lineNumber))
      problems.push(tooLong(`${line.origin}/parentLineNumber`, parentLineNumber, identifierLimits.lineNumber));
    if (sku !== undefined && longerThan(sku, identifierLimits.sku)) problems.push(tooLong(`${line.origin}/sku`, sku, identifierLimits.sku));
    if (uom !== undefined && longerThan(uom, identifierLimits.uom)) problems.push(tooLong(`${line.origin}/uom`, uom, identifierLimits.uom));
    const ids = identifiers ?? {};
    for (const name of Object.keys(ids)) {
      const value = ids[name] as string;
      if (value !== undefined && longerThan(value, identifierLimits.productId))
        problems.push(tooLong(`${line.origin}/identifiers/${escapePointer(name)}`, value, identifierLimits.productId));
    }
  }
  return problems;
}

/**
 * Largest quantity and unit price: the JSON schema's maximum, well inside the columns' numeric(18,4)
 * (a larger one, which X12's 15 digits or a shop's JSON can carry, fails the insert).
 */
export const amountLimit = 1_000_000_000;

/** Four decimal places, the precision of X12 and cXML unit prices; avoids float drift in sums. */
const scale = 10_000;
const toUnits = (value: number): number => Math.round(value * scale);
const fromUnits = (units: number): number => units / scale;
const lineUnits = (line: LineDraft): number | undefined =>
  line.unitPrice === undefined ? undefined : Math.round(line.quantity * toUnits(line.unitPrice));

/**
 * Turns a channel's draft into a canonical order, or lists every problem found.
 * Bundles are one level deep: a parent line and its components. `allowZeroQuantity`: for a channel
 * whose acknowledgment is about syntax only (X12: a 997 must not refuse a value the standard allows);
 * such a line is stored and the order held for a person.
 */
export function validateOrder(draft: OrderDraft, options: { allowZeroQuantity?: boolean } = {}): Result<CanonicalOrder, OrderProblem[]> {
  const problems: OrderProblem[] = tooLongIdentifiers(draft);
  if (draft.lines.length === 0) problems.push({ pointer: '/lines', code: 'no-lines', detail: 'an order needs at least one line' });

  const byNumber = new Map<string, LineDraft>();
  for (const line of draft.lines) {
    if (byNumber.has(line.lineNumber)) {
      problems.push({
        pointer: `${line.origin}/lineNumber`,
        code: 'duplicate-line-number',
        detail: `line number "${line.lineNumber}" is used twice`,
      });
    }
    byNumber.set(line.lineNumber, line);
    const allowed = options.allowZeroQuantity === true && line.quantity === 0;
    if (!allowed && (!Number.isFinite(line.quantity) || line.quantity <= 0)) {
      problems.push({
        pointer: `${line.origin}/quantity`,
        code: 'invalid-quantity',
        detail: `quantity must be greater than zero, got ${line.quantity}`,
      });
    } else if (line.quantity > amountLimit) {
      problems.push({
        pointer: `${line.origin}/quantity`,
        code: 'invalid-quantity',
        detail: `quantity must be at most ${amountLimit}, got ${line.quantity}`,
        value: String(line.quantity),
      });
    }
    if (line.unitPrice !== undefined && !(line.unitPrice >= 0 && line.unitPrice <= amountLimit)) {
      problems.push({
        pointer: `${line.origin}/unitPrice`,
        code: 'invalid-price',
        detail: `unit price must be from 0 to ${amountLimit}, got ${line.unitPrice}`,
        value: String(line.unitPrice),
      });
    }
  }
  for (const line of draft.lines) {
    if (line.parentLineNumber === undefined) continue;
    const parent = byNumber.get(line.parentLineNumber);
    if (parent === undefined) {
      problems.push({
        pointer: `${line.origin}/parentLineNumber`,
        code: 'unknown-parent-line',
        detail: `component "${line.lineNumber}" names parent line "${line.parentLineNumber}", which the order does not have`,
      });
    } else if (parent.parentLineNumber !== undefined) {
      problems.push({
        pointer: `${line.origin}/parentLineNumber`,
        code: 'nested-bundle',
        detail: `line "${line.parentLineNumber}" is itself a component; bundles are one level deep`,
      });
    }
  }

  const parents = new Set<string>();
  const componentUnits = new Map<string, number>();
  for (const line of draft.lines) {
    if (line.parentLineNumber === undefined) continue;
    parents.add(line.parentLineNumber);
    const units = lineUnits(line);
    if (units !== undefined) componentUnits.set(line.parentLineNumber, (componentUnits.get(line.parentLineNumber) ?? 0) + units);
  }
  // A priced parent carries the bundle's price; an unpriced one is worth its priced components.
  let totalUnits = 0;
  for (const line of draft.lines) {
    if (line.parentLineNumber !== undefined) continue;
    totalUnits += lineUnits(line) ?? componentUnits.get(line.lineNumber) ?? 0;
  }
  const amount = fromUnits(totalUnits);
  if (draft.statedTotal !== undefined && Math.abs(toUnits(draft.statedTotal) - totalUnits) >= 100) {
    problems.push({
      pointer: '/total',
      code: 'total-mismatch',
      detail: `stated total ${draft.statedTotal} does not match the lines' total ${amount}`,
    });
  }
  if (problems.length > 0) return err(problems);

  // The line's own fields once (a rest copy is V8's fast path), then the two derived ones set on
  // it: spreading it again into a literal with conditional spreads was a tenth of the X12 bench.
  const lines: OrderLine[] = draft.lines.map((draftLine) => {
    const { origin: _origin, ...line }: OrderLine & { origin: string } = draftLine;
    const units = lineUnits(draftLine);
    const bundleLineNumber = line.parentLineNumber ?? (parents.has(line.lineNumber) ? line.lineNumber : undefined);
    if (bundleLineNumber !== undefined) line.bundleLineNumber = bundleLineNumber;
    if (units !== undefined) line.amount = fromUnits(units);
    return line;
  });
  const { lines: _drafts, ...header } = draft;
  // Set on the copy rather than spread into a literal and added to, which is slow in V8.
  return ok(Object.assign(header, { lines, totals: { lineCount: lines.length, amount } }));
}
