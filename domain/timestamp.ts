// RFC 3339 date-times as the database takes them. JSON Schema's `date-time` format (ajv-formats)
// and Date.parse let through what PostgreSQL refuses (year 0000, "March 7"), and a refused value
// in a query is a 500; every date-time a request or a cursor carries is checked here first.

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** A full RFC 3339 date-time (seconds and an offset required), years 0001-9999, every field in the range PostgreSQL takes. */
export function isRfc3339DateTime(value: string): boolean {
  const match = rfc3339.exec(value);
  if (match === null) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  // Second 60 is a leap second, which RFC 3339 allows and PostgreSQL takes, but only whole (60.5 is
  // out of its range).
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (second === 60 && /[1-9]/.test(match[7] ?? '')) return false;
  // PostgreSQL takes offsets up to 15:59 (every real one is within 14:00).
  if (match[9] !== undefined && (Number(match[10]) > 15 || Number(match[11]) > 59)) return false;
  return true;
}
