import { timingSafeEqual } from 'node:crypto';
import {
  failure,
  header,
  providerTimeoutMs,
  SignatureProviderError,
  type CallbackRequest,
  type CallbackVerdict,
  type SignatureOutcome,
  type SignatureRequest,
  type SignatureSender,
} from './sender.ts';

// Adobe Acrobat Sign REST API v6: the PDF goes up as a transient document, then an agreement in
// process names it and the signer. Webhooks prove their origin by the client id: Acrobat Sign sends
// ours in X-AdobeSign-ClientId on the verification GET and on every POST, and takes a notification
// as delivered only when the answer echoes it back.

export interface AcrobatSignSettings {
  /** The account's API access point, e.g. https://api.na1.adobesign.com. */
  baseUrl: string;
  /** Our API application's client id: what webhooks must carry. */
  clientId: string;
  /** An integration key or an access token; without it, one is got with the refresh token. */
  accessToken?: string;
  refresh?: { clientSecret: string; refreshToken: string };
}

/** Acrobat Sign's text tag for a signature field of the first signer. */
export const acrobatSignAnchor = '{{Sig_es_:signer1:signature}}';

export function acrobatSignSender(settings: AcrobatSignSettings, clock: () => Date = () => new Date()): SignatureSender {
  const api = `${settings.baseUrl.replace(/\/+$/, '')}/api/rest/v6`;
  let token: { value: string; until: number } | undefined;

  const accessToken = async (): Promise<string> => {
    if (settings.accessToken !== undefined) return settings.accessToken;
    const now = clock().getTime();
    if (token !== undefined && token.until > now) return token.value;
    if (settings.refresh === undefined) throw new SignatureProviderError('acrobat-sign', 'no access token and no refresh token configured');
    const response = await fetch(`${settings.baseUrl.replace(/\/+$/, '')}/oauth/v2/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: settings.clientId,
        client_secret: settings.refresh.clientSecret,
        refresh_token: settings.refresh.refreshToken,
      }),
      signal: AbortSignal.timeout(providerTimeoutMs),
    });
    if (!response.ok) throw await failure('acrobat-sign', 'the refresh-token grant', response);
    const body = (await response.json()) as { access_token?: string; expires_in?: number };
    if (typeof body.access_token !== 'string')
      throw new SignatureProviderError('acrobat-sign', 'the refresh-token grant gave no access_token');
    token = { value: body.access_token, until: now + ((body.expires_in ?? 3600) - 300) * 1000 };
    return token.value;
  };

  return {
    provider: 'acrobat-sign',
    anchor: acrobatSignAnchor,
    async send(request: SignatureRequest) {
      const authorization = `Bearer ${await accessToken()}`;
      const name = `${request.subject.slice(0, 90)}.pdf`;
      const form = new FormData();
      form.append('File-Name', name);
      form.append('Mime-Type', 'application/pdf');
      form.append('File', new Blob([new Uint8Array(request.pdf)], { type: 'application/pdf' }), name);
      const uploaded = await fetch(`${api}/transientDocuments`, {
        method: 'POST',
        headers: { authorization, accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(providerTimeoutMs),
      });
      if (!uploaded.ok) throw await failure('acrobat-sign', 'uploading the transient document', uploaded);
      const { transientDocumentId } = (await uploaded.json()) as { transientDocumentId?: string };
      if (typeof transientDocumentId !== 'string')
        throw new SignatureProviderError('acrobat-sign', 'the transient document was stored without a transientDocumentId');

      const agreement = {
        name: request.subject.slice(0, 255),
        fileInfos: [{ transientDocumentId }],
        participantSetsInfo: [{ order: 1, role: 'SIGNER', memberInfos: [{ email: request.signer.email, name: request.signer.name }] }],
        signatureType: 'ESIGN',
        state: 'IN_PROCESS',
        // Shown back in the agreement: which approval and level it decides.
        externalId: { id: `${request.approvalId}:${request.level}` },
      };
      const created = await fetch(`${api}/agreements`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(agreement),
        signal: AbortSignal.timeout(providerTimeoutMs),
      });
      if (!created.ok) throw await failure('acrobat-sign', 'creating the agreement', created);
      const { id } = (await created.json()) as { id?: string };
      if (typeof id !== 'string') throw new SignatureProviderError('acrobat-sign', 'the agreement was created without an id');
      return { provider: 'acrobat-sign' as const, envelopeId: id };
    },
  };
}

/** Whether the request carries our client id (the verification GET and every notification do). */
export function acrobatSignClientIdMatches(settings: Pick<AcrobatSignSettings, 'clientId'>, headers: CallbackRequest['headers']): boolean {
  const sent = header(headers, 'x-adobesign-clientid');
  if (sent === undefined) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(settings.clientId);
  return a.length === b.length && timingSafeEqual(a, b);
}

const outcomes: Record<string, SignatureOutcome> = {
  AGREEMENT_WORKFLOW_COMPLETED: 'approved',
  AGREEMENT_REJECTED: 'rejected',
  AGREEMENT_RECALLED: 'rejected',
};

export function verifyAcrobatSignWebhook(settings: Pick<AcrobatSignSettings, 'clientId'>, request: CallbackRequest): CallbackVerdict {
  if (header(request.headers, 'x-adobesign-clientid') === undefined)
    return { ok: false, status: 401, reason: 'no X-AdobeSign-ClientId header' };
  if (!acrobatSignClientIdMatches(settings, request.headers))
    return { ok: false, status: 401, reason: 'X-AdobeSign-ClientId is not our client id' };
  let message: { event?: unknown; webhookNotificationId?: unknown; agreement?: { id?: unknown } };
  try {
    message = JSON.parse(request.rawBody.toString('utf8')) as typeof message;
  } catch {
    return { ok: false, status: 400, reason: 'the notification is not JSON' };
  }
  const { event, webhookNotificationId } = message;
  const envelopeId = message.agreement?.id;
  if (typeof event !== 'string' || typeof envelopeId !== 'string')
    return { ok: false, status: 400, reason: 'the notification has no event or no agreement.id' };
  return {
    ok: true,
    envelopeId,
    // Acrobat Sign numbers each notification; a retry carries the same id.
    eventId: typeof webhookNotificationId === 'string' ? webhookNotificationId : `${envelopeId}:${event}`,
    outcome: outcomes[event] ?? 'pending',
    detail: event,
  };
}
