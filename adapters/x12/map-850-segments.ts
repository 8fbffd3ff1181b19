import type { Address, LineDraft, OrderDraft, Party } from '../../domain/order.ts';
import { element } from './elements.ts';
import type { TransactionSet } from './envelope.ts';
import type { Map850 } from './map-850.ts';
import type { Segment } from './tokenize.ts';

// The 850's segments, one small handler each, building what map850 turns into a draft. What no
// handler takes is kept as [tag, ...elements], so nothing the partner sent is lost.

type Raw = string[];
const raw = (segment: Segment): Raw => [segment.tag, ...segment.elements];
/** An element as the map reads it: absent and empty are the same. */
export const el = (segment: Segment, position: number): string => element(segment, position) ?? '';
const opt = (value: string): string | undefined => (value === '' ? undefined : value);
const isoDate = (value: string): string => (value.length === 8 ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : value);

/** Origins point at segment positions, so that a domain problem can become an AK3/AK4. */
const origin = (position: number): string =>
  position < origins.length ? (origins[position] ??= `/segments/${position}`) : `/segments/${position}`;
/** The origins of the first positions, made once: every line has one, and sets are alike. */
const origins = new Array<string | undefined>(1024).fill(undefined);

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

export function finishLine({ line, unmapped }: LineBuilder): LineDraft {
  return unmapped.length === 0 ? line : { ...line, extras: { ...line.extras, x12: unmapped } };
}

/** What mapping one 850 builds, segment by segment. */
interface Mapping {
  map: Map850;
  header: Partial<OrderDraft> & { extras: Record<string, unknown> };
  unmapped: Raw[];
  references: { qualifier: string; value: string; description?: string }[];
  notes: string[];
  contacts: Record<string, string>[];
  lines: LineBuilder[];
  otherParties: Record<string, Party>;
  currentParty: { role: string; party: Party } | undefined;
  currentLine: LineBuilder | undefined;
  /** The last PO1 line: the parent of the SLN components after it. */
  parent: LineBuilder | undefined;
  totalPosition: number | undefined;
}

/**
 * Maps one segment; false when it does not take it, and the segment is kept unmapped (on the line
 * it belongs to, if any). `owner` is the line the segment comes under, undefined in the header.
 */
type Handler = (m: Mapping, segment: Segment, position: number, owner: LineBuilder | undefined) => boolean;

/** A header segment: under a line it is the line's, unmapped. */
const headerOnly =
  (handler: (m: Mapping, segment: Segment) => void): Handler =>
  (m, segment, _position, owner) => {
    if (owner !== undefined) return false;
    handler(m, segment);
    return true;
  };

function setParty(m: Mapping, role: string, party: Party): void {
  const canonical = m.map.parties[role];
  if (canonical !== undefined) m.header[canonical] = party;
  else m.otherParties[role] = party;
}

const addressOf = (party: Party): Address => party.address ?? { lines: [] };

/** N2, N3, N4 add to the party of the N1 before them. */
const partyDetail =
  (apply: (party: Party, segment: Segment) => void): Handler =>
  (m, segment, _position, owner) => {
    const party = m.currentParty?.party;
    if (owner !== undefined || party === undefined) return false;
    apply(party, segment);
    return true;
  };

const taken: Handler = () => true;

