// Outbound cXML: the documents we send to cXML partners, delivering them, and reading their answers.
export { buildConfirmationRequest } from './confirmation.ts';
export {
  checkConfirmation,
  confirmationFromAck,
  confirmationType,
  type ConfirmationInput,
  type ConfirmationPortion,
  type ConfirmationProblem,
  type ConfirmationType,
  type LineConfirmation,
} from './confirmation-input.ts';
export { cxmlDeliverer } from './deliverer.ts';
export { cxmlAnswerDocument, cxmlDocument, envelopeFor, type CxmlIdentity, type CxmlKind } from './document.ts';
export { sharedSecretPlaceholder, withSharedSecret, type CxmlCredential, type CxmlEnvelope } from './envelope.ts';
export { requestFacts } from './read-back.ts';
export { readPartnerAnswer, type CxmlStatus, type PartnerAnswer } from './partner-answer.ts';
export { buildShipNoticeRequest, type ShipNoticeProblem } from './ship-notice.ts';
