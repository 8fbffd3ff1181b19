import type { Database } from '../../adapters/db/index.ts';
import { defaultNoticePolicy, sendDueNotifications, type NoticePolicy, type Senders } from '../../adapters/notify/index.ts';
import type { Job } from '../scheduler.ts';

/** Approval e-mails and SMS out, after the transaction that wrote them; a full batch runs again at once. */
export const notificationsJob = (db: Database, senders: Senders, policy: NoticePolicy = defaultNoticePolicy, everyMs = 2_000): Job => ({
  name: 'notifications',
  everyMs,
  async run() {
    return (await sendDueNotifications(db, senders, policy)) === policy.batch;
  },
});
