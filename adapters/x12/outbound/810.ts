// The 810 invoice (X12 4010): what is billed against one order.
import { invoiceTotalCents, type Invoice, type InvoiceLine } from '../../../domain/invoice.ts';
import type { OrderLine, StoredOrder } from '../../../domain/order.ts';
import { seg, type OutSegment } from '../serialize.ts';
import type { PaymentTerms, X12Profile } from '../../../domain/partner-profile.ts';
import { date8, decimal, itemIds, orderLines, partnerLine, partyLoop, profilePartyLoop } from './segments.ts';

/** BIG02, the invoice number, takes at most 22 characters. */
const big02Width = 22;

/**
 * The set body, BIG to CTT. Every invoice line is an IT1 of its own; a billed component names its
 * bundle through a PL pair and itself by its SLN01, as in the 856. The partner's guide profile adds
 * the remit-to party and its payment terms (which take the place of the invoice's own net days).
 * Throws when a line names one the order does not have.
 */
export function build810(order: StoredOrder, invoice: Invoice, profile?: X12Profile): OutSegment[] {
  const lineFor = orderLines(order, 'invoice');
  if (invoice.invoiceNumber === undefined) throw new Error(`the invoice for order ${order.externalRef} has no number`);
  const terms = profile?.terms ?? (invoice.termsNetDays === undefined ? undefined : { netDays: invoice.termsNetDays });
  return [
    // BIG01 invoice date, BIG02 invoice number, BIG03 PO date, BIG04 PO number.
    seg('BIG', date8(invoice.invoiceDate), invoice.invoiceNumber.slice(0, big02Width), date8(order.orderDate), order.externalRef),
    ...(order.billTo === undefined ? [] : partyLoop('BT', order.billTo)),
    ...(order.shipTo === undefined ? [] : partyLoop('ST', order.shipTo)),
    ...(profile?.remitTo === undefined ? [] : profilePartyLoop('RI', profile.remitTo)),
    ...(terms === undefined ? [] : [termsOfSale(terms)]),
    ...invoice.lines.map((line) => invoiceItem(lineFor(line.lineNumber), line)),
    // TDS01 total invoice amount, two implied decimals: whole cents.
    seg('TDS', invoiceTotalCents(invoice)),
    // CTT01 number of line items: the IT1 segments.
    seg('CTT', invoice.lines.length),
  ];
}

/**
 * ITD01 01 basic terms, or 08 basic discount offered when there is a discount; ITD02 3 counted from
 * the invoice date; ITD03 discount percent, ITD05 days it holds; ITD07 net days.
 */
function termsOfSale(terms: PaymentTerms): OutSegment {
  const discounted = terms.discountPercent !== undefined && terms.discountDays !== undefined;
  return seg(
    'ITD',
    discounted ? '08' : '01',
    '3',
    discounted ? decimal(terms.discountPercent) : undefined,
    undefined,
    discounted ? terms.discountDays : undefined,
    undefined,
    terms.netDays,
  );
}

/** IT101 the partner's number for the line, IT102 quantity invoiced, IT103 unit, IT104 unit price, IT106.. product ID pairs. */
function invoiceItem(line: OrderLine, billed: InvoiceLine): OutSegment {
  return seg('IT1', partnerLine(line).number, decimal(billed.quantity), billed.uom, decimal(billed.unitPrice), undefined, ...itemIds(line));
}
