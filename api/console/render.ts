import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../adapters/db/index.ts';
import { problemText, type ApiAnswer } from './api-call.ts';
import { takeNotice, type Notice } from './session.ts';

// One way to answer with a console page: the template, inside the layout, with who is signed in,
// their form token, the sections their role may open and the notice a form left for this page.

export interface Section {
  href: string;
  label: string;
}

const sections: { section: Section; roles: Principal['role'][] }[] = [
  { section: { href: '/console/orders', label: 'Orders' }, roles: ['admin', 'partner'] },
  { section: { href: '/console/documents', label: 'Documents' }, roles: ['admin', 'partner'] },
  { section: { href: '/console/work', label: 'My work' }, roles: ['admin', 'partner', 'person'] },
  { section: { href: '/console/operations', label: 'Operations' }, roles: ['admin'] },
  { section: { href: '/console/reports', label: 'Reports' }, roles: ['admin', 'partner', 'person'] },
];

export const sectionsFor = (role: Principal['role'] | undefined): Section[] =>
  role === undefined ? [] : sections.filter((s) => s.roles.includes(role)).map((s) => s.section);

/** The page a role lands on after signing in. */
export const homeOf = (role: Principal['role']): string => sectionsFor(role)[0]?.href ?? '/console/work';

export interface PageData {
  title: string;
  /** The section of the navigation this page belongs to. */
  section?: string;
  notice?: Notice;
  [key: string]: unknown;
}

export function render(request: FastifyRequest, reply: FastifyReply, template: string, data: PageData, status = 200): FastifyReply {
  const session = request.consoleSession;
  const notice = data.notice ?? takeNotice(request, reply);
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .view(template, {
      ...data,
      notice,
      me: session === undefined ? undefined : { name: session.name, role: session.principal.role },
      csrf: session?.csrf,
      sections: sectionsFor(session?.principal.role),
    });
}

/** Why the API refused: its status and its reason in one line. */
export interface Refusal {
  status: number;
  reason: string;
}

export const refusalOf = (answer: ApiAnswer): Refusal => ({ status: answer.status, reason: problemText(answer) });

/** A refused API call as a console page, with the API's status and reason. */
export function refusedPage(
  request: FastifyRequest,
  reply: FastifyReply,
  refusal: Refusal,
  page: { section: string; title?: string; back?: { href: string; label: string } },
): FastifyReply {
  const title = page.title ?? (refusal.status === 403 ? 'Not for this sign-in' : refusal.status === 404 ? 'Not found' : 'Not available');
  return render(
    request,
    reply,
    'message',
    { title, section: page.section, paragraphs: [refusal.reason], ...(page.back === undefined ? {} : { back: page.back }) },
    refusal.status,
  );
}
