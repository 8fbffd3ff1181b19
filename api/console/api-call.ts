import type { FastifyRequest } from 'fastify';
import { sessionCookie } from './session.ts';

// The console asks the API, in-process, as the signed-in session: the same routes, validation,
// visibility and use cases a client of the API meets, so there is no second path to keep right.

export interface ApiAnswer<T = unknown> {
  status: number;
  ok: boolean;
  body: T;
  /** For text answers (a document's body, a CSV). */
  text: string;
  contentType: string;
}

export interface ApiProblem {
  title?: string;
  detail?: string;
  code?: string;
  errors?: { pointer?: string; detail?: string }[];
}

export type ApiCall = <T = unknown>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  accept?: string,
) => Promise<ApiAnswer<T>>;

export function apiFor(request: FastifyRequest): ApiCall {
  const session = request.consoleSession;
  if (session === undefined) throw new Error('a console page asked the API without a session');
  return async (method, url, payload, accept) => {
    const response = await request.server.inject({
      method,
      url,
      headers: {
        cookie: `${sessionCookie}=${session.token}`,
        'x-csrf-token': session.csrf,
        'x-request-id': request.id,
        ...(accept === undefined ? {} : { accept }),
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    const contentType = String(response.headers['content-type'] ?? '');
    const json = /json/.test(contentType);
    return {
      status: response.statusCode,
      ok: response.statusCode < 300,
      body: (json && response.body.length > 0 ? response.json() : undefined) as never,
      text: response.body,
      contentType,
    };
  };
}

/** What went wrong, in one line, from a problem+json answer. */
export function problemText(answer: ApiAnswer): string {
  const problem = (answer.body ?? {}) as ApiProblem;
  const fields = (problem.errors ?? []).map((e) => `${e.pointer ?? ''} ${e.detail ?? ''}`.trim()).filter((s) => s !== '');
  const head = problem.detail ?? problem.title ?? `the gateway answered ${answer.status}`;
  return fields.length > 0 && !fields.every((f) => head.includes(f)) ? `${head} (${fields.join('; ')})` : head;
}
