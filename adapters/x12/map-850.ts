import { readFileSync } from 'node:fs';
import type { Address, CanonicalOrder, LineDraft, OrderDraft, OrderType, Party } from '../../domain/order.ts';
import { validateOrder } from '../../domain/order.ts';
import { elementErrors, segmentErrors, setErrors } from './codes.ts';
import { element, ST } from './elements.ts';
import type { TransactionSet } from './envelope.ts';
import type { SegmentError } from './guide.ts';
import type { SetContext, SetMapper } from './read.ts';
import type { Segment } from './tokenize.ts';

// X12 850 → canonical order draft, driven by a map in mappings/x12/850/. What no map claims is kept
// in extras as [tag, ...elements], so nothing the partner sent is lost.

export interface Map850 {
  extends?: string;
  orderTypes: Record<string, OrderType>;
  headerDates: Record<string, 'requestedDeliveryDate' | 'requestedShipDate'>;
  lineDates: Record<string, 'requestedDeliveryDate' | 'requestedShipDate'>;
  parties: Record<string, 'buyer' | 'shipTo' | 'billTo'>;
  /** Product id qualifiers whose value becomes the SKU, first found wins. */
  skuFrom: string[];
  identifiers: Record<string, string>;
  /** AMT01 qualifiers whose amount is the order total the partner states. */
  totals: string[];
  /** SLN03 codes that make a sub-line a bundle component. */
  componentRelationships: string[];
  defaultCurrency: string;
}

const mapsDir = new URL('../../mappings/x12/850/', import.meta.url);
const maps = new Map<string, Map850>();

export function loadMap850(name: string): Map850 {
  const cached = maps.get(name);
  if (cached !== undefined) return cached;
  if (!/^[a-z0-9-]+$/i.test(name)) throw new Error(`map name "${name}" may hold only letters, digits and dashes`);
  const own = JSON.parse(readFileSync(new URL(`${name}.json`, mapsDir), 'utf8')) as Partial<Map850>;
  const map = own.extends === undefined ? (own as Map850) : { ...loadMap850(own.extends), ...own };
  maps.set(name, map);
  return map;
}

type Raw = string[];
const raw = (segment: Segment): Raw => [segment.tag, ...segment.elements];
const el = (segment: Segment, position: number): string => element(segment, position) ?? '';
const opt = (value: string): string | undefined => (value === '' ? undefined : value);
const isoDate = (value: string): string => (value.length === 8 ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : value);

/** Origins point at segment positions, so that a domain problem can become an AK3/AK4. */
const origin = (position: number): string => `/segments/${position}`;

/** TD5 routing: the elements that are there, in this order. */
function routingOf(td5: Segment): Record<string, string> {
  const routing: Record<string, string> = {};
  if (el(td5, 2) !== '') routing.carrierQualifier = el(td5, 2);
  if (el(td5, 3) !== '') routing.carrier = el(td5, 3);
  if (el(td5, 4) !== '') routing.mode = el(td5, 4);
  if (el(td5, 5) !== '') routing.routing = el(td5, 5);
  if (el(td5, 12) !== '') routing.serviceLevel = el(td5, 12);
  return routing;
}

/** A shallow copy that fields can be added to quickly (see the end of map850). */
function copyOf<T extends object>(source: T): T {
  const copy: Partial<T> = {};
  for (const key in source) if (Object.hasOwn(source, key)) copy[key] = source[key];
  return copy as T;
}

/** The party's address with N4's place set on it (what is there), its other fields kept in their order. */
function withPlace(address: Address, n4: Segment): Address {
  const next = copyOf(address);
  if (el(n4, 1) !== '') next.city = el(n4, 1);
  if (el(n4, 2) !== '') next.region = el(n4, 2);
  if (el(n4, 3) !== '') next.postalCode = el(n4, 3);
  if (el(n4, 4) !== '') next.country = el(n4, 4);
  return next;
}

/**
 * Sets a line's sku and identifiers from qualifier/value pairs starting at element `from`. The SKU
 * comes from the qualifier listed first in map.skuFrom, its last value when it is repeated.
 * Runs for every line: no Map, no spread.
 */
