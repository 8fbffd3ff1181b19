import pRetry from 'p-retry';
import { claimDueNotifications, recordNoticeOutcome, type Database, type DueNotification, type NoticeOutcome } from '../db/index.ts';
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
  // Sent at once; each records its outcome on a connection of the pool (10) that HTTP shares.
  batch: 5,
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
  // At once, so that a batch takes as long as its slowest message (three tries of a mail server
  // that times out: about a minute and a half), well within the lease: a lease that ran out while
  // the batch was still going would let another sender send the same message again.
  await Promise.all(due.map(async (notice) => recordNoticeOutcome(db, notice, await attempt(notice, senders, policy, clock))));
  return due.length;
}

async function attempt(notice: DueNotification, senders: Senders, policy: NoticePolicy, clock: () => Date): Promise<NoticeOutcome> {
  const send = senders[notice.channel];
  if (send === undefined) return { state: 'not-sent', at: clock(), detail: notConfigured[notice.channel] };
  try {
    await pRetry(() => send(notice), {
      retries: policy.retries,
      minTimeout: policy.minTimeoutMs,
      maxTimeout: policy.maxTimeoutMs,
      shouldRetry: ({ error }) => !(error instanceof PermanentSendError),
    });
    return { state: 'sent', at: clock() };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = clock();
    if (error instanceof PermanentSendError || notice.attempts >= policy.maxAttempts) return { state: 'failed', at, error: message };
    return { state: 'pending', at, error: message, nextAttemptAt: new Date(at.getTime() + policy.backoffMs(notice.attempts)) };
  }
}
