export {
  addressedToUs,
  checkHeaderIdentifiers,
  describeTo,
  readEnvelope,
  readHeader,
  type CxmlEnvelope,
  type CxmlHeader,
} from './header.ts';
export { documentLimitNames, documentLimits, identifierLimits, statusTextLength, type DocumentLimits } from './limits.ts';
export { checkIdentifiers, checkOrderRequest, elementOf, mapOrderRequest } from './order-request.ts';
export { decodeCxml, parseCxml, parseCxmlText, redactSecrets, type CxmlTree, type ParseFailure } from './parse.ts';
export { cxmlResponse, newPayloadId } from './response.ts';
export * from './outbound/index.ts';
export { parseCxmlTextOffThread } from './parse-thread.ts';
