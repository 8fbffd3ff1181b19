export {
  acrobatSignAnchor,
  acrobatSignClientIdMatches,
  acrobatSignSender,
  verifyAcrobatSignWebhook,
  type AcrobatSignSettings,
} from './acrobat-sign.ts';
export { docusignAnchor, docusignAssertion, docusignSender, verifyDocusignConnect, type DocusignSettings } from './docusign.ts';
export { renderOrderPdf, type PdfOptions } from './pdf.ts';
export {
  requestSignature,
  signatureSenders,
  SignatureProviderUnavailable,
  type SignatureDeps,
  type SignatureSenders,
} from './request-signature.ts';
export {
  SignatureProviderError,
  type CallbackRequest,
  type CallbackVerdict,
  type SignatureOutcome,
  type SignatureRequest,
  type SignatureSender,
} from './sender.ts';
