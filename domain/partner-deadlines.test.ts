import { describe, expect, it } from 'vitest';
import { deadlineProblems, deadlineTimer, type PartnerDeadline } from './partner-deadlines.ts';
import { parseCalendar, type WorkingCalendar } from './working-calendar.ts';

const parsed = parseCalendar('office', {
  timeZone: 'America/New_York',
  days: [1, 2, 3, 4, 5],
  hours: { start: '09:00', end: '17:00' },
  holidays: ['2026-12-25'],
});
const office = (parsed.ok ? parsed.value : undefined) as WorkingCalendar;
const calendars = new Map([['office', office]]);

describe('a partner deadline as a timer', () => {
  it('counts calendar time without a calendar: PT24H warns after 19 h 12 min', () => {
    const timer = deadlineTimer({ document: '855', within: 'PT24H' }, new Date('2026-12-24T15:00:00Z'), calendars);
    expect(timer).toMatchObject({ warnAt: new Date('2026-12-25T10:12:00Z'), dueAt: new Date('2026-12-25T15:00:00Z') });
  });

  it('counts working hours over a holiday and a weekend: Thursday 24 December 16:00 + 2 business hours is Monday 10:00', () => {
    const timer = deadlineTimer(
      { document: '856', within: 'PT2H', calendar: 'office' },
      new Date('2026-12-24T21:00:00Z'), // 16:00 in New York
      calendars,
    );
    // One hour on Thursday, none on Friday (holiday) or the weekend, the second on Monday; 80% is 96 minutes.
    expect(timer).toMatchObject({ warnAt: new Date('2026-12-28T14:36:00Z'), dueAt: new Date('2026-12-28T15:00:00Z') });
  });

  it('is not set on a calendar that is not loaded, saying which', () => {
    expect(deadlineTimer({ document: '856', within: 'PT2H', calendar: 'warehouse' }, new Date(), calendars)).toBe(
      'no working calendar warehouse',
    );
  });
});

describe('what the schema cannot say of a partner deadline', () => {
  const x12 = { x12: true, cxml: false };
  const check = (deadlines: PartnerDeadline[], identities = x12) =>
    deadlineProblems(deadlines, calendars, identities).map((p) => p.pointer);

  it('takes a day as a working day on a calendar, and each document once', () => {
    expect(
      check([
        { document: '855', within: 'P1D', calendar: 'office' },
        { document: '810', within: 'P2DT4H' },
      ]),
    ).toEqual([]);
    expect(
      check([
        { document: '855', within: 'P1D' },
        { document: '855', within: 'PT4H' },
      ]),
    ).toEqual(['/deadlines/1/document']);
  });

  it('refuses weeks, seconds, zero and free text as durations, and an unknown calendar', () => {
    expect(check([{ document: '855', within: 'P1W' }])).toEqual(['/deadlines/0/within']);
    expect(check([{ document: '855', within: 'PT0M' }])).toEqual(['/deadlines/0/within']);
    expect(check([{ document: '855', within: 'PT24H', calendar: 'ofice' }])).toEqual(['/deadlines/0/calendar']);
  });

  it('refuses 997 and 810 for a partner answered only in cXML, not for one with both identities', () => {
    const both: PartnerDeadline[] = [
      { document: '997', within: 'PT1H' },
      { document: '810', within: 'P2D' },
      { document: '856', within: 'PT4H' },
    ];
    expect(check(both, { x12: false, cxml: true })).toEqual(['/deadlines/0/document', '/deadlines/1/document']);
    expect(check(both, { x12: true, cxml: true })).toEqual([]);
  });
});
