// What a trading partner's implementation guide demands of our 856 and 810 beyond the standard:
// data on the partner (its X12 settings), read by the document builders, never code per partner.

/**
 * How cartons are identified in the 856. vendor: as the vendor reports them (its SSCC as MAN*GM,
 * else its marks as MAN*SM). require: every carton must carry a valid SSCC-18; a shipment without
 * one is refused back to the vendor. assign: a carton without one gets one from our GS1 company
 * prefix, serials counted in the database so that none is ever given twice.
 */
export type SsccPolicy = 'vendor' | 'require' | 'assign';

/** A party of the partner's guide: N1 (N102 name, N103/N104 its id and what kind), N3, N4. */
export interface ProfileParty {
  name: string;
  /** N103, identification code qualifier (66): UL for a GLN, 1 or 9 for a DUNS, 92 assigned by the buyer. */
  idQualifier?: string;
  id?: string;
  address?: { lines: string[]; city?: string; region?: string; postalCode?: string; country?: string };
}

/** ITD: net days, and an early-payment discount (percent within days) when the agreement has one. */
export interface PaymentTerms {
  netDays: number;
  discountPercent?: number;
  discountDays?: number;
}

export interface X12Profile {
  sscc: SsccPolicy;
  /** Our GS1 company prefix (6 to 12 digits): required for assign. */
  gs1CompanyPrefix?: string;
  /** The SSCC's extension digit for assigned numbers (default 0). */
  ssccExtensionDigit?: string;
  /** TD101 packaging code: form (103) and material (24), e.g. CTN25 for corrugated cartons. */
  packagingCode?: string;
  /** N1*SF on the 856's shipment level. */
  shipFrom?: ProfileParty;
  /** N1*RI on the 810. */
  remitTo?: ProfileParty;
  /** ITD on the 810. */
  terms?: PaymentTerms;
}
