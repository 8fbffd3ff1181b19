import type { Knex } from 'knex';
import type { ApprovalStatus, ApprovalSummary, Decision } from '../../domain/approval.ts';
import type { NoticeChannel, NoticeLinks, NoticeState } from '../../domain/approval-messages.ts';
import type { NoticeBatch } from '../../pipeline/approval-notices.ts';
import type { Database } from './connect.ts';
import { noteOrderEvent } from './order-events.ts';

// Approval links and the messages that carry them. Written in the transaction of the level start;
// the sender claims, sends outside any transaction, then records; the link pages read and spend.

const actor = 'gateway';

const noteEvent = (q: Knex | Knex.Transaction, orderId: string, cause: string, detail: Record<string, unknown>) =>
  noteOrderEvent(q, orderId, cause, actor, detail);

export async function insertNoticeBatch(trx: Knex.Transaction, batch: NoticeBatch): Promise<void> {
  if (batch.links.length > 0)
    await trx('approval_links').insert(
      batch.links.map((link) => ({
        id: link.id,
        approval_id: link.approvalId,
        order_id: link.orderId,
        person_id: link.personId,
        decision: link.decision,
        level: link.level,
        summary: JSON.stringify(batch.summary),
        expires_at: link.expiresAt,
      })),
    );
  if (batch.notifications.length > 0)
    await trx('notifications').insert(
      batch.notifications.map((n) => ({
        id: n.id,
        order_id: n.orderId,
        approval_id: n.approvalId,
        work_item_id: n.workItemId ?? null,
        person_id: n.personId,
        channel: n.channel,
        to: n.to,
        subject: n.subject,
        text: n.text,
        html: n.html,
        links: JSON.stringify(n.links),
      })),
    );
}

export interface DueNotification {
  id: string;
  orderId: string | null;
  approvalId: string | null;
  workItemId: string | null;
  channel: NoticeChannel;
  to: string;
  subject: string | null;
  text: string;
  html: string | null;
  /** Counting this one. */
  attempts: number;
}

/**
 * Up to `limit` due messages, leased for `leaseMs` (their next_attempt_at moved past the send) in
 * a statement of their own: the rows are locked only while it runs, never while a message is on
 * its way, and another sender skips them until the lease runs out.
 */
export async function claimDueNotifications(db: Database, now: Date, limit: number, leaseMs: number): Promise<DueNotification[]> {
  const result = await db.raw(
    `UPDATE notifications SET next_attempt_at = ?, attempts = attempts + 1
      WHERE id IN (SELECT id FROM notifications WHERE state = 'pending' AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
  RETURNING id, order_id, approval_id, work_item_id, channel, "to", subject, text, html, attempts`,
    [new Date(now.getTime() + leaseMs), now, limit],
  );
  return (result.rows as Record<string, unknown>[]).map((r) => ({
    id: r.id as string,
    orderId: r.order_id as string | null,
    approvalId: r.approval_id as string | null,
    workItemId: r.work_item_id as string | null,
    channel: r.channel as NoticeChannel,
    to: r.to as string,
    subject: r.subject as string | null,
    text: r.text as string,
    html: r.html as string | null,
    attempts: Number(r.attempts),
  }));
}

export type NoticeOutcome =
  | { state: 'sent' | 'not-sent'; at: Date; detail?: string }
  | { state: 'failed'; at: Date; error: string }
  /** Failed this time; tried again at `nextAttemptAt`. */
  | { state: 'pending'; at: Date; error: string; nextAttemptAt: Date };

