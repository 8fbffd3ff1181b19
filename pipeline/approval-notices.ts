import { randomUUID } from 'node:crypto';
import type { ApprovalSummary } from '../domain/approval.ts';
import { newLinkId, newShortId, signLinkToken, type NewApprovalLink } from '../domain/approval-links.ts';
import { approvalEmail, approvalSms, type NewNotification, type NoticePerson } from '../domain/approval-messages.ts';
import type { LevelNotice } from './approvals.ts';
import type { StoreTransaction } from './ports.ts';

// When a level starts, each person who decides it is sent what they need: an e-mail with an Approve
// and a Reject link, an SMS with one short link to the decision page, or both. Nothing is sent
// here: the links and the messages are written in the caller's transaction (they exist exactly when
// the level does), and the notifications job sends them after commit, outside any transaction.

export interface NoticeSettings {
  /** PUBLIC_BASE_URL: where people's browsers reach the gateway. */
  baseUrl: string;
  /** Signs the link tokens (adapters/notify linkKey). */
  linkKey: Buffer;
  /** LINK_TTL in milliseconds. */
  linkTtlMs: number;
}

/** What one level start writes: its links (each with the summary its page shows) and its messages. */
export interface NoticeBatch {
  /** The approval the links decide; a batch without links (a task's escalation) has none. */
  summary?: ApprovalSummary;
  links: NewApprovalLink[];
  notifications: NewNotification[];
}

export type NoticeWriter = Pick<StoreTransaction, 'queueNotices' | 'noteEvent'>;

export interface QueuedNotices {
  notifications: NewNotification[];
  /** People with neither an e-mail address nor a phone: noted in the order's history, told nothing. */
  unreachable: string[];
}

const actor = 'gateway';

export async function queueLevelNotices(
  tx: NoticeWriter,
  summary: ApprovalSummary,
  people: readonly NoticePerson[],
  settings: NoticeSettings,
  now: Date,
): Promise<QueuedNotices> {
  const base = settings.baseUrl.replace(/\/+$/, '');
  // Whole seconds: the token signs the expiry as the table keeps it.
  const expiresAt = new Date(Math.floor((now.getTime() + settings.linkTtlMs) / 1000) * 1000);
  const batch: NoticeBatch = { summary, links: [], notifications: [] };
  const unreachable: string[] = [];
  const link = (person: NoticePerson, decision: NewApprovalLink['decision'], id: string): NewApprovalLink => ({
    id,
    approvalId: summary.approvalId,
    orderId: summary.orderId,
    personId: person.id,
    decision,
    level: summary.level.level,
    expiresAt,
  });
  const message = (person: NoticePerson, channel: NewNotification['channel'], to: string) => ({
    id: randomUUID(),
    orderId: summary.orderId,
    approvalId: summary.approvalId,
    personId: person.id,
    channel,
    to,
  });

  for (const person of people) {
    const email = person.email?.trim() ?? '';
    const phone = person.phone?.trim() ?? '';
    if (email === '' && phone === '') {
      unreachable.push(person.id);
      continue;
    }
    if (email !== '') {
      const urls = { approve: '', reject: '' };
      for (const decision of ['approve', 'reject'] as const) {
        const row = link(person, decision, newLinkId());
        batch.links.push(row);
        const token = signLinkToken(
          { id: row.id, approvalId: row.approvalId, personId: person.id, decision, expiresAt: Math.floor(expiresAt.getTime() / 1000) },
          settings.linkKey,
        );
        urls[decision] = `${base}/a/${token}`;
      }
      const mail = approvalEmail(summary, person, urls);
      batch.notifications.push({
        ...message(person, 'email', email),
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        links: urls,
      });
    }
    if (phone !== '') {
      const row = link(person, null, newShortId());
      batch.links.push(row);
      const url = `${base}/a/${row.id}`;
      batch.notifications.push({
        ...message(person, 'sms', phone),
        subject: null,
        text: approvalSms(summary, url),
        html: null,
        links: { approve: url, reject: url },
      });
    }
  }
  if (batch.notifications.length > 0) await tx.queueNotices(batch);
  for (const personId of unreachable)
    await tx.noteEvent(summary.orderId, 'approval.not-notified', actor, {
      approvalId: summary.approvalId,
      level: summary.level.level,
      personId,
      reason: 'the person has neither an e-mail address nor a phone',
    });
  return { notifications: batch.notifications, unreachable };
}

/** The approvals' `notice` that tells a level's people by mail and SMS. */
export const levelNotice =
  (settings: NoticeSettings): LevelNotice =>
  async (tx, summary, people, at) => {
    await queueLevelNotices(tx, summary, people, settings, at);
  };
