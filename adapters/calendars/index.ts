export { defaultCalendarsDir, loadCalendars, type CalendarFileProblem } from './load.ts';