function setProductIds(line: Partial<LineDraft>, segment: Segment, from: number, map: Map850): void {
  const identifiers: Record<string, string> = {};
  let sku: string | undefined;
  let skuRank = map.skuFrom.length;
  for (let i = from; i + 1 <= segment.elements.length; i += 2) {
    const qualifier = el(segment, i);
    const value = el(segment, i + 1);
    if (qualifier === '' || value === '') continue;
    identifiers[map.identifiers[qualifier] ?? qualifier] = value;
    const rank = map.skuFrom.indexOf(qualifier);
    if (rank !== -1 && rank <= skuRank) {
      sku = value;
      skuRank = rank;
    }
  }
  if (sku !== undefined) line.sku = sku;
  line.identifiers = identifiers;
}

function contactOf(per: Segment): Record<string, string> {
  const contact: Record<string, string> = {};
  if (el(per, 2) !== '') contact.name = el(per, 2);
  for (let i = 3; i < per.elements.length; i += 2) {
    if (el(per, i) === 'TE') contact.phone = el(per, i + 1);
    if (el(per, i) === 'EM') contact.email = el(per, i + 1);
  }
  return contact;
}

interface LineBuilder {
  line: LineDraft;
  unmapped: Raw[];
}

function finishLine({ line, unmapped }: LineBuilder): LineDraft {
  return unmapped.length === 0 ? line : { ...line, extras: { ...line.extras, x12: unmapped } };
}

/** An 850 mapped and validated: the draft as mapped (origins kept) and the order validation made of it. */
export type Mapped850 = { ok: true; draft: OrderDraft; order: CanonicalOrder } | { ok: false; errors: SegmentError[] };

