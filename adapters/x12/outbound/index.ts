// The outbound transaction sets, and writing one of them as a whole interchange.
import { defaultDelimiters, envelope, serialize, type EnvelopeParams, type OutSegment } from '../serialize.ts';

export { build810 } from './810.ts';
export { build855 } from './855.ts';
export { build856 } from './856.ts';

/** GS01, the functional identifier code that goes with each set. */
const functionalIds = { '855': 'PR', '856': 'SH', '810': 'IN' } as const;

export type OutboundSetId = keyof typeof functionalIds;

/**
 * One set in its own ISA/GS envelope, as text. X12 has no escape character, so a delimiter inside a
 * value (a note, a name, an address) would split it, and a line break would be read as wrapping:
 * such characters become spaces.
 */
export function writeInterchange(params: Omit<EnvelopeParams, 'functionalId'>, setId: OutboundSetId, body: readonly OutSegment[]): string {
  const d = params.delimiters ?? defaultDelimiters;
  // ISA11 is a repetition separator only from 00402 on (envelope() writes U before).
  const separators = [d.element, d.component, d.segment, ...(params.interchangeVersion >= '00402' ? [d.repetition] : [])];
  const clean = (value: string): string => separators.reduce((v, separator) => v.replaceAll(separator, ' '), value.replace(/\s/g, ' '));
  const cleanBody = body.map((s) => ({ tag: s.tag, elements: s.elements.map((e) => (typeof e === 'string' ? clean(e) : e.map(clean))) }));
  return serialize(envelope({ ...params, functionalId: functionalIds[setId] }, [{ id: setId, body: cleanBody }]), d);
}
