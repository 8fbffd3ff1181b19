import type { PartnerAnswer } from '../domain/fulfillment-progress.ts';
import type { StoredOrder } from '../domain/order.ts';
import type { Shipment } from '../domain/shipment.ts';
import { ssccFaults, ssccOf } from '../domain/sscc.ts';
import type { PartnerChannels, StoreTransaction } from './ports.ts';

// What an answer takes from the database before the partner is told (webhook event) or sent it
// (856/810): an invoice number of its own, and the SSCCs of cartons the partner's guide profile
// has us assign. And what a ship reply must carry for a partner whose guide requires SSCCs.

/** Why a ship reply is refused for the partner's profile; the vendor is told, and nothing of it is recorded. */
export type SsccRefusalCode = 'sscc-required' | 'sscc-invalid';

/** An SSCC given to a carton (1-based, in the shipment's order) that had none. */
export interface AssignedSscc {
  carton: number;
  sscc: string;
}

/** `problems`: the answer cannot have its numbers; it is told as it is, and no document is written. */
export interface NumberedAnswer {
  answer: PartnerAnswer;
  assigned?: AssignedSscc[];
  problems?: string;
}

const profileOf = (order: StoredOrder, channels: PartnerChannels) => (order.channel === 'x12' ? channels.x12?.profile : undefined);

/**
 * A ship reply the partner's dock would refuse: under require, a carton without an SSCC; under
 * require or assign, one whose SSCC is not a valid SSCC-18 (the label is wrong, and only the vendor
 * can put it right). Told to the vendor, so that it sends the shipment again as it should be.
 */
export function ssccRefusal(
  order: StoredOrder,
  shipment: Shipment,
  channels: PartnerChannels,
): { code: SsccRefusalCode; detail: string } | undefined {
  const policy = profileOf(order, channels)?.sscc ?? 'vendor';
  if (policy === 'vendor') return undefined;
  const { missing, invalid } = ssccFaults(shipment);
  if (invalid.length > 0)
    return {
      code: 'sscc-invalid',
      detail: `package ${invalid.join(', ')} of shipment ${shipment.shipmentId}: sscc is not a valid SSCC-18 (18 digits, the last the GS1 mod-10 check digit)`,
    };
  if (policy === 'require' && missing.length > 0)
    return {
      code: 'sscc-required',
      detail: `package ${missing.join(', ')} of shipment ${shipment.shipmentId}: the partner requires an SSCC-18 on every carton; send the shipment again with sscc on each package`,
    };
  return undefined;
}

/** The answer with the numbers it takes, or with `problems` when it cannot have them (the prefix's serials are used up). */
export async function numberAnswer(
  tx: StoreTransaction,
  order: StoredOrder,
  answer: PartnerAnswer,
  channels: PartnerChannels,
): Promise<NumberedAnswer> {
  if (answer.kind === 'invoice')
    return { answer: { kind: 'invoice', invoice: { ...answer.invoice, invoiceNumber: await tx.nextInvoiceNumber() } } };
  const profile = profileOf(order, channels);
  if (answer.kind !== 'shipment' || profile?.sscc !== 'assign' || profile.gs1CompanyPrefix === undefined) return { answer };
  const { shipment } = answer;
  const { missing } = ssccFaults(shipment);
  if (missing.length === 0) return { answer };
  const prefix = profile.gs1CompanyPrefix;
  const extension = profile.ssccExtensionDigit ?? '0';
  const first = await tx.takeSsccSerials(extension, prefix, missing.length);
  const assigned = missing.map((carton, index) => ({ carton, sscc: ssccOf(extension, prefix, first + index) }));
  if (assigned.some((a) => a.sscc === undefined))
    return {
      answer,
      problems: `no SSCC left to assign: the serial references of GS1 company prefix ${prefix} (extension digit ${extension}) are used up`,
    };
  const byCarton = new Map(assigned.map((a) => [a.carton, a.sscc as string]));
  const packages = shipment.packages.map((pack, index) => {
    const sscc = byCarton.get(index + 1);
    return sscc === undefined ? pack : { ...pack, sscc };
  });
  return { answer: { kind: 'shipment', shipment: { ...shipment, packages } }, assigned: assigned as AssignedSscc[] };
}
