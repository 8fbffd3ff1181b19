import { readdirSync, readFileSync } from 'node:fs';
import type { CanonicalOrder, OrderDraft, OrderType } from '../../domain/order.ts';
import { validateOrder } from '../../domain/order.ts';
import { packageFile } from '../../package-files.ts';
import { elementErrors, segmentErrors, setErrors } from './codes.ts';
import { element, GS, ISA, ST } from './elements.ts';
import { el, finishLine, mapSegments } from './map-850-segments.ts';
import type { TransactionSet } from './envelope.ts';
import { guideFor, loadGuide, type Guide, type SegmentError } from './guide.ts';
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
  /** The partner's own 850 guide in mappings/x12/guides/ (one that `extends` the default, e.g. to narrow a code list). */
  guide?: string;
}

const mapsDir = packageFile('mappings/x12/850/');
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

/** The names of the 850 maps there are (mappings/x12/850/*.json), sorted. */
export const map850Names = (): string[] =>
  readdirSync(mapsDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();

/**
 * Why a partner could not be registered with this 850 map, or undefined when it can: the map and
 * the guide it names must exist and load, so that a wrong name is refused at registration rather
 * than failing the partner's first interchange.
 */
export function map850Problem(mapName: string): string | undefined {
  try {
    loadMap850(mapName);
    guidesFor(mapName);
    return undefined;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'ENOENT'
      ? `there is no 850 map "${mapName}" in mappings/x12/850/ (or a file it names is missing)`
      : (error as Error).message;
  }
}

/** The guides a partner's sets are checked against: its map's own guide for the 850, the default for any other set. */
export function guidesFor(mapName: string): (setId: string) => Guide | undefined {
  const name = loadMap850(mapName).guide;
  if (name === undefined) return guideFor;
  const own = loadGuide(name);
  if (own.set !== '850') throw new Error(`map "${mapName}" names guide "${name}", which is for the ${own.set}, not the 850`);
  return (setId) => (setId === '850' ? own : guideFor(setId));
}

/** An 850 mapped and validated: the draft as mapped (origins kept) and the order validation made of it. */
export type Mapped850 = { ok: true; draft: OrderDraft; order: CanonicalOrder } | { ok: false; errors: SegmentError[] };

export function map850(set: TransactionSet, context: SetContext, map: Map850): Mapped850 {
  const { header, unmapped, references, notes, contacts, lines, otherParties, totalPosition } = mapSegments(set, map);

  const envelope: Record<string, string> = {
    isaSenderQualifier: el(context.isa, ISA.senderQualifier),
    isaSender: el(context.isa, ISA.sender).trim(),
    isaReceiverQualifier: el(context.isa, ISA.receiverQualifier),
    isaReceiver: el(context.isa, ISA.receiver).trim(),
    isaControlNumber: el(context.isa, ISA.controlNumber),
    gsSender: el(context.gs, GS.senderApp),
    gsReceiver: el(context.gs, GS.receiverApp),
    gsControlNumber: el(context.gs, GS.controlNumber),
    version: el(context.gs, GS.version),
    stControlNumber: el(set.st, ST.controlNumber),
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

  // The rules every order obeys, answered in X12 terms. A quantity of 0 is a value PO102 allows:
  // the set is accepted and the order held for a person (pipeline/item-resolution.ts).
  const checked = validateOrder(draft, { allowZeroQuantity: true });
  if (checked.ok) return { ok: true, draft, order: checked.value };
  const fieldElement: Record<string, [po1: number, sln: number]> = {
    lineNumber: [1, 1],
    quantity: [2, 4],
    unitPrice: [4, 6],
    parentLineNumber: [1, 2],
  };
  return {
    ok: false,
    errors: checked.error.map((problem): SegmentError => {
      const at = /^\/segments\/(\d+)\/(\w+)$/.exec(problem.pointer);
      if (problem.code === 'total-mismatch' && totalPosition !== undefined) {
        return {
          tag: 'AMT',
          position: totalPosition,
          code: segmentErrors.hasElementErrors,
          elements: [{ position: 2, code: elementErrors.invalidCode, value: String(draft.statedTotal) }],
        };
      }
      if (problem.code === 'too-long') return tooLongElement(set, problem.pointer, problem.value ?? '');
      const position = Number(at?.[1] ?? 1);
      const segment = set.segments[position - 1] as Segment;
      const element = fieldElement[at?.[2] ?? 'lineNumber'] ?? [1, 1];
      return {
        tag: segment.tag,
        position,
        code: segmentErrors.hasElementErrors,
        elements: [
          {
            position: segment.tag === 'SLN' ? element[1] : element[0],
            code: elementErrors.invalidCode,
            value: el(segment, segment.tag === 'SLN' ? element[1] : element[0]),
          },
        ],
      };
    }),
  };
}

/**
 * An identifier longer than the domain stores (a partner guide may allow more than the default's,
 * or name elements it does not rule): AK4 code 5 at the element that holds it, in the line's
 * segment when the problem names one, else the first segment that holds the value.
 */
function tooLongElement(set: TransactionSet, pointer: string, value: string): SegmentError {
  const named = /^\/segments\/(\d+)/.exec(pointer);
  const candidates = named === null ? set.segments.map((_, i) => i + 1) : [Number(named[1])];
  const position = candidates.find((p) => set.segments[p - 1]?.elements.includes(value)) ?? candidates[0] ?? 1;
  const segment = set.segments[position - 1] as Segment;
  return {
    tag: segment.tag,
    position,
    code: segmentErrors.hasElementErrors,
    elements: [{ position: segment.elements.indexOf(value) + 1 || 1, code: elementErrors.tooLong, value }],
  };
}

const notTakenHere = (): { ok: false; errors: SegmentError[]; setCodes: string[] } => ({
  ok: false,
  errors: [],
  setCodes: [setErrors.notSupported],
});

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
