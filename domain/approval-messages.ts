import type { ApprovalSummary, Decision } from './approval.ts';

// What a person is sent to decide an approval: an e-mail with everything needed to decide (plain
// text, and the same as simple HTML), or a short SMS with one link to the decision page. Pure, so
// that the mail, the SMS and the link page say the same things the same way.

/** Someone to notify: a row of the people table. */
export interface NoticePerson {
  id: string;
  name: string;
  email?: string | null;
  phone?: string | null;
}

export type NoticeChannel = 'email' | 'sms';
export type NoticeState = 'pending' | 'sent' | 'failed' | 'not-sent';

/** The links a message carries; an SMS has one decision page, so both name it. */
export interface NoticeLinks {
  approve: string;
  reject: string;
}

export interface NewNotification {
  id: string;
  orderId: string | null;
  /** What the message is about: an approval level, or a work item (its escalation). */
  approvalId: string | null;
  workItemId?: string;
  personId: string;
  channel: NoticeChannel;
  to: string;
  subject: string | null;
  text: string;
  html: string | null;
  links: NoticeLinks;
}

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Everything from an order goes through this before it is HTML. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => htmlEntities[c] as string);

export const formatMoney = (amount: number, currency: string): string =>
  `${currency} ${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

const verbs: Record<Decision, string> = { approve: 'approved', reject: 'rejected' };

/** How deep in its bundle a line sits: 0 for a line of its own, 1 for a component... */
function depths(summary: ApprovalSummary): Map<string, number> {
  const parents = new Map(summary.lines.map((line) => [line.lineNumber, line.parentLineNumber]));
  const depth = (lineNumber: string, seen: Set<string>): number => {
    const parent = parents.get(lineNumber);
    if (parent === undefined || !parents.has(parent) || seen.has(parent)) return 0;
    return 1 + depth(parent, seen.add(parent));
  };
  return new Map(summary.lines.map((line) => [line.lineNumber, depth(line.lineNumber, new Set([line.lineNumber]))]));
}

function lineWords(line: ApprovalSummary['lines'][number], currency: string): string {
  const item = [line.sku, line.description].filter((part) => part !== undefined && part !== '').join(' ');
  const price =
    line.unitPrice === undefined
      ? ''
      : ` at ${formatMoney(line.unitPrice, currency)} = ${formatMoney(line.unitPrice * line.quantity, currency)}`;
  return `${line.lineNumber}. ${item === '' ? '(no item)' : item}: ${line.quantity} ${line.uom}${price}`;
}

function historyWords(entry: ApprovalSummary['history'][number]): string {
  const comment = entry.comment === undefined || entry.comment === '' ? '' : `: "${entry.comment}"`;
  return `${entry.at} level ${entry.level}: ${entry.by} ${verbs[entry.decision]} (${entry.via})${comment}`;
}

function totals(summary: ApprovalSummary): string[] {
  const lines = [`Total: ${formatMoney(summary.computedTotal, summary.currency)}`];
  if (summary.statedTotal !== undefined && summary.statedTotal !== summary.computedTotal)
    lines.push(`Total stated by the partner: ${formatMoney(summary.statedTotal, summary.currency)}`);
  return lines;
}

const levelWords = (summary: ApprovalSummary): string => `level ${summary.level.level} of ${summary.level.of} (${summary.level.name})`;

/** The summary in words for a page to lay out (the console's approval page and the links' pages). */
export interface SummaryView {
  externalRef: string;
  partnerName: string;
  totals: string[];
  waitingFor: string;
  lines: { depth: number; text: string }[];
  reasons: string[];
  history: string[];
}

export function summaryView(summary: ApprovalSummary): SummaryView {
  const depth = depths(summary);
  return {
    externalRef: summary.externalRef,
    partnerName: summary.partner.name,
    totals: totals(summary),
    waitingFor: levelWords(summary),
    lines: summary.lines.map((line) => ({ depth: depth.get(line.lineNumber) ?? 0, text: lineWords(line, summary.currency) })),
    reasons: summary.reasons.map((r) => `${r.detail} (${r.policy}${r.lineNumber === undefined ? '' : `, line ${r.lineNumber}`})`),
    history: summary.history.map(historyWords),
  };
}

export const emailSubject = (summary: ApprovalSummary): string =>
  `Approval needed: order ${summary.externalRef} from ${summary.partner.name}, ${formatMoney(summary.computedTotal, summary.currency)}`;

/** The summary as plain text: what the mail's text part and the SMS-less reader see. */
export function summaryText(summary: ApprovalSummary): string {
  const depth = depths(summary);
  return [
    `Partner: ${summary.partner.name}`,
    `Order: ${summary.externalRef}`,
    ...totals(summary),
    `Waiting for: ${levelWords(summary)}`,
    '',
    'Lines:',
    ...summary.lines.map((line) => `${'  '.repeat(1 + (depth.get(line.lineNumber) ?? 0))}${lineWords(line, summary.currency)}`),
    '',
    'Why it needs approval:',
    ...summary.reasons.map(
      (reason) => `  - ${reason.detail} (${reason.policy}${reason.lineNumber === undefined ? '' : `, line ${reason.lineNumber}`})`,
    ),
    '',
    'Decisions so far:',
    ...(summary.history.length === 0 ? ['  none yet'] : summary.history.map((entry) => `  - ${historyWords(entry)}`)),
  ].join('\n');
}

/** The same as HTML, every value escaped. */
export function summaryHtml(summary: ApprovalSummary): string {
  const depth = depths(summary);
  const e = escapeHtml;
  const rows = summary.lines
    .map((line) => `<li style="margin-left:${1.5 * (depth.get(line.lineNumber) ?? 0)}em">${e(lineWords(line, summary.currency))}</li>`)
    .join('');
  const reasons = summary.reasons
    .map((r) => `<li>${e(r.detail)} (${e(r.policy)}${r.lineNumber === undefined ? '' : `, line ${e(r.lineNumber)}`})</li>`)
    .join('');
  const history =
    summary.history.length === 0 ? '<li>none yet</li>' : summary.history.map((entry) => `<li>${e(historyWords(entry))}</li>`).join('');
  return [
    `<p>Partner: <b>${e(summary.partner.name)}</b><br>Order: <b>${e(summary.externalRef)}</b><br>`,
    `${totals(summary).map(e).join('<br>')}<br>Waiting for: ${e(levelWords(summary))}</p>`,
    `<h3>Lines</h3><ul style="list-style:none;padding-left:0">${rows}</ul>`,
    `<h3>Why it needs approval</h3><ul>${reasons}</ul>`,
    `<h3>Decisions so far</h3><ul>${history}</ul>`,
  ].join('\n');
}

export function approvalEmail(summary: ApprovalSummary, person: NoticePerson, links: NoticeLinks): EmailMessage {
  const e = escapeHtml;
  const text = [
    `Hello ${person.name},`,
    '',
    `Order ${summary.externalRef} from ${summary.partner.name} waits for your decision.`,
    '',
    summaryText(summary),
    '',
    `Approve: ${links.approve}`,
    `Reject: ${links.reject}`,
    '',
    'Each link opens a page where you confirm; it works once, for you only.',
  ].join('\n');
  const button = (href: string, label: string, colour: string) =>
    `<a href="${e(href)}" style="display:inline-block;padding:8px 16px;margin-right:8px;background:${colour};color:#fff;text-decoration:none">${label}</a>`;
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p>Hello ${e(person.name)},</p>`,
    `<p>Order <b>${e(summary.externalRef)}</b> from ${e(summary.partner.name)} waits for your decision.</p>`,
    summaryHtml(summary),
    `<p>${button(links.approve, 'Approve', '#1a7f37')}${button(links.reject, 'Reject', '#b42318')}</p>`,
    '<p style="color:#666">Each link opens a page where you confirm; it works once, for you only.</p>',
    '</body></html>',
  ].join('\n');
  return { subject: emailSubject(summary), text, html };
}

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** One SMS segment where it can be: reference, partner, total and the decision page. */
export const approvalSms = (summary: ApprovalSummary, link: string): string =>
  `Approval needed: order ${clip(summary.externalRef, 30)} (${clip(summary.partner.name, 24)}) ${formatMoney(summary.computedTotal, summary.currency)}. Decide: ${link}`;
