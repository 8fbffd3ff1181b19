import type { EnvelopeInbound, EnvelopeOutcome } from './interchange.ts';
import type { PipelineOutcome, ValidOrder } from './runner.ts';

/**
 * Where requests wait to be committed together (app/compose.ts wires it): what arrives while a
 * transaction is being written goes into the next one, and each request is answered when the
 * transaction that holds its rows has committed.
 */
export interface IntakeGroups {
  envelope(inbound: EnvelopeInbound): Promise<EnvelopeOutcome>;
  order(valid: ValidOrder): Promise<PipelineOutcome>;
}
