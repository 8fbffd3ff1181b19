import { describe, expect, it } from 'vitest';
import { addWorkingMinutes, parseCalendar, slaMinutes, slaTimes, type WorkingCalendar } from './working-calendar.ts';

const calendar = (raw: Record<string, unknown>): WorkingCalendar => {
  const parsed = parseCalendar('office', raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
};

const newYork = calendar({
  timeZone: 'America/New_York',
  days: [1, 2, 3, 4, 5],
  hours: { start: '09:00', end: '17:00' },
  holidays: ['2026-12-25'],
});

/** New York wall-clock time as an instant (EST −05:00 in winter, EDT −04:00 in summer). */
const ny = (local: string, offset = '-05:00') => new Date(`${local}${offset}`);

describe('business hours over a working calendar', () => {
  it('two business hours from Friday 16:00 are due Monday 10:00, warned at 80% on Monday 09:36', () => {
    expect(slaTimes(ny('2026-12-04T16:00:00'), 'PT2H', newYork)).toEqual({
      warnAt: ny('2026-12-07T09:36:00'),
      dueAt: ny('2026-12-07T10:00:00'),
    });
  });

  it('without a calendar the same SLA counts calendar time', () => {
    expect(slaTimes(ny('2026-12-04T16:00:00'), 'PT2H')).toEqual({ warnAt: ny('2026-12-04T17:36:00'), dueAt: ny('2026-12-04T18:00:00') });
  });

  it('time before opening starts counting at opening; after closing, the next working morning', () => {
    expect(addWorkingMinutes(ny('2026-12-07T06:00:00'), 30, newYork)).toEqual(ny('2026-12-07T09:30:00'));
    expect(addWorkingMinutes(ny('2026-12-07T19:00:00'), 30, newYork)).toEqual(ny('2026-12-08T09:30:00'));
    expect(addWorkingMinutes(ny('2026-12-05T12:00:00'), 30, newYork)).toEqual(ny('2026-12-07T09:30:00'));
  });

  it('skips a holiday: Thursday 16:30 before Christmas plus one hour is Monday 09:30', () => {
    expect(addWorkingMinutes(ny('2026-12-24T16:30:00'), 60, newYork)).toEqual(ny('2026-12-28T09:30:00'));
  });

  it('keeps the wall-clock hour across the spring daylight-saving change', () => {
    // 8 March 2026 the clocks go forward: Friday is EST, Monday is EDT.
    expect(addWorkingMinutes(ny('2026-03-06T16:00:00'), 120, newYork)).toEqual(ny('2026-03-09T10:00:00', '-04:00'));
  });

  it('a day of a business SLA is a working day', () => {
    expect(slaMinutes('P1D', newYork)).toBe(480);
    expect(slaMinutes('P1DT2H', newYork)).toBe(600);
    expect(slaMinutes('P1D')).toBe(1440);
    expect(slaTimes(ny('2026-12-08T10:00:00'), 'P1D', newYork)?.dueAt).toEqual(ny('2026-12-09T10:00:00'));
    expect(slaTimes(ny('2026-12-08T10:00:00'), 'P1Y', newYork)).toBeUndefined();
  });

  it('names each problem of a calendar by its field', () => {
    const parsed = parseCalendar('bad', {
      timeZone: 'Mars/Olympus',
      days: [0, 6],
      hours: { start: '17:00', end: '09:00' },
      holidays: ['2026-13-01'],
      weekends: true,
    });
    expect(parsed.ok ? [] : parsed.error.map((p) => p.pointer)).toEqual(['/weekends', '/timeZone', '/days', '/hours', '/holidays/0']);
  });

  it('a day ending at midnight is written 24:00', () => {
    const late = calendar({ timeZone: 'UTC', days: [1, 2, 3, 4, 5, 6, 7], hours: { start: '00:00', end: '24:00' } });
    expect(addWorkingMinutes(new Date('2026-12-05T23:00:00Z'), 120, late)).toEqual(new Date('2026-12-06T01:00:00Z'));
  });
});
