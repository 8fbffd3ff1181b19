import { defaultDelimiters, envelope, serialize, type EnvelopeParams, type OutSegment } from '../serialize.ts';

// Writing one outbound set as a whole interchange.

/** GS01, the functional identifier code that goes with each set. */
const functionalIds = { '855': 'PR', '856': 'SH', '810': 'IN' } as const;

export type OutboundSetId = keyof typeof functionalIds;

/** One set in its own ISA/GS envelope, as text; GS01 follows from the set. */
export function writeInterchange(params: Omit<EnvelopeParams, 'functionalId'>, setId: OutboundSetId, body: readonly OutSegment[]): string {
  return serialize(
    envelope({ ...params, functionalId: functionalIds[setId] }, [{ id: setId, body }]),
    params.delimiters ?? defaultDelimiters,
  );
}
