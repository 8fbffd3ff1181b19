export interface InvoiceLine {
  /** The order line billed, as the partner numbered it. */
  lineNumber: string;
  quantity: number;
  uom: string;
  unitPrice: number;
}

export interface Invoice {
  /** Unique per invoice, given when the invoice is written for the partner (pipeline/answer-numbers.ts). */
  invoiceNumber?: string;
  /** YYYY-MM-DD. */
  invoiceDate: string;
  lines: InvoiceLine[];
  termsNetDays?: number;
}

/** 1/10,000 of the currency unit, the precision of unit prices, as in order.ts: sums stay exact. */
const unitsPerCurrency = 10_000;
const unitsPerCent = unitsPerCurrency / 100;

/** The invoice total in whole cents, rounded once on the total rather than line by line. */
export function invoiceTotalCents(invoice: Invoice): number {
  const units = invoice.lines.reduce((sum, line) => sum + Math.round(line.quantity * Math.round(line.unitPrice * unitsPerCurrency)), 0);
  return Math.round(units / unitsPerCent);
}
