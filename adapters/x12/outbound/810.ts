// The 810 invoice (X12 4010): what is billed against one order.
import { invoiceTotalCents, type Invoice, type InvoiceLine } from '../../../domain/invoice.ts';
import type { OrderLine, StoredOrder } from '../../../domain/order.ts';
import { seg, type OutSegment } from '../serialize.ts';
import { date8, decimal, itemIds, orderLines, partyLoop } from './segments.ts';

/** BIG02, the invoice number, takes at most 22 characters. */
const big02Width = 22;

/**
 * The set body, BIG to CTT. Every invoice line is an IT1 of its own; a billed component names its
 * bundle through a PL pair, as in the 856. Throws when a line names one the order does not have.
 */
export function build810(order: StoredOrder, invoice: Invoice): OutSegment[] {
  const lineFor = orderLines(order, 'invoice');
  return [
    // BIG01 invoice date, BIG02 invoice number, BIG03 PO date, BIG04 PO number.
    seg('BIG', date8(invoice.invoiceDate), invoice.invoiceNumber.slice(0, big02Width), date8(order.orderDate), order.externalRef),
    ...(order.billTo === undefined ? [] : partyLoop('BT', order.billTo)),
    ...(order.shipTo === undefined ? [] : partyLoop('ST', order.shipTo)),
    // ITD01 01 basic terms, ITD02 3 counted from the invoice date, ITD07 net days.
    ...(invoice.termsNetDays === undefined
      ? []
      : [seg('ITD', '01', '3', undefined, undefined, undefined, undefined, invoice.termsNetDays)]),
    ...invoice.lines.map((line) => invoiceItem(lineFor(line.lineNumber), line)),
    // TDS01 total invoice amount, two implied decimals: whole cents.
    seg('TDS', invoiceTotalCents(invoice)),
    // CTT01 number of line items: the IT1 segments.
    seg('CTT', invoice.lines.length),
  ];
}

/** IT101 line number, IT102 quantity invoiced, IT103 unit, IT104 unit price, IT106.. product ID pairs. */
function invoiceItem(line: OrderLine, billed: InvoiceLine): OutSegment {
  return seg('IT1', line.lineNumber, decimal(billed.quantity), billed.uom, decimal(billed.unitPrice), undefined, ...itemIds(line));
}