const handlers = new Map<string, Handler>(
  Object.entries({
    ST: taken,
    SE: taken,
    BEG: headerOnly(({ map, header }, segment) => {
      header.orderType = map.orderTypes[el(segment, 1)] ?? 'new';
      header.externalRef = el(segment, 3);
      header.orderDate = isoDate(el(segment, 5));
      header.extras.purposeCode = el(segment, 1);
      header.extras.orderTypeCode = el(segment, 2);
      if (opt(el(segment, 4)) !== undefined) header.extras.releaseNumber = el(segment, 4);
      if (opt(el(segment, 6)) !== undefined) header.extras.contractNumber = el(segment, 6);
    }),
    CUR: (m, segment) => {
      m.header.currency = el(segment, 2);
      return true;
    },
    REF: headerOnly(({ references }, segment) => {
      const reference: Mapping['references'][number] = { qualifier: el(segment, 1), value: el(segment, 2) };
      if (opt(el(segment, 3)) !== undefined) reference.description = el(segment, 3);
      references.push(reference);
    }),
    DTM: ({ map, header }, segment, _position, owner) => {
      const field = (owner === undefined ? map.headerDates : map.lineDates)[el(segment, 1)];
      if (field === undefined || el(segment, 2) === '') return false;
      if (owner === undefined) header[field] = isoDate(el(segment, 2));
      else owner.line[field] = isoDate(el(segment, 2));
      return true;
    },
    ITD: headerOnly(({ header }, segment) => {
      const described =
        opt(el(segment, 12)) ??
        [
          el(segment, 3) && `${el(segment, 3)}% discount`,
          el(segment, 5) && `within ${el(segment, 5)} days`,
          el(segment, 7) && `net ${el(segment, 7)} days`,
        ]
          .filter(Boolean)
          .join(', ');
      if (described !== '') header.paymentTerms = described;
      header.extras.terms = segment.elements.slice();
    }),
    TD5: headerOnly(({ header }, segment) => {
      header.extras.routing = routingOf(segment);
    }),
    MSG: headerOnly(({ notes }, segment) => notes.push(el(segment, 1))),
    MTX: headerOnly(({ notes }, segment) => notes.push(el(segment, 2))),
    N1: headerOnly((m, segment) => {
      m.currentParty = {
        role: el(segment, 1),
        party: { name: el(segment, 2), ...(opt(el(segment, 4)) === undefined ? {} : { code: el(segment, 4) }) },
      };
      setParty(m, m.currentParty.role, m.currentParty.party);
    }),
    N2: partyDetail((party, segment) => {
      party.name = [party.name, el(segment, 1), el(segment, 2)].filter(Boolean).join(' ');
    }),
    N3: partyDetail((party, segment) => {
      const addressLines = addressOf(party).lines.slice();
      if (el(segment, 1) !== '') addressLines.push(el(segment, 1));
      if (el(segment, 2) !== '') addressLines.push(el(segment, 2));
      party.address = { ...addressOf(party), lines: addressLines };
    }),
    N4: partyDetail((party, segment) => {
      party.address = withPlace(addressOf(party), segment);
    }),
    PER: headerOnly(({ currentParty, contacts }, segment) => {
      const contact = contactOf(segment);
      if (currentParty !== undefined) currentParty.party.contact = contact;
      else contacts.push({ role: el(segment, 1), ...contact });
    }),
    PO1: (m, segment, position) => {
      m.currentParty = undefined;
      // Fields are set in the order a line has always been serialized in, origin last.
      const line: Partial<LineDraft> = {
        lineNumber: opt(el(segment, 1)) ?? String(m.lines.length + 1),
        quantity: Number(el(segment, 2)),
        uom: el(segment, 3),
      };
      if (opt(el(segment, 4)) !== undefined) line.unitPrice = Number(el(segment, 4));
      setProductIds(line, segment, 6, m.map);
      if (opt(el(segment, 5)) !== undefined) line.extras = { priceBasis: el(segment, 5) };
      line.origin = origin(position);
      m.currentLine = { line: line as LineDraft, unmapped: [] };
      m.parent = m.currentLine;
      m.lines.push(m.currentLine);
      return true;
    },
    PID: (_m, segment, _position, owner) => {
      if (owner === undefined || el(segment, 5) === '') return false;
      const before = owner.line.description;
      owner.line.description = before === undefined || before === '' ? el(segment, 5) : `${before} ${el(segment, 5)}`;
      return true;
    },
    SLN: (m, segment, position) => {
      const { parent } = m;
      if (parent === undefined || !m.map.componentRelationships.includes(el(segment, 3))) return false;
      const own = el(segment, 1);
      const parentNumber = parent.line.lineNumber;
      const line: Partial<LineDraft> = {
        lineNumber: own.startsWith(`${parentNumber}.`) ? own : `${parentNumber}.${own}`,
        parentLineNumber: parentNumber,
        quantity: Number(opt(el(segment, 4)) ?? '1'),
        uom: opt(el(segment, 5)) ?? parent.line.uom,
      };
      if (opt(el(segment, 6)) !== undefined) line.unitPrice = Number(el(segment, 6));
      setProductIds(line, segment, 9, m.map);
      line.extras = { sln01: own, relationship: el(segment, 3) };
      line.origin = origin(position);
      m.currentLine = { line: line as LineDraft, unmapped: [] };
      m.lines.push(m.currentLine);
      return true;
    },
    CTT: (m) => {
      m.currentLine = undefined;
      return true;
    },
    AMT: (m, segment, position, owner) => {
      if (owner !== undefined || !m.map.totals.includes(el(segment, 1))) return false;
      m.header.statedTotal = Number(el(segment, 2));
      m.totalPosition = position;
      return true;
    },
  }),
);

/** Every segment of the set through its handler, in order. */
export function mapSegments(set: TransactionSet, map: Map850): Mapping {
  const m: Mapping = {
    map,
    header: { extras: {} },
    unmapped: [],
    references: [],
    notes: [],
    contacts: [],
    lines: [],
    otherParties: {},
    currentParty: undefined,
    currentLine: undefined,
    parent: undefined,
    totalPosition: undefined,
  };
  const { segments } = set;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] as Segment;
    const owner = m.currentLine;
    if (handlers.get(segment.tag)?.(m, segment, index + 1, owner) !== true) (owner ?? m).unmapped.push(raw(segment));
  }
  return m;
}
