import { readdirSync, readFileSync } from 'node:fs';
import {
  amountLimit,
  characters,
  identifierLimits,
  longerThan,
  type Address,
  type LineDraft,
  type OrderDraft,
  type OrderType,
  type Party,
} from '../../domain/order.ts';
import type { Problem } from '../../domain/problem.ts';
import { err, ok, type Result } from '../../domain/result.ts';
import { packageFile } from '../../package-files.ts';
import { bundleStyles, type Placement } from './bundles.ts';
import { Reader, readPointer, withoutPointers, type Field } from './reader.ts';

// A shop's order payload → canonical order draft, driven by a map in mappings/webhooks/. What no
// map field reads is kept in extras (the header's, or the line's), nulls aside.

interface PartySpec {
  at: string;
  name: Field;
  code?: Field;
  address?: { lines: Field; city?: Field; region?: Field; postalCode?: Field; country?: Field };
  contact?: { name?: Field; email?: Field; phone?: Field };
}

interface LineSpec {
  sku?: Field;
  description?: Field;
  quantity: Field;
  unitPrice?: Field;
  uom: string;
  identifiers?: Record<string, Field>;
}

export interface WebhookMap {
  /** The topics (Shopify's X-Shopify-Topic, a Standard Webhooks `type`) this map turns into orders. */
  topics: string[];
  orderType: OrderType;
  header: { externalRef: Field; orderDate: Field; currency: Field; statedTotal?: Field; paymentTerms?: Field; notes?: Field };
  envelope?: Record<string, Field>;
  parties?: Partial<Record<'buyer' | 'shipTo' | 'billTo', PartySpec>>;
  lines: LineSpec & { at: string };
  bundles?: { style: string; groups: string; groupId: Field; memberOf: Field; parent: LineSpec };
}

const folder = packageFile('mappings/webhooks/');

/** Every map in mappings/webhooks/ by name (file name without .json); sources.json is not a map. */
export const webhookMaps: ReadonlyMap<string, WebhookMap> = new Map(
  readdirSync(folder)
    .filter((file) => file.endsWith('.json') && file !== 'sources.json')
    .map((file) => [file.replace(/\.json$/, ''), JSON.parse(readFileSync(new URL(file, folder), 'utf8')) as WebhookMap]),
);

const problem = (pointer: string, code: string, detail: string): Problem => ({ pointer, code, detail });

/** An identifier the order stores or indexes, longer than it may be: a problem pointing into the shop's payload. */
function tooLong(problems: Problem[], pointer: string, value: string | undefined, limit: number): void {
  if (value !== undefined && longerThan(value, limit))
    problems.push(problem(pointer, 'too-long', `is ${characters(value)} characters long; at most ${limit} are accepted`));
}

/** An object of the entries that have a value. */
function present<T>(entries: readonly (readonly [string, T | undefined])[]): Record<string, T> {
  return Object.fromEntries(entries.filter((entry): entry is readonly [string, T] => entry[1] !== undefined));
}

function partyOf(reader: Reader, spec: PartySpec, problems: Problem[]): Party | undefined {
  const at = reader.within(spec.at);
  if (at === undefined) return undefined;
  const lines = at.texts(spec.address?.lines) ?? [];
  const field = (f: Field | undefined) => (f === undefined ? undefined : at.text(f));
  const address: Address = { lines };
  for (const key of ['city', 'region', 'postalCode', 'country'] as const) {
    const value = field(spec.address?.[key]);
    if (value !== undefined) address[key] = value;
  }
  const contact = present((['name', 'email', 'phone'] as const).map((key) => [key, field(spec.contact?.[key])] as const));
  const code = field(spec.code);
  if (spec.code !== undefined) tooLong(problems, at.where(spec.code), code, identifierLimits.partyCode);
  return {
    name: at.text(spec.name) ?? '',
    ...(code === undefined ? {} : { code }),
    ...(lines.length === 0 ? {} : { address }),
    ...(Object.keys(contact).length === 0 ? {} : { contact }),
  };
}

