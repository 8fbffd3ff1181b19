import type { Shipment } from './shipment.ts';

// GS1 Serial Shipping Container Codes (SSCC-18), the number on a carton's GS1-128 label that a
// retailer's receiving dock scans and matches to the 856 (MAN*GM).

/** The mod-10 check digit of GS1 keys: from the right, digits weighted 3, 1, 3, 1, ... */
export function gs1CheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) sum += Number(digits[digits.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return String((10 - (sum % 10)) % 10);
}

/** Eighteen digits whose last is the check digit of the seventeen before it. */
export const isSscc = (value: string): boolean => /^[0-9]{18}$/.test(value) && gs1CheckDigit(value.slice(0, 17)) === value[17];

/**
 * How many serial references a company prefix leaves room for: extension digit + prefix + serial
 * reference make seventeen digits.
 */
export const serialCapacity = (companyPrefix: string): number => 10 ** (16 - companyPrefix.length);

/** The SSCC of one serial reference, or undefined when the serial does not fit beside the prefix. */
export function ssccOf(extensionDigit: string, companyPrefix: string, serial: number): string | undefined {
  if (!Number.isSafeInteger(serial) || serial < 0 || serial >= serialCapacity(companyPrefix)) return undefined;
  const body = `${extensionDigit}${companyPrefix}${String(serial).padStart(16 - companyPrefix.length, '0')}`;
  return `${body}${gs1CheckDigit(body)}`;
}

/** The cartons (1-based, in the shipment's order) without an SSCC, and those whose SSCC is not a valid one. */
export function ssccFaults(shipment: Shipment): { missing: number[]; invalid: number[] } {
  const missing: number[] = [];
  const invalid: number[] = [];
  shipment.packages.forEach((pack, index) => {
    if (pack.sscc === undefined) missing.push(index + 1);
    else if (!isSscc(pack.sscc)) invalid.push(index + 1);
  });
  return { missing, invalid };
}
