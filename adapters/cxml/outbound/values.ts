// Value formats the cXML DTDs name: %datetime.tz (time zone required), %r8 and Money numbers, %uint
// line numbers.

/** A cXML date-time in UTC without fractions of a second (2026-11-28T09:30:00+00:00), as cXML's own examples write it. */
export const timestamp = (at: Date): string => at.toISOString().replace(/\.\d{3}Z$/, '+00:00');

/**
 * A canonical date (YYYY-MM-DD) or ISO date-time as a cXML %datetime.tz; undefined when it is neither.
 * A bare date has no time zone, which cXML requires: it becomes the start of that day in UTC.
 */
export function dateTime(value: string): string | undefined {
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? new Date(`${value}T00:00:00Z`)
    : /^\d{4}-\d{2}-\d{2}T/.test(value)
      ? new Date(value)
      : undefined;
  return at === undefined || Number.isNaN(at.getTime()) ? undefined : timestamp(at);
}

/** A quantity or amount: at most four places (the canonical model's precision), without float residue. */
export const decimal = (value: number): string => String(Math.round(value * 10_000) / 10_000);

/** Quantities compared in ten-thousandths, so that 0.1 + 0.2 adds up to 0.3. */
export const units = (value: number): number => Math.round(value * 10_000);

/** cXML line numbers are %uint, counting from 1; orders from other channels may number lines "2.1". */
export const isCxmlLineNumber = (value: string): boolean => /^[1-9]\d{0,8}$/.test(value);
