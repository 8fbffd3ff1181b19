import { orderStore, type Database } from '../../adapters/db/index.ts';
import { markOverdueAcknowledgments } from '../../pipeline/acknowledgments.ts';
import type { Job } from '../scheduler.ts';

/**
 * Our 855/856/810 that the partner did not acknowledge (997/999) by their due time are marked
 * overdue, each with a document.ack-overdue.v1 event. `clock` is the time the check goes by.
 */
export const ackOverdueJob = (db: Database, everyMs = 60_000, clock: () => Date = () => new Date()): Job => {
  const store = orderStore(db);
  return {
    name: 'ack-overdue',
    everyMs,
    async run() {
      return (await markOverdueAcknowledgments(store, clock())).more;
    },
  };
};
