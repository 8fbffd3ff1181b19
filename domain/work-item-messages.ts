import { escapeHtml, type EmailMessage, type NoticePerson } from './approval-messages.ts';
import type { WorkItem } from './work-item.ts';

// What a person is told when a task on their list (or their role's) runs past its due time: what it
// is, since when it is late, and where to find it. Pure, like the approval messages.

const overdueLine = (item: Pick<WorkItem, 'title' | 'dueAt'>) =>
  `"${item.title}" was due ${item.dueAt ?? 'without a time'} and is not done.`;

export function overdueEmail(
  item: Pick<WorkItem, 'id' | 'title' | 'dueAt' | 'orderId'>,
  person: NoticePerson,
  baseUrl: string,
): EmailMessage {
  const where = `${baseUrl.replace(/\/+$/, '')}/v1/tasks/${item.id}`;
  const order = item.orderId === null ? [] : [`Order: ${item.orderId}`];
  const text = [`Hello ${person.name},`, '', overdueLine(item), ...order, '', `Claim it or reassign it: ${where}`].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p>Hello ${escapeHtml(person.name)},</p>`,
    `<p>${escapeHtml(overdueLine(item))}</p>`,
    ...order.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<p>Claim it or reassign it: <a href="${escapeHtml(where)}">${escapeHtml(where)}</a></p>`,
    '</body></html>',
  ].join('\n');
  return { subject: `Overdue: ${item.title}`, text, html };
}

/** One SMS segment where it can be. */
export const overdueSms = (item: Pick<WorkItem, 'title' | 'dueAt'>): string =>
  `ordergate: overdue since ${item.dueAt ?? '-'}: ${item.title}`.slice(0, 160);
