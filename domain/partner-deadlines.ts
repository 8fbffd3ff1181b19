import type { Channel } from './order.ts';
import { slaMinutes, slaTimes, type SlaTimes, type WorkingCalendar } from './working-calendar.ts';

// A trading partner's deadlines: the clocks it charges back on (an 855 within 24 hours of the 850,
// the 856 within hours of the goods leaving, our 997 of its 850). Data on the partner, one per
// document; each becomes a timer on every order that can be answered with that document.

/** X12 names; for a cXML order 855 is the ConfirmationRequest and 856 the ShipNoticeRequest. */
export const deadlineDocuments = ['855', '856', '810', '997'] as const;
export type DeadlineDocument = (typeof deadlineDocuments)[number];

export interface PartnerDeadline {
  document: DeadlineDocument;
  /** ISO 8601 duration as catalog SLAs write it (PT24H, P1D, PT90M). */
  within: string;
  /** A working calendar's id: `within` counts its working time; absent, calendar time. */
  calendar?: string;
}

/**
 * The documents the gateway writes to answer an order of each channel, so the only ones a timer can
 * be met by. cXML has no 997 (its Response is synchronous) and the gateway writes no
 * InvoiceDetailRequest, so a cXML order's 810 clock could only ever be missed.
 */
export const timedDocuments: Readonly<Partial<Record<Channel, readonly DeadlineDocument[]>>> = {
  x12: ['855', '856', '810', '997'],
  cxml: ['855', '856'],
};

/** Which partner answer meets which deadline. */
export const answerDeadline = { acknowledgment: '855', shipment: '856', invoice: '810' } as const satisfies Record<
  string,
  DeadlineDocument
>;

/** When the clock starts: 855, 810 and 997 at the order's receipt, the 856 when the goods ship. */
export const startsAtShipment = (document: DeadlineDocument): boolean => document === '856';

export interface DeadlineProblem {
  /** JSON pointer under the partner body: /deadlines/1/calendar. */
  pointer: string;
  detail: string;
}

/**
 * What the schema cannot say of a partner's deadlines: one per document, a duration the SLA rules
 * take, a calendar that exists, and (for a partner answered only in cXML) no 997 or 810 it could
 * never be sent.
 */
export function deadlineProblems(
  deadlines: readonly PartnerDeadline[],
  calendars: ReadonlyMap<string, WorkingCalendar>,
  identities: { x12: boolean; cxml: boolean },
): DeadlineProblem[] {
  const problems: DeadlineProblem[] = [];
  const seen = new Map<string, number>();
  deadlines.forEach((deadline, index) => {
    const at = (field: string, detail: string) => problems.push({ pointer: `/deadlines/${index}/${field}`, detail });
    const first = seen.get(deadline.document);
    if (first !== undefined) at('document', `repeats /deadlines/${first}: one deadline per document`);
    else seen.set(deadline.document, index);
    if (identities.cxml && !identities.x12 && !(timedDocuments.cxml ?? []).includes(deadline.document))
      at(
        'document',
        deadline.document === '997'
          ? 'a cXML partner gets no 997 (its OrderRequest is answered at once)'
          : 'a cXML partner gets no InvoiceDetailRequest from the gateway, so this deadline could only be missed',
      );
    const calendar = deadline.calendar === undefined ? undefined : calendars.get(deadline.calendar);
    if (deadline.calendar !== undefined && calendar === undefined)
      at('calendar', `no working calendar ${JSON.stringify(deadline.calendar)}; known: ${[...calendars.keys()].join(', ') || 'none'}`);
    if (slaMinutes(deadline.within, calendar) === undefined)
      at('within', `${JSON.stringify(deadline.within)} is not a duration in days, hours and minutes such as PT24H, P1D or PT90M`);
  });
  return problems;
}

/** One timer on an order. */
export interface DeadlineTimer extends SlaTimes {
  document: DeadlineDocument;
  within: string;
  calendar?: string;
  startedAt: Date;
}

/**
 * The timer a deadline sets when its clock starts at `startedAt`: due `within` later (in working
 * time on its calendar), in jeopardy at 80% of it. A string: why it cannot be set (a calendar no
 * longer loaded, a duration the API would refuse).
 */
export function deadlineTimer(
  deadline: PartnerDeadline,
  startedAt: Date,
  calendars: ReadonlyMap<string, WorkingCalendar>,
): DeadlineTimer | string {
  const calendar = deadline.calendar === undefined ? undefined : calendars.get(deadline.calendar);
  if (deadline.calendar !== undefined && calendar === undefined) return `no working calendar ${deadline.calendar}`;
  const times = slaTimes(startedAt, deadline.within, calendar);
  if (times === undefined) return `${deadline.within} is not a duration`;
  return {
    document: deadline.document,
    within: deadline.within,
    ...(deadline.calendar === undefined ? {} : { calendar: deadline.calendar }),
    startedAt,
    ...times,
  };
}
