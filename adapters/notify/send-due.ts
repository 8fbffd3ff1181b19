import pRetry from 'p-retry';
import { claimDueNotifications, recordNoticeOutcome, type Database, type NoticeOutcome } from '../db/index.ts';
import type { NoticeSend } from './email.ts';
import { PermanentSendError } from './permanent.ts';

// Sends what is due: claimed with a lease in a statement of its own, sent with no transaction open
// (a slow mail server holds no row and no connection), then the outcome recorded. A send is tried a
// few times at once (p-retry); if it still fails, the message waits (next_attempt_at, growing) and
// is tried again later, until it has had `maxAttempts`.

export interface Senders {
  /** Absent without SMTP_URL: e-mails are kept, not sent. */
  email?: NoticeSend;
  /** Absent without TWILIO_*: SMS are kept, not sent. */
  sms?: NoticeSend;
}

export interface NoticePolicy {
  /** Tries within one attempt after the first (p-retry). */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Attempts (rounds of the job) before a message is failed for good. */
  maxAttempts: number;
  /** Wait before attempt n + 1. */
  backoffMs: (attempts: number) => number;
  leaseMs: number;
  batch: number;
}

export const defaultNoticePolicy: NoticePolicy = {
  retries: 2,
  minTimeoutMs: 1_000,
  maxTimeoutMs: 5_000,
  maxAttempts: 6,
  // 1 min, 4 min, 16 min, 1 h, 1 h: a mail server's restart or a day's outage of an hour or so is waited out.
  backoffMs: (attempts) => Math.min(3_600_000, 60_000 * 4 ** (attempts - 1)),
  leaseMs: 5 * 60_000,
  batch: 20,
};

const notConfigured = { email: 'SMTP_URL is not set', sms: 'TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM are not set' };

/** Returns how many messages it handled: as many as `batch` means more may be waiting. */
export async function sendDueNotifications(
  db: Database,
  senders: Senders,
  policy: NoticePolicy,
  clock: () => Date = () => new Date(),
): Promise<number> {
  const due = await claimDueNotifications(db, clock(), policy.batch, policy.leaseMs);
  for (const notice of due) {
    const send = senders[notice.channel];
    let outcome: NoticeOutcome;
    if (send === undefined) {
      outcome = { state: 'not-sent', at: clock(), detail: notConfigured[notice.channel] };
    } else {
      try {
        await pRetry(() => send(notice), {
          retries: policy.retries,
          minTimeout: policy.minTimeoutMs,
          maxTimeout: policy.maxTimeoutMs,
          shouldRetry: ({ error }) => !(error instanceof PermanentSendError),
        });
        outcome = { state: 'sent', at: clock() };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const final = error instanceof PermanentSendError || notice.attempts >= policy.maxAttempts;
        const at = clock();
        outcome = final
          ? { state: 'failed', at, error: message }
          : { state: 'pending', at, error: message, nextAttemptAt: new Date(at.getTime() + policy.backoffMs(notice.attempts)) };
      }
    }
    await recordNoticeOutcome(db, notice, outcome);
  }
  return due.length;
}
