import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemText, type ApiAnswer } from './api-call.ts';
import { render } from './render.ts';
import { leaveNotice, type Notice } from './session.ts';

// What the operations pages share: their section, how a refusal of the API becomes a page, the
// Post/Redirect/Get step of their forms, and how they write times and addresses.

export const section = '/console/operations';

export type Form = Record<string, string | undefined>;
export type OpsRequest = FastifyRequest<{
  Body: Form | undefined;
  Querystring: Record<string, string | string[] | undefined>;
  Params: Record<string, string>;
}>;

/** One value of the query: a name given twice (?q=a&q=b) counts as not given. */
export const queryValue = (value: string | string[] | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/** Why a page cannot be shown: the API's status and its reason. */
export interface Refusal {
  status: number;
  reason: string;
}

export const refusalOf = (answer: ApiAnswer): Refusal => ({ status: answer.status, reason: problemText(answer) });

/** A refused read as a console page, with the API's status and reason. */
export function refusedPage(request: FastifyRequest, reply: FastifyReply, refusal: Refusal, back?: { href: string; label: string }) {
  return render(
    request,
    reply,
    'message',
    {
      title: refusal.status === 403 ? 'Not for this sign-in' : refusal.status === 404 ? 'Not found' : 'Not available',
      section,
      paragraphs: [refusal.reason],
      ...(back === undefined ? {} : { back }),
    },
    refusal.status,
  );
}

/** After a form: a one-line notice for the next page, then the page (Post/Redirect/Get). */
export function noticeThen(
  request: FastifyRequest,
  reply: FastifyReply,
  publicBaseUrl: string | undefined,
  notice: Notice,
  to: string,
): FastifyReply {
  leaveNotice(reply, request, publicBaseUrl, notice);
  return reply.redirect(to, 303);
}

/** A query string of the given values, the empty ones left out. */
export function queryOf(values: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== '') query.set(name, String(value));
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

/** An id from the console's address, as one segment of the API's: it cannot reach another route. */
export const segment = (id: string | undefined): string => encodeURIComponent(id ?? '');
