import { DateTime } from 'luxon';
import { durationMinutes } from './catalog.ts';
import { err, ok, type Result } from './result.ts';

// A working calendar: the hours in which business-hours SLAs run (working days, one span of hours
// a day, holidays), in the calendar's own time zone, so a deadline lands on the same wall-clock
// hour across a daylight-saving change. Days in a business SLA are working days: P1D on a 09:00 to
// 17:00 calendar is eight working hours, the next working day at the same hour.

export interface WorkingCalendar {
  id: string;
  /** IANA zone: Europe/Berlin, America/Chicago. */
  timeZone: string;
  /** ISO weekdays worked: 1 Monday … 7 Sunday. */
  days: readonly number[];
  /** Minutes after local midnight the working day starts and ends (start < end). */
  startMinute: number;
  endMinute: number;
  /** Local dates not worked, YYYY-MM-DD. */
  holidays: ReadonlySet<string>;
}

/** When an SLA warns and when it is due. */
export interface SlaTimes {
  warnAt: Date;
  dueAt: Date;
}

/** The share of an SLA after which it is in jeopardy, unless a policy says otherwise. */
export const defaultWarnFraction = 0.8;

const minuteMs = 60_000;
/** Ten years of days without a working minute: a calendar with no working day would never end. */
const dayLimit = 3660;

/** `minutes` working minutes after `start` (fractions allowed): counted in calendar time without a calendar. */
export function addWorkingMinutes(start: Date, minutes: number, calendar?: WorkingCalendar): Date {
  if (calendar === undefined) return new Date(start.getTime() + minutes * minuteMs);
  let left = minutes * minuteMs;
  let cursor = DateTime.fromJSDate(start, { zone: calendar.timeZone });
  for (let day = 0; day < dayLimit; day += 1) {
    if (isWorkingDay(cursor, calendar)) {
      const midnight = cursor.startOf('day');
      const opens = midnight.plus({ minutes: calendar.startMinute });
      const closes = midnight.plus({ minutes: calendar.endMinute });
      const from = cursor < opens ? opens : cursor;
      if (from < closes) {
        const available = closes.toMillis() - from.toMillis();
        if (left <= available) return new Date(from.toMillis() + left);
        left -= available;
      }
    }
    cursor = cursor.startOf('day').plus({ days: 1 });
  }
  throw new Error(`calendar ${calendar.id} has no working time in ${dayLimit} days`);
}

const isWorkingDay = (local: DateTime, calendar: WorkingCalendar) =>
  calendar.days.includes(local.weekday) && !calendar.holidays.has(local.toISODate() ?? '');

/** The SLA's minutes: a day is 24 hours in calendar time and one working day on a calendar. */
export function slaMinutes(sla: string, calendar?: WorkingCalendar): number | undefined {
  const minutes = durationMinutes(sla);
  if (minutes === undefined || calendar === undefined) return minutes;
  const days = Math.floor(minutes / 1440);
  return days * (calendar.endMinute - calendar.startMinute) + (minutes % 1440);
}

/** Due `sla` after `start`, warned at `warnFraction` of it; both in working time when there is a calendar. */
export function slaTimes(start: Date, sla: string, calendar?: WorkingCalendar, warnFraction = defaultWarnFraction): SlaTimes | undefined {
  const minutes = slaMinutes(sla, calendar);
  if (minutes === undefined) return undefined;
  return { warnAt: addWorkingMinutes(start, minutes * warnFraction, calendar), dueAt: addWorkingMinutes(start, minutes, calendar) };
}

/** A calendar's problem, named by its field. */
export interface CalendarProblem {
  pointer: string;
  detail: string;
}

const clock = /^([01]\d|2[0-3]):([0-5]\d)$/;
const minuteOf = (text: string) => {
  const match = clock.exec(text);
  return match === null ? undefined : Number(match[1]) * 60 + Number(match[2]);
};

/**
 * A calendar as written: `{ timeZone, days: [1, 2, 3, 4, 5], hours: { start: '09:00', end: '17:00' }, holidays: ['2026-12-25'] }`.
 */
export function parseCalendar(id: string, raw: unknown): Result<WorkingCalendar, CalendarProblem[]> {
  const problems: CalendarProblem[] = [];
  const add = (pointer: string, detail: string) => problems.push({ pointer, detail });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return err([{ pointer: '', detail: 'a calendar is a mapping with timeZone, days, hours and holidays' }]);
  const { timeZone, days, hours, holidays = [], ...rest } = raw as Record<string, unknown>;
  for (const key of Object.keys(rest)) add(`/${key}`, `unknown field; expected timeZone, days, hours, holidays`);
  if (typeof timeZone !== 'string' || !DateTime.local().setZone(timeZone).isValid)
    add('/timeZone', `${JSON.stringify(timeZone)} is not an IANA time zone such as Europe/Berlin`);
  const dayList = Array.isArray(days) ? days : [];
  if (dayList.length === 0 || !dayList.every((d) => Number.isInteger(d) && d >= 1 && d <= 7))
    add('/days', 'days must list ISO weekdays worked, 1 (Monday) to 7 (Sunday), at least one');
  const { start, end } = (typeof hours === 'object' && hours !== null ? hours : {}) as Record<string, unknown>;
  const startMinute = typeof start === 'string' ? minuteOf(start) : undefined;
  const endMinute = end === '24:00' ? 1440 : typeof end === 'string' ? minuteOf(end) : undefined;
  if (startMinute === undefined) add('/hours/start', 'hours.start must be a time of day HH:MM');
  if (endMinute === undefined) add('/hours/end', 'hours.end must be a time of day HH:MM');
  if (startMinute !== undefined && endMinute !== undefined && startMinute >= endMinute)
    add('/hours', `the working day must end after it starts (${String(start)} to ${String(end)})`);
  const holidayList = Array.isArray(holidays) ? holidays : [];
  if (!Array.isArray(holidays)) add('/holidays', 'holidays must be a list of dates YYYY-MM-DD');
  holidayList.forEach((date, index) => {
    if (typeof date !== 'string' || !DateTime.fromISO(date).isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date))
      add(`/holidays/${index}`, `${JSON.stringify(date)} is not a date YYYY-MM-DD`);
  });
  if (problems.length > 0) return err(problems);
  return ok({
    id,
    timeZone: timeZone as string,
    days: dayList as number[],
    startMinute: startMinute as number,
    endMinute: endMinute as number,
    holidays: new Set(holidayList as string[]),
  });
}
