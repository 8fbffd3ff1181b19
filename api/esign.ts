import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  claimSignatureEvent,
  findSignatureEnvelope,
  releaseSignatureEvent,
  settleSignatureEnvelope,
  type Database,
} from '../adapters/db/index.ts';
import {
  acrobatSignClientIdMatches,
  verifyAcrobatSignWebhook,
  verifyDocusignConnect,
  type AcrobatSignSettings,
  type CallbackVerdict,
  type DocusignSettings,
} from '../adapters/esign/index.ts';
import type { DecideApproval, SignatureProvider } from '../domain/approval.ts';
import { ProblemError } from './problems.ts';

// The signature providers' callbacks: verified over the exact bytes sent, each event recorded once,
// and a final outcome handed to the approvals as a decision by the envelope. A repeat answers 200
// and does nothing more, so that the provider stops retrying.

/** What the callbacks need; a provider left out (not configured) answers 404 on its route. */
export interface EsignCallbacks {
  docusign?: Pick<DocusignSettings, 'connectHmacKeys'> | undefined;
  acrobatSign?: Pick<AcrobatSignSettings, 'clientId'> | undefined;
  decide: DecideApproval;
}

type Raw = FastifyRequest & { rawBody?: Buffer };

const names: Record<SignatureProvider, string> = { docusign: 'DocuSign', 'acrobat-sign': 'Acrobat Sign' };

function notConfigured(provider: SignatureProvider): never {
  throw new ProblemError('not-found', `${names[provider]} is not configured on this gateway`);
}

async function handle(
  db: Database,
  decide: DecideApproval,
  provider: SignatureProvider,
  verdict: CallbackVerdict,
  request: FastifyRequest,
): Promise<Record<string, unknown>> {
  if (!verdict.ok) {
    request.log.warn({ provider, reason: verdict.reason }, 'signature callback refused');
    throw new ProblemError(verdict.status === 401 ? 'webhook-unauthenticated' : 'invalid-request', verdict.reason);
  }
  const { envelopeId, eventId, outcome, detail } = verdict;
  const envelope = await findSignatureEnvelope(db, provider, envelopeId);
  if (envelope === undefined) {
    // Authentic, yet not one we sent (or one whose recording failed): someone should look.
    request.log.warn({ provider, envelopeId, event: detail }, 'signature callback for an unknown envelope');
    throw new ProblemError('not-found', `no ${names[provider]} envelope ${envelopeId} was sent by this gateway`);
  }
  const answer = { provider, envelopeId, eventId, outcome };
  if (!(await claimSignatureEvent(db, { provider, eventId, envelopeId, outcome, detail }))) return { ...answer, status: 'duplicate' };
  if (outcome === 'pending') return { ...answer, status: 'recorded' };
  // DecisionInput names no level: an envelope of a level already passed must not decide the next one.
  if (!envelope.approvalPending || envelope.level !== envelope.currentLevel || envelope.status !== 'sent') {
    request.log.info(
      { provider, envelopeId, level: envelope.level, currentLevel: envelope.currentLevel },
      'signature outcome for a level no longer deciding',
    );
    return { ...answer, status: 'stale' };
  }
  let result;
  try {
    result = await decide({
      approvalId: envelope.approvalId,
      decision: outcome === 'approved' ? 'approve' : 'reject',
      ...(outcome === 'rejected' ? { comment: `${names[provider]} envelope ${envelopeId}: ${detail}` } : {}),
      via: 'signature',
      by: { provider, envelopeId },
    });
  } catch (error) {
    // Not acted on: the provider's retry must find the event unclaimed.
    await releaseSignatureEvent(db, provider, eventId);
    throw error;
  }
  if (result.kind === 'decided' || result.kind === 'already-decided') {
    await settleSignatureEnvelope(db, provider, envelopeId, outcome);
  } else {
    request.log.warn({ provider, envelopeId, result }, 'signature outcome not taken by the approval');
  }
  return { ...answer, status: result.kind === 'decided' ? 'decided' : 'not-applied', decision: result };
}

export function esignHandlers(db: Database, callbacks: EsignCallbacks | undefined) {
  const clientIdEcho = (reply: FastifyReply, clientId: string) => reply.header('x-adobesign-clientid', clientId);
  return {
    async docusignConnect(request: Raw) {
      const settings = callbacks?.docusign;
      if (callbacks === undefined || settings === undefined) return notConfigured('docusign');
      const verdict = verifyDocusignConnect(settings, { headers: request.headers, rawBody: request.rawBody ?? Buffer.alloc(0) });
      return handle(db, callbacks.decide, 'docusign', verdict, request);
    },

    /** Acrobat Sign's verification of intent: our client id, echoed, or the webhook is not created. */
    async acrobatSignWebhookVerify(request: Raw, reply: FastifyReply) {
      const settings = callbacks?.acrobatSign;
      if (settings === undefined) return notConfigured('acrobat-sign');
      if (!acrobatSignClientIdMatches(settings, request.headers)) {
        request.log.warn('Acrobat Sign webhook verification without our client id');
        throw new ProblemError('webhook-unauthenticated', 'X-AdobeSign-ClientId is missing or not our client id');
      }
      clientIdEcho(reply, settings.clientId);
      return { xAdobeSignClientId: settings.clientId };
    },

    async acrobatSignWebhook(request: Raw, reply: FastifyReply) {
      const settings = callbacks?.acrobatSign;
      if (callbacks === undefined || settings === undefined) return notConfigured('acrobat-sign');
      const verdict = verifyAcrobatSignWebhook(settings, { headers: request.headers, rawBody: request.rawBody ?? Buffer.alloc(0) });
      const answer = await handle(db, callbacks.decide, 'acrobat-sign', verdict, request);
      // Only an answer that echoes the client id counts as delivered.
      clientIdEcho(reply, settings.clientId);
      return { xAdobeSignClientId: settings.clientId, ...answer };
    },
  };
}
