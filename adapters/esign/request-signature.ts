import type { ApprovalSummary, SignatureProvider } from '../../domain/approval.ts';
import { recordSignatureEnvelope, type Database } from '../db/index.ts';
import { acrobatSignSender, type AcrobatSignSettings } from './acrobat-sign.ts';
import { docusignSender, type DocusignSettings } from './docusign.ts';
import { renderOrderPdf } from './pdf.ts';
import type { SignatureSender } from './sender.ts';

export type SignatureSenders = Partial<Record<SignatureProvider, SignatureSender>>;

/** Each provider whose settings are configured; the others are absent (unavailable). */
export function signatureSenders(settings: {
  docusign?: DocusignSettings | undefined;
  acrobatSign?: AcrobatSignSettings | undefined;
}): SignatureSenders {
  return {
    ...(settings.docusign === undefined ? {} : { docusign: docusignSender(settings.docusign) }),
    ...(settings.acrobatSign === undefined ? {} : { 'acrobat-sign': acrobatSignSender(settings.acrobatSign) }),
  };
}

export interface SignatureDeps {
  db: Database;
  senders: SignatureSenders;
}

const settingsOf: Record<SignatureProvider, string> = {
  docusign: 'DOCUSIGN_INTEGRATION_KEY, DOCUSIGN_USER_ID, DOCUSIGN_ACCOUNT_ID and DOCUSIGN_PRIVATE_KEY',
  'acrobat-sign':
    'ACROBAT_SIGN_BASE_URL, ACROBAT_SIGN_CLIENT_ID and ACROBAT_SIGN_ACCESS_TOKEN (or ACROBAT_SIGN_CLIENT_SECRET and ACROBAT_SIGN_REFRESH_TOKEN)',
};

/** A level asks for a provider this gateway has no credentials for. */
export class SignatureProviderUnavailable extends Error {
  constructor(readonly provider: SignatureProvider) {
    super(`signature provider ${provider} is not configured on this gateway: set ${settingsOf[provider]}`);
    this.name = 'SignatureProviderUnavailable';
  }
}

/**
 * Starts a signature level: renders the order as a PDF, sends it to the signer through the
 * provider, and records the envelope so that its callbacks are recognised.
 *
 * Call it OUTSIDE any database transaction, after the level start is committed: it waits on the
 * provider over the network, and holding a transaction (and the approval's row lock) open that
 * long would stall every other decision. If it rejects, nothing was recorded; an envelope sent but
 * not recorded (the insert failing after the provider accepted) is refused when its callback comes
 * and logged there, so the lead may retry the level start.
 */
export async function requestSignature(
  deps: SignatureDeps,
  summary: ApprovalSummary,
  signer: { name: string; email: string },
  provider: SignatureProvider,
): Promise<{ envelopeId: string }> {
  const sender = deps.senders[provider];
  if (sender === undefined) throw new SignatureProviderUnavailable(provider);
  const pdf = await renderOrderPdf(summary, { anchor: sender.anchor });
  const { envelopeId } = await sender.send({
    approvalId: summary.approvalId,
    level: summary.level.level,
    signer,
    subject: `Approve order ${summary.externalRef} from ${summary.partner.name} (level ${summary.level.level} of ${summary.level.of})`,
    pdf,
  });
  await recordSignatureEnvelope(deps.db, { provider, envelopeId, approvalId: summary.approvalId, level: summary.level.level });
  return { envelopeId };
}