/** `claims`: fields read only to place the line (its bundle marker), which are not extras either. */
function lineOf(item: unknown, spec: LineSpec, claims: Field[], placement: Placement, origin: string, problems: Problem[]): LineDraft {
  const reader = new Reader(item);
  const quantity = reader.number(spec.quantity);
  const unitPrice = spec.unitPrice === undefined ? undefined : reader.number(spec.unitPrice);
  if (quantity === undefined || Number.isNaN(quantity))
    problems.push(problem(`${origin}${reader.where(spec.quantity)}`, 'not-a-number', 'quantity is missing or not a number'));
  if (unitPrice !== undefined && Number.isNaN(unitPrice))
    problems.push(problem(`${origin}${reader.where(spec.unitPrice as Field)}`, 'not-a-number', 'price is not a number'));
  // What the order's columns hold (the domain checks it too, but only here is the shop's own field known).
  if (quantity !== undefined && quantity > amountLimit)
    problems.push(problem(`${origin}${reader.where(spec.quantity)}`, 'invalid-quantity', `quantity must be at most ${amountLimit}`));
  if (unitPrice !== undefined && (unitPrice < 0 || unitPrice > amountLimit))
    problems.push(problem(`${origin}${reader.where(spec.unitPrice as Field)}`, 'invalid-price', `price must be from 0 to ${amountLimit}`));
  const identifiers = present(Object.entries(spec.identifiers ?? {}).map(([name, f]) => [name, reader.text(f)] as const));
  const sku = spec.sku === undefined ? undefined : reader.text(spec.sku);
  if (spec.sku !== undefined) tooLong(problems, `${origin}${reader.where(spec.sku)}`, sku, identifierLimits.sku);
  for (const [name, f] of Object.entries(spec.identifiers ?? {}))
    tooLong(problems, `${origin}${reader.where(f)}`, identifiers[name], identifierLimits.productId);
  const description = spec.description === undefined ? undefined : reader.text(spec.description);
  for (const claim of claims) reader.value(claim);
  const rest = withoutPointers(item, reader.used);
  // A line that is not an object (null, a string) has no extras; its quantity is already refused.
  const extras = rest !== null && typeof rest === 'object' && !Array.isArray(rest) ? (rest as Record<string, unknown>) : {};
  return {
    lineNumber: placement.lineNumber,
    ...(placement.parentLineNumber === undefined ? {} : { parentLineNumber: placement.parentLineNumber }),
    ...(sku === undefined ? {} : { sku }),
    ...(Object.keys(identifiers).length === 0 ? {} : { identifiers }),
    ...(description === undefined ? {} : { description }),
    quantity: quantity ?? Number.NaN,
    uom: spec.uom,
    ...(unitPrice === undefined ? {} : { unitPrice }),
    ...(Object.keys(extras).length === 0 ? {} : { extras }),
    origin,
  };
}

/**
 * The order at `base` (a JSON pointer: "" when the body is the order, "/data" in a Standard
 * Webhooks envelope) as a draft; problems point into the body as sent.
 */
export function mapWebhookOrder(map: WebhookMap, body: unknown, base: string): Result<OrderDraft, Problem[]> {
  const root = new Reader(body).within(base);
  if (root === undefined) return err([problem(base || '/', 'not-an-object', 'the order is not a JSON object')]);
  const problems: Problem[] = [];
  const required = (name: string, f: Field): string => {
    const value = root.text(f);
    if (value === undefined) problems.push(problem(root.where(f), 'required', `${name} is required`));
    return value ?? '';
  };
  const externalRef = required('the order reference', map.header.externalRef);
  tooLong(problems, root.where(map.header.externalRef), externalRef, identifierLimits.externalRef);
  const orderDate = required('the order date', map.header.orderDate).slice(0, 10);
  const currency = required('the currency', map.header.currency);
  const statedTotal = map.header.statedTotal === undefined ? undefined : root.number(map.header.statedTotal);
  if (statedTotal !== undefined && Number.isNaN(statedTotal))
    problems.push(problem(root.where(map.header.statedTotal as Field), 'not-a-number', 'the total is not a number'));
  const paymentTerms = map.header.paymentTerms === undefined ? undefined : root.text(map.header.paymentTerms);
  const notes = root.texts(map.header.notes);
  const envelope = present(Object.entries(map.envelope ?? {}).map(([name, f]) => [name, root.text(f)] as const));
  const parties = present(Object.entries(map.parties ?? {}).map(([role, spec]) => [role, partyOf(root, spec, problems)] as const));

  const items = root.list(map.lines.at);
  const groups = map.bundles === undefined ? [] : root.list(map.bundles.groups);
  const style = map.bundles === undefined ? bundleStyles.none : bundleStyles[map.bundles.style];
  if (style === undefined) throw new Error(`unknown bundle style "${map.bundles?.style}"`);
  const placed = style(items, groups, map.bundles);
  if (!placed.ok) return err([...problems, ...placed.error.map((p) => ({ ...p, pointer: `${base}${map.lines.at}${p.pointer}` }))]);
  const lines = placed.value.map((placement) =>
    placement.from === 'item'
      ? lineOf(
          items[placement.index],
          map.lines,
          map.bundles === undefined ? [] : [map.bundles.memberOf],
          placement,
          `${base}${map.lines.at}/${placement.index}`,
          problems,
        )
      : lineOf(
          groups[placement.index],
          map.bundles?.parent as LineSpec,
          map.bundles === undefined ? [] : [map.bundles.groupId],
          placement,
          `${base}${map.bundles?.groups}/${placement.index}`,
          problems,
        ),
  );
  if (problems.length > 0) return err(problems);

  const extras = withoutPointers(
    readPointer(body, base),
    [...root.used].map((p) => p.slice(base.length)),
  ) as Record<string, unknown>;
  return ok({
    channel: 'webhook',
    externalRef,
    orderType: map.orderType,
    orderDate,
    currency,
    ...parties,
    ...(paymentTerms === undefined ? {} : { paymentTerms }),
    ...(notes === undefined ? {} : { notes }),
    ...(statedTotal === undefined ? {} : { statedTotal }),
    envelope,
    lines,
    ...(Object.keys(extras).length === 0 ? {} : { extras }),
  });
}
