import type { Database } from '../../adapters/db/index.ts';
import { pushStuckDocuments, type PushPolicy } from '../../adapters/partners/index.ts';
import type { Job } from '../scheduler.ts';

/** Stored before sent: documents whose push after commit never happened (the process died) are pushed. */
export const documentPushesJob = (db: Database, push: PushPolicy, everyMs = 5_000): Job => ({
  name: 'document-pushes',
  everyMs,
  async run() {
    await pushStuckDocuments(db, push);
  },
});