export function map850(set: TransactionSet, context: SetContext, map: Map850): Mapped850 {
  const header: Partial<OrderDraft> & { extras: Record<string, unknown> } = { extras: {} };
  const unmapped: Raw[] = [];
  const references: { qualifier: string; value: string; description?: string }[] = [];
  const notes: string[] = [];
  const contacts: Record<string, string>[] = [];
  const lines: LineBuilder[] = [];
  let currentParty: { role: string; party: Party } | undefined;
  let currentLine: LineBuilder | undefined;
  /** The last PO1 line: the parent of the SLN components after it. */
  let parent: LineBuilder | undefined;
  let totalPosition: number | undefined;
  const otherParties: Record<string, Party> = {};

  const setParty = (role: string, party: Party) => {
    const canonical = map.parties[role];
    if (canonical !== undefined) header[canonical] = party;
    else otherParties[role] = party;
  };
  const address = (party: Party): Address => party.address ?? { lines: [] };

  set.segments.forEach((segment, index) => {
    const position = index + 1;
    const owner = currentLine;
    switch (segment.tag) {
      case 'ST':
      case 'SE':
        return;
      case 'BEG':
        header.orderType = map.orderTypes[el(segment, 1)] ?? 'new';
        header.externalRef = el(segment, 3);
        header.orderDate = isoDate(el(segment, 5));
        header.extras.purposeCode = el(segment, 1);
        header.extras.orderTypeCode = el(segment, 2);
        if (opt(el(segment, 4)) !== undefined) header.extras.releaseNumber = el(segment, 4);
        if (opt(el(segment, 6)) !== undefined) header.extras.contractNumber = el(segment, 6);
        return;
      case 'CUR':
        header.currency = el(segment, 2);
        return;
      case 'REF': {
        if (owner !== undefined) break;
        const reference: (typeof references)[number] = { qualifier: el(segment, 1), value: el(segment, 2) };
        if (opt(el(segment, 3)) !== undefined) reference.description = el(segment, 3);
        references.push(reference);
        return;
      }
      case 'DTM': {
        const field = (owner === undefined ? map.headerDates : map.lineDates)[el(segment, 1)];
        if (field === undefined || el(segment, 2) === '') break;
        if (owner === undefined) header[field] = isoDate(el(segment, 2));
        else owner.line[field] = isoDate(el(segment, 2));
        return;
      }
      case 'ITD': {
        if (owner !== undefined) break;
        const described = opt(el(segment, 12)) ?? [el(segment, 3) && `${el(segment, 3)}% discount`, el(segment, 5) && `within ${el(segment, 5)} days`, el(segment, 7) && `net ${el(segment, 7)} days`].filter(Boolean).join(', ');
        if (described !== '') header.paymentTerms = described;
        header.extras.terms = segment.elements.slice();
        return;
      }
      case 'TD5': {
        if (owner !== undefined) break;
        header.extras.routing = routingOf(segment);
        return;
      }
      case 'MSG':
      case 'MTX':
        if (owner !== undefined) break;
        notes.push(segment.tag === 'MSG' ? el(segment, 1) : el(segment, 2));
        return;
      case 'N1':
        if (owner !== undefined) break;
        currentParty = { role: el(segment, 1), party: { name: el(segment, 2), ...(opt(el(segment, 4)) === undefined ? {} : { code: el(segment, 4) }) } };
        setParty(currentParty.role, currentParty.party);
        return;
      case 'N2':
      case 'N3':
      case 'N4': {
        const party = currentParty?.party;
        if (owner !== undefined || party === undefined) break;
        if (segment.tag === 'N2') party.name = [party.name, el(segment, 1), el(segment, 2)].filter(Boolean).join(' ');
        if (segment.tag === 'N3') {
          const addressLines = address(party).lines.slice();
          if (el(segment, 1) !== '') addressLines.push(el(segment, 1));
          if (el(segment, 2) !== '') addressLines.push(el(segment, 2));
          party.address = { ...address(party), lines: addressLines };
        }
        if (segment.tag === 'N4') party.address = withPlace(address(party), segment);
        return;
      }
      case 'PER': {
        if (owner !== undefined) break;
        const contact = contactOf(segment);
        if (currentParty !== undefined) currentParty.party.contact = contact;
        else contacts.push({ role: el(segment, 1), ...contact });
        return;
      }
      case 'PO1': {
        currentParty = undefined;
        // Fields are set in the order a line has always been serialized in, origin last.
        const line: Partial<LineDraft> = { lineNumber: opt(el(segment, 1)) ?? String(lines.length + 1), quantity: Number(el(segment, 2)), uom: el(segment, 3) };
        if (opt(el(segment, 4)) !== undefined) line.unitPrice = Number(el(segment, 4));
        setProductIds(line, segment, 6, map);
        if (opt(el(segment, 5)) !== undefined) line.extras = { priceBasis: el(segment, 5) };
        line.origin = origin(position);
        currentLine = { line: line as LineDraft, unmapped: [] };
        parent = currentLine;
        lines.push(currentLine);
        return;
      }
      case 'PID': {
        if (owner === undefined || el(segment, 5) === '') break;
        const before = owner.line.description;
        owner.line.description = before === undefined || before === '' ? el(segment, 5) : `${before} ${el(segment, 5)}`;
        return;
      }
      case 'SLN': {
        if (parent === undefined || !map.componentRelationships.includes(el(segment, 3))) break;
        const own = el(segment, 1);
        const parentNumber = parent.line.lineNumber;
        const line: Partial<LineDraft> = {
          lineNumber: own.startsWith(`${parentNumber}.`) ? own : `${parentNumber}.${own}`,
          parentLineNumber: parentNumber,
          quantity: Number(opt(el(segment, 4)) ?? '1'),
          uom: opt(el(segment, 5)) ?? parent.line.uom,
        };
        if (opt(el(segment, 6)) !== undefined) line.unitPrice = Number(el(segment, 6));
        setProductIds(line, segment, 9, map);
        line.extras = { sln01: own, relationship: el(segment, 3) };
        line.origin = origin(position);
        currentLine = { line: line as LineDraft, unmapped: [] };
        lines.push(currentLine);
        return;
      }
      case 'CTT':
        currentLine = undefined;
        return;
      case 'AMT':
        if (owner !== undefined || !map.totals.includes(el(segment, 1))) break;
        header.statedTotal = Number(el(segment, 2));
        totalPosition = position;
        return;
      default:
        break;
    }
    (owner ?? { unmapped }).unmapped.push(raw(segment));
  });

  const envelope: Record<string, string> = {
    isaSenderQualifier: el(context.isa, 5),
    isaSender: el(context.isa, 6).trim(),
    isaReceiverQualifier: el(context.isa, 7),
    isaReceiver: el(context.isa, 8).trim(),
    isaControlNumber: el(context.isa, 13),
    gsSender: el(context.gs, 2),
    gsReceiver: el(context.gs, 3),
    gsControlNumber: el(context.gs, 6),
    version: el(context.gs, 8),
    stControlNumber: el(set.st, 2),
  };
  // Objects are built by setting fields, not by spreading one into a literal and adding to it:
  // V8 gives such a copy a shape of its own, and every field added to it costs microseconds.
  const { extras, ...fields } = header;
  if (references.length > 0) extras.references = references;
  if (contacts.length > 0) extras.contacts = contacts;
  if (Object.keys(otherParties).length > 0) extras.parties = otherParties;
  if (unmapped.length > 0) extras.x12 = unmapped;
  const draft: OrderDraft = Object.assign(
    fields,
    {
      channel: 'x12' as const,
      externalRef: fields.externalRef ?? '',
      orderType: fields.orderType ?? 'new',
      orderDate: fields.orderDate ?? '',
      currency: fields.currency ?? map.defaultCurrency,
    },
    notes.length > 0 ? { notes } : {},
    { envelope, lines: lines.map(finishLine), extras },
  );

  // The rules every order obeys, answered in X12 terms.
  const checked = validateOrder(draft);
  if (checked.ok) return { ok: true, draft, order: checked.value };
  const fieldElement: Record<string, [po1: number, sln: number]> = { lineNumber: [1, 1], quantity: [2, 4], parentLineNumber: [1, 2] };
  return {
    ok: false,
    errors: checked.error.map((problem): SegmentError => {
      const at = /^\/segments\/(\d+)\/(\w+)$/.exec(problem.pointer);
      if (problem.code === 'total-mismatch' && totalPosition !== undefined) {
        return { tag: 'AMT', position: totalPosition, code: segmentErrors.hasElementErrors, elements: [{ position: 2, code: elementErrors.invalidCode, value: String(draft.statedTotal) }] };
      }
      const position = Number(at?.[1] ?? 1);
      const segment = set.segments[position - 1] as Segment;
      const element = fieldElement[at?.[2] ?? 'lineNumber'] ?? [1, 1];
      return { tag: segment.tag, position, code: segmentErrors.hasElementErrors, elements: [{ position: segment.tag === 'SLN' ? element[1] : element[0], code: elementErrors.invalidCode, value: el(segment, segment.tag === 'SLN' ? element[1] : element[0]) }] };
    }),
  };
}

const notTakenHere = (): { ok: false; errors: SegmentError[]; setCodes: string[] } => ({ ok: false, errors: [], setCodes: [setErrors.notSupported] });

/**
 * The mapper for a partner's 850 map: the validated order, so that no consumer validates it again.
 * Any other transaction set is answered as not taken here.
 */
export function map850For(mapName: string): SetMapper<CanonicalOrder> {
  const map = loadMap850(mapName);
  return (set, context) => {
    if (element(set.st, ST.setId) !== '850') return notTakenHere();
    const mapped = map850(set, context, map);
    return mapped.ok ? { ok: true, value: mapped.order } : mapped;
  };
}

/** Like map850For, but the drafts as mapped, origins kept: what the golden files show. */
export function draft850For(mapName: string): SetMapper<OrderDraft> {
  const map = loadMap850(mapName);
  return (set, context) => {
    if (element(set.st, ST.setId) !== '850') return notTakenHere();
    const mapped = map850(set, context, map);
    return mapped.ok ? { ok: true, value: mapped.draft } : mapped;
  };
}
