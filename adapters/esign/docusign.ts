import { createHmac, createPrivateKey, sign, timingSafeEqual } from 'node:crypto';
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

// DocuSign eSignature REST API v2.1: an access token from the OAuth JWT grant (an assertion signed
// RS256 with the integration's RSA key), then one envelope per signature level, sent at once.
// Connect tells the outcome; each message carries an HMAC-SHA256 of its exact bytes per active key.

export interface DocusignSettings {
  integrationKey: string;
  /** The user the integration acts as (its GUID); they must have granted consent. */
  userId: string;
  accountId: string;
  /** e.g. https://demo.docusign.net/restapi (developer) or the account's base URI + /restapi. */
  basePath: string;
  /** account-d.docusign.com (developer) or account.docusign.com (production). */
  oauthHost: string;
  /** PEM of the integration's RSA private key. */
  privateKey: string;
  /** Connect HMAC keys; a message is genuine when one of its signatures matches one of them. */
  connectHmacKeys: string[];
}

export const docusignAnchor = '/ordergate-sign/';

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** The JWT grant's assertion (DocuSign: iss integration key, sub user, aud the OAuth host, scope signature impersonation). */
export function docusignAssertion(settings: DocusignSettings, now: Date): string {
  const iat = Math.floor(now.getTime() / 1000);
  const head = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = base64url(
    JSON.stringify({
      iss: settings.integrationKey,
      sub: settings.userId,
      aud: settings.oauthHost,
      iat,
      exp: iat + 3600,
      scope: 'signature impersonation',
    }),
  );
  const signature = sign('sha256', Buffer.from(`${head}.${claims}`), createPrivateKey(settings.privateKey));
  return `${head}.${claims}.${base64url(signature)}`;
}

export function docusignSender(settings: DocusignSettings, clock: () => Date = () => new Date()): SignatureSender {
  let token: { value: string; until: number } | undefined;

  const accessToken = async (): Promise<string> => {
    const now = clock();
    if (token !== undefined && token.until > now.getTime()) return token.value;
    const response = await fetch(`https://${settings.oauthHost}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: docusignAssertion(settings, now) }),
      signal: AbortSignal.timeout(providerTimeoutMs),
    });
    if (!response.ok) throw await failure('docusign', 'the JWT grant', response);
    const body = (await response.json()) as { access_token?: string; expires_in?: number };
    if (typeof body.access_token !== 'string') throw new SignatureProviderError('docusign', 'the JWT grant gave no access_token');
    // Renewed five minutes early, so that no envelope is sent with a token about to lapse.
    token = { value: body.access_token, until: now.getTime() + ((body.expires_in ?? 3600) - 300) * 1000 };
    return token.value;
  };

  return {
    provider: 'docusign',
    anchor: docusignAnchor,
    async send(request: SignatureRequest) {
      const envelope = {
        emailSubject: request.subject.slice(0, 100),
        documents: [
          {
            documentId: '1',
            name: `${request.subject.slice(0, 90)}.pdf`,
            fileExtension: 'pdf',
            documentBase64: request.pdf.toString('base64'),
          },
        ],
        recipients: {
          signers: [
            {
              recipientId: '1',
              routingOrder: '1',
              name: request.signer.name,
              email: request.signer.email,
              tabs: { signHereTabs: [{ anchorString: docusignAnchor, anchorUnits: 'pixels', anchorXOffset: '0', anchorYOffset: '0' }] },
            },
          ],
        },
        // Carried back in Connect messages: which approval and level the envelope decides.
        customFields: {
          textCustomFields: [
            { name: 'approvalId', value: request.approvalId, show: 'false' },
            { name: 'level', value: String(request.level), show: 'false' },
          ],
        },
        status: 'sent',
      };
      const response = await fetch(
        `${settings.basePath.replace(/\/+$/, '')}/v2.1/accounts/${encodeURIComponent(settings.accountId)}/envelopes`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${await accessToken()}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(envelope),
          signal: AbortSignal.timeout(providerTimeoutMs),
        },
      );
      if (!response.ok) throw await failure('docusign', 'creating the envelope', response);
      const created = (await response.json()) as { envelopeId?: string };
      if (typeof created.envelopeId !== 'string')
        throw new SignatureProviderError('docusign', 'the envelope was created without an envelopeId');
      return { provider: 'docusign' as const, envelopeId: created.envelopeId };
    },
  };
}

const outcomes: Record<string, SignatureOutcome> = {
  'envelope-completed': 'approved',
  'envelope-declined': 'rejected',
  'envelope-voided': 'rejected',
};

/** Up to 100 keys can be active at once; DocuSign sends one header per key. */
const signatureHeaders = (headers: CallbackRequest['headers']): string[] =>
  Array.from({ length: 100 }, (_, i) => header(headers, `x-docusign-signature-${i + 1}`)).filter((v): v is string => v !== undefined);

export function verifyDocusignConnect(settings: Pick<DocusignSettings, 'connectHmacKeys'>, request: CallbackRequest): CallbackVerdict {
  const sent = signatureHeaders(request.headers).map((value) => Buffer.from(value, 'base64'));
  if (sent.length === 0) return { ok: false, status: 401, reason: 'no X-DocuSign-Signature-1 header' };
  const genuine = settings.connectHmacKeys.some((key) => {
    const expected = createHmac('sha256', key).update(request.rawBody).digest();
    return sent.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  });
  if (!genuine) return { ok: false, status: 401, reason: 'no X-DocuSign-Signature header matches a Connect HMAC key' };

  let message: { event?: unknown; data?: { envelopeId?: unknown; envelopeSummary?: { status?: unknown } } };
  try {
    message = JSON.parse(request.rawBody.toString('utf8')) as typeof message;
  } catch {
    return { ok: false, status: 400, reason: 'the Connect message is not JSON (the configuration must send JSON, SIM format)' };
  }
  const event = message.event;
  const envelopeId = message.data?.envelopeId;
  if (typeof event !== 'string' || typeof envelopeId !== 'string')
    return { ok: false, status: 400, reason: 'the Connect message has no event or no data.envelopeId' };
  return {
    ok: true,
    envelopeId,
    // Connect messages carry no id of their own, and a retry is the same event again; an envelope
    // reaches each of its states once, so its id and the event name one event.
    eventId: `${envelopeId}:${event}`,
    outcome: outcomes[event] ?? 'pending',
    detail: event,
  };
}
