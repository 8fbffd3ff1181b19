import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, isTransientConflict } from '../adapters/db/index.ts';
import { ProblemError, problem, type ProblemBody } from './problems.ts';
import type { Outage } from './outage.ts';
import { toFieldErrors } from './validation.ts';
import { cxmlResponse } from '../adapters/cxml/index.ts';

const retryAfterSeconds = '5';

const byFastifyCode: Record<string, (error: FastifyError) => ProblemBody> = {
  FST_ERR_CTP_BODY_TOO_LARGE: (e) => problem('payload-too-large', e.message),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (e) => problem('unsupported-media-type', e.message),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => problem('malformed-json', 'the body is empty'),
  FST_ERR_CTP_INVALID_JSON_BODY: (e) => problem('malformed-json', e.message),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: (e) => problem('invalid-request', e.message),
};

type Answer = { body: ProblemBody; headers: Record<string, string>; databaseDown?: true };

function toProblem(error: FastifyError & { errors?: unknown[] }): Answer {
  if (error instanceof ProblemError) return { body: error.body, headers: error.headers };
  // The OpenAPI glue wraps what our security handler threw.
  const inner = error.errors?.find((e): e is ProblemError => e instanceof ProblemError);
  if (inner !== undefined) return { body: inner.body, headers: inner.headers };
  if (error.validation !== undefined) {
    const errors = toFieldErrors(error.validation as Parameters<typeof toFieldErrors>[0], error.validationContext ?? 'body');
    return {
      body: problem('invalid-request', errors.map((e) => `${e.in} ${e.pointer || '(root)'}: ${e.detail}`).join('; '), errors),
      headers: {},
    };
  }
  const known = error.code === undefined ? undefined : byFastifyCode[error.code];
  if (known !== undefined) return { body: known(error), headers: {} };
  if (error instanceof SyntaxError) return { body: problem('malformed-json', error.message), headers: {} };
  if (isDatabaseUnavailable(error))
    return {
      body: problem('service-unavailable', 'the database is not answering'),
      headers: { 'retry-after': retryAfterSeconds },
      databaseDown: true,
    };
  // Retried inside the gateway already (adapters/db order-store); still conflicting means very busy.
  if (isTransientConflict(error))
    return {
      body: problem('service-unavailable', 'the database is too busy with conflicting work; retry shortly'),
      headers: { 'retry-after': '1' },
    };
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return { body: { ...problem('invalid-request', error.message), status: error.statusCode }, headers: {} };
  }
  return { body: problem('internal-error', 'the gateway hit an unexpected error; it has been logged'), headers: {} };
}

export const errorHandler = (outage: Outage) =>
  async function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<ProblemBody> {
    const { body, headers, databaseDown } = toProblem(error);
    if (databaseDown === true) outage.down(request.log, error);
    else if (body.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.code, status: body.status }, 'request refused');
    // cXML senders understand only cXML: the same answer as a Response document.
    if (request.url.startsWith('/v1/cxml')) {
      return reply
        .code(body.status)
        .headers(headers)
        .type('text/xml; charset=utf-8')
        .send(cxmlResponse(body.status, body.detail ?? body.title));
    }
    return reply
      .code(body.status)
      .headers(headers)
      .type('application/problem+json')
      .send({ ...body, instance: request.url });
  };

export async function notFoundHandler(request: FastifyRequest, reply: FastifyReply): Promise<ProblemBody> {
  const body = problem('route-not-found', `${request.method} ${request.url.split('?')[0]} is not a route of this API`);
  return reply.code(404).type('application/problem+json').send(body);
}
