export { checkOrderRequest, elementOf, mapOrderRequest, readHeader, type CxmlHeader } from './order-request.ts';
export { parseCxml, redactSecrets, type CxmlTree, type ParseFailure } from './parse.ts';
export { cxmlResponse, newPayloadId } from './response.ts';
export * from './outbound/index.ts';
