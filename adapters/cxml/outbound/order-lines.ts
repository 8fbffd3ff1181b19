import type { StoredOrder } from '../../../domain/order.ts';
import { el, type Attributes, type XmlElement } from './xml.ts';

// What a ConfirmationItem and a ShipNoticeItem both say about the order line they are about, and
// the OrderReference both carry.

export type StoredLine = StoredOrder['lines'][number];

const itemTypes = ['composite', 'item', 'lean'];
const compositeItemTypes = ['groupLevel', 'itemLevel'];

const extra = (line: StoredLine, name: string, allowed: string[]): string | undefined => {
  const value = line.extras?.[name];
  return typeof value === 'string' && allowed.includes(value) ? value : undefined;
};

/**
 * lineNumber, and the line's place in a bundle as the partner wrote it on its ItemOut (kept in the
 * line's extras). A line of an order from elsewhere gets the cXML equivalent of its bundle role:
 * the parent is "composite", a component an "item" with its parentLineNumber (the DTD applies
 * parentLineNumber to itemType="item" only).
 */
export function itemAttributes(line: StoredLine): Attributes {
  const isComponent = line.parentLineNumber !== undefined;
  const isBundle = !isComponent && line.bundleLineNumber === line.lineNumber;
  const itemType = extra(line, 'itemType', itemTypes) ?? (isComponent ? 'item' : isBundle ? 'composite' : undefined);
  return {
    lineNumber: line.lineNumber,
    parentLineNumber: line.parentLineNumber,
    itemType,
    compositeItemType: itemType === 'composite' ? extra(line, 'compositeItemType', compositeItemTypes) : undefined,
  };
}

/**
 * The OrderRequest answered: its payloadID is the unambiguous reference; orderID and orderDate let
 * a person read the document alone. The DTD wants orderDate copied from the OrderRequest: the
 * envelope keeps it as sent, time and zone included. An order stored before it did, or that came
 * from another channel, has only the canonical day, which is what is written then.
 */
export function orderReference(order: StoredOrder, payloadId: string): XmlElement {
  const orderDate = order.envelope?.orderDate ?? (order.orderDate === '' ? undefined : order.orderDate);
  return el('OrderReference', { orderID: order.externalRef, orderDate }, el('DocumentReference', { payloadID: payloadId }));
}
