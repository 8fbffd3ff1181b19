import { requestSignature, type SignatureDeps } from '../../adapters/esign/index.ts';
import { leaseSignatureLevels, noteSignatureFailure, noteSignatureSent } from '../../pipeline/approvals.ts';
import type { OrderStore } from '../../pipeline/ports.ts';
import type { Job } from '../scheduler.ts';

/**
 * Signature levels are sent to their provider here, after the transaction that started them has
 * committed: the order as a PDF to the level's signer (adapters/esign). A level is leased to one
 * sender; a send that fails is noted in the order's history and tried again when the lease runs out.
 */
export const signatureRequestsJob = (store: OrderStore, signatures: SignatureDeps, everyMs = 5_000): Job => ({
  name: 'signature-requests',
  everyMs,
  async run() {
    const levels = await leaseSignatureLevels(store);
    for (const level of levels) {
      if (level.signer === undefined) {
        await noteSignatureFailure(store, level, 'nobody of the level has an e-mail address to sign with');
        continue;
      }
      try {
        const { envelopeId } = await requestSignature(signatures, level.summary, level.signer, level.provider);
        await noteSignatureSent(store, level, envelopeId);
      } catch (error) {
        await noteSignatureFailure(store, level, error instanceof Error ? error.message : String(error));
      }
    }
    return false;
  },
});
