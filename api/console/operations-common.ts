import type { FastifyReply, FastifyRequest } from 'fastify';
import { refusedPage as refusedPageOf, type Refusal } from './render.ts';
import { leaveNotice, type Notice } from './session.ts';

// What the operations pages share: their section, a refusal of the API as a page of the section, the
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

/** A refused read as an operations page. */
export const refusedPage = (request: FastifyRequest, reply: FastifyReply, refusal: Refusal, back?: { href: string; label: string }) =>
  refusedPageOf(request, reply, refusal, { section, ...(back === undefined ? {} : { back }) });

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
