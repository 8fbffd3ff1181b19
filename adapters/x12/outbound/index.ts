// The outbound transaction sets, written as whole interchanges and as documents for a partner.
export { build810 } from './810.ts';
export { build855 } from './855.ts';
export { build856 } from './856.ts';
export { ackWindowMs, identityFor, interchangeVersionFor, x12AnswerDocument, x12Document, type X12Identity } from './document.ts';
export { writeInterchange, type OutboundSetId } from './interchange.ts';