/** The outcome of a send, with its event in the order's history when it is final. */
export async function recordNoticeOutcome(db: Database, notice: DueNotification, outcome: NoticeOutcome): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('notifications')
      .where({ id: notice.id })
      .update({
        state: outcome.state,
        last_error: 'error' in outcome ? outcome.error : outcome.state === 'not-sent' ? (outcome.detail ?? null) : null,
        sent_at: outcome.state === 'sent' ? outcome.at : null,
        ...(outcome.state === 'pending' ? { next_attempt_at: outcome.nextAttemptAt } : {}),
      });
    if (outcome.state === 'pending' || notice.orderId === null) return;
    await noteEvent(trx, notice.orderId, notice.approvalId === null ? 'task.notified' : 'approval.notified', {
      notificationId: notice.id,
      ...(notice.approvalId === null ? { workItemId: notice.workItemId } : { approvalId: notice.approvalId }),
      channel: notice.channel,
      to: notice.to,
      state: outcome.state,
      attempts: notice.attempts,
      ...('error' in outcome ? { error: outcome.error } : {}),
      ...(outcome.state === 'not-sent' && outcome.detail !== undefined ? { reason: outcome.detail } : {}),
    });
  });
}

export interface NotificationView {
  id: string;
  channel: NoticeChannel;
  to: string;
  subject: string | null;
  text: string;
  links: NoticeLinks;
  state: NoticeState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

export async function listNotifications(db: Database, orderId: string): Promise<NotificationView[]> {
  const rows = await db('notifications').where({ order_id: orderId }).orderBy(['created_at', 'person_id', 'channel', 'id']);
  return rows.map((r: Record<string, unknown>) => ({
    id: r.id as string,
    channel: r.channel as NoticeChannel,
    to: r.to as string,
    subject: r.subject as string | null,
    text: r.text as string,
    links: r.links as NoticeLinks,
    state: r.state as NoticeState,
    attempts: Number(r.attempts),
    lastError: r.last_error as string | null,
    createdAt: (r.created_at as Date).toISOString(),
    sentAt: r.sent_at === null ? null : (r.sent_at as Date).toISOString(),
  }));
}

export interface StoredLink {
  id: string;
  approvalId: string;
  orderId: string;
  personId: string;
  personName: string;
  decision: Decision | null;
  level: number;
  summary: ApprovalSummary;
  expiresAt: Date;
  usedAt: Date | null;
  /** The approval as it is now, not as the message showed it. */
  approvalStatus: ApprovalStatus;
  currentLevel: number;
}

export async function findApprovalLink(db: Database, id: string): Promise<StoredLink | undefined> {
  const row = (await db('approval_links as l')
    .join('people as p', 'p.id', 'l.person_id')
    .join('approvals as a', 'a.id', 'l.approval_id')
    .where('l.id', id)
    .first('l.*', 'p.name as person_name', 'a.status as approval_status', 'a.current_level')) as Record<string, unknown> | undefined;
  if (row === undefined) return undefined;
  return {
    id: row.id as string,
    approvalId: row.approval_id as string,
    orderId: row.order_id as string,
    personId: row.person_id as string,
    personName: row.person_name as string,
    decision: row.decision as Decision | null,
    level: Number(row.level),
    summary: row.summary as ApprovalSummary,
    expiresAt: row.expires_at as Date,
    usedAt: (row.used_at as Date | null) ?? null,
    approvalStatus: row.approval_status as ApprovalStatus,
    currentLevel: Number(row.current_level),
  };
}

/**
 * Spends a link: true for the one caller that finds it unused, false for every other (a second
 * click, a concurrent POST). Committed at once, before the decision is asked for, so two POSTs of
 * one link can never both decide.
 */
export async function spendApprovalLink(db: Database, id: string, now: Date): Promise<boolean> {
  const spent = await db('approval_links').where({ id }).whereNull('used_at').update({ used_at: now });
  return spent === 1;
}

/** Gives a link back when its decision was not taken (the gateway failed, or the form was incomplete). */
export async function unspendApprovalLink(db: Database, id: string): Promise<void> {
  await db('approval_links').where({ id }).update({ used_at: null });
}

/** approval.link-opened (GET) or approval.link-used (POST), with what came of it. */
export async function noteLinkEvent(
  db: Database,
  link: StoredLink,
  cause: 'approval.link-opened' | 'approval.link-used',
  detail: Record<string, unknown>,
): Promise<void> {
  await noteEvent(db, link.orderId, cause, {
    approvalId: link.approvalId,
    linkId: link.id,
    personId: link.personId,
    level: link.level,
    ...(link.decision === null ? {} : { decision: link.decision }),
    ...detail,
  });
}
