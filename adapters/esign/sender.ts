import type { SignatureProvider } from '../../domain/approval.ts';

// One interface for both signature providers: the gateway sends a PDF to one signer and later
// hears, through a verified callback, whether it was signed.

export interface SignatureRequest {
  approvalId: string;
  level: number;
  signer: { name: string; email: string };
  subject: string;
  pdf: Buffer;
}

export interface SignatureSender {
  readonly provider: SignatureProvider;
  /** Where in the PDF the provider places the signature field: the renderer writes it there. */
  readonly anchor: string;
  send(request: SignatureRequest): Promise<{ provider: SignatureProvider; envelopeId: string }>;
}

export type SignatureOutcome = 'approved' | 'rejected' | 'pending';

/** A callback as its provider's verification judged it. */
export type CallbackVerdict =
  | { ok: true; envelopeId: string; eventId: string; outcome: SignatureOutcome; detail: string }
  | { ok: false; status: 400 | 401; reason: string };

/** Raw request as the callback route hands it over: the signature is over these exact bytes. */
export interface CallbackRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/** A provider answered something other than what its reference promises. */
export class SignatureProviderError extends Error {
  constructor(
    readonly provider: SignatureProvider,
    message: string,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'SignatureProviderError';
  }
}

export const header = (headers: CallbackRequest['headers'], name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/** The provider's error body, cut short: enough to see why, never a whole page. */
export async function failure(provider: SignatureProvider, what: string, response: Response): Promise<SignatureProviderError> {
  const text = (await response.text().catch(() => '')).slice(0, 300);
  return new SignatureProviderError(provider, `${what} answered ${response.status}${text === '' ? '' : `: ${text}`}`);
}

/** Longest we wait for a provider's answer. */
export const providerTimeoutMs = 20_000;
