import { characters, identifierLimits as orderIdentifierLimits } from '../../domain/order.ts';

// Every limit of the cXML channel, in one place (README "Limits" lists them; keep the two equal).
//
// The document limits bound the work a body can cost before it is refused: the Header is read
// (and the sender authenticated) from the first `headerLength` characters only, and the whole
// body is scanned once, linearly, before fast-xml-parser sees it. A document over one of them is
// answered 406 naming the limit. The identifier limits keep what is stored or indexed (the
// payloadID as the dedupe key, the orderID and line numbers as indexed columns, the credentials
// we look partners up by) within what the database and the other channels take: the same lengths
// as the JSON channel's schema (openapi.yaml) and the partner registration; over one is 400
// naming the element or attribute.

export interface DocumentLimits {
  /** Characters from the start within which the Header must end; it is read before the sender is authenticated. */
  readonly headerLength: number;
  /** Deepest nesting of elements; the root element is depth 1. */
  readonly depth: number;
  /** Attributes on one element. */
  readonly attributesPerElement: number;
  /** Characters in one attribute value, as written. */
  readonly attributeLength: number;
  /** Characters of text (and CDATA) between two tags, as written. */
  readonly textLength: number;
  /** Characters in one element or attribute name. */
  readonly nameLength: number;
  /** Elements in the whole document. */
  readonly elements: number;
  /** Attributes in the whole document. */
  readonly attributes: number;
}

export const documentLimits: DocumentLimits = Object.freeze({
  headerLength: 64 * 1024,
  depth: 64,
  attributesPerElement: 256,
  attributeLength: 64 * 1024,
  textLength: 64 * 1024,
  nameLength: 256,
  elements: 250_000,
  attributes: 250_000,
});

/** The name each document limit is refused by, in the Status text and in README. */
export const documentLimitNames: Record<keyof DocumentLimits, string> = {
  headerLength: 'header-length',
  depth: 'depth',
  attributesPerElement: 'attributes-per-element',
  attributeLength: 'attribute-length',
  textLength: 'text-length',
  nameLength: 'name-length',
  elements: 'elements',
  attributes: 'attributes',
};

/**
 * Longest value (in characters) of each identifier that is stored or indexed: those an order holds
 * are the domain's (`identifierLimits` in domain/order.ts, one table for every channel), the
 * credentials the partner registration's.
 */
export const identifierLimits = Object.freeze({
  /** cXML@payloadID: the dedupe key (like the JSON channel's Idempotency-Key). */
  payloadID: orderIdentifierLimits.dedupeKey,
  /** Credential@domain in Header From, To and Sender (a partner's fromDomain). */
  credentialDomain: 100,
  /** Credential/Identity in Header From, To and Sender (a partner's fromIdentity). */
  credentialIdentity: 200,
  /** Credential/SharedSecret (the registration's sharedSecret). */
  sharedSecret: 500,
  /** OrderRequestHeader@orderID: the order's externalRef. */
  orderID: orderIdentifierLimits.externalRef,
  /** OrderRequestHeader@orderVersion. */
  orderVersion: orderIdentifierLimits.orderVersion,
  /** ItemOut@lineNumber and @parentLineNumber. */
  lineNumber: orderIdentifierLimits.lineNumber,
  /** ItemID/SupplierPartID (the SKU), SupplierPartAuxiliaryID, BuyerPartID, ManufacturerPartID. */
  partId: orderIdentifierLimits.productId,
  /** ItemDetail/UnitOfMeasure. */
  unitOfMeasure: orderIdentifierLimits.uom,
  /** Address@addressID of ShipTo and BillTo: the party's code. */
  addressID: orderIdentifierLimits.partyCode,
});

/** Characters of a Response's Status text we write at most: longer details are cut, so that no answer grows with its input. */
export const statusTextLength = 1024;

export { characters };

/** "X is 3000 characters long; at most 80 are accepted", or nothing. */
export function tooLong(name: string, value: string | undefined, limit: number): string[] {
  if (value === undefined || value.length <= limit) return [];
  const length = characters(value);
  return length <= limit ? [] : [`${name} is ${length} characters long; at most ${limit} are accepted`];
}
