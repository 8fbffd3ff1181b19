// Every problem code the API answers with, listed once with its HTTP status.
// README's error table is checked against this list by a test.

export const problemCodes = {
  'malformed-json': { status: 400, title: 'The body is not well-formed JSON' },
  'invalid-request': { status: 400, title: 'The request does not match the API contract' },
  'invalid-character': {
    status: 400,
    title: 'A text holds a character the gateway cannot store: U+0000 (NUL) or a UTF-16 surrogate without its pair',
  },
  'invalid-cursor': { status: 400, title: 'The paging cursor is not one this API issued' },
  'x12-unreadable': { status: 400, title: 'The body holds no X12 interchange that can be read' },
  'url-not-allowed': {
    status: 400,
    title: 'The gateway does not send to this URL: its scheme, or an address it is or resolves to, is not allowed',
  },
  unauthorized: { status: 401, title: 'Missing or unknown API key' },
  'webhook-unauthenticated': { status: 401, title: 'Unknown webhook source, or a missing or wrong signature' },
  'webhook-outside-window': { status: 401, title: 'The webhook timestamp is more than 5 minutes from the gateway clock' },
  forbidden: { status: 403, title: 'This key may not use this operation' },
  'no-x12-identity': { status: 403, title: 'This partner has no X12 identity configured' },
  'not-found': { status: 404, title: 'No such resource' },
  'route-not-found': { status: 404, title: 'No such route' },
  'request-timeout': {
    status: 408,
    title: 'The request did not arrive in time: its headers within HEADERS_TIMEOUT_MS, all of it within REQUEST_TIMEOUT_MS',
  },
  'idempotency-key-reused': { status: 409, title: 'This Idempotency-Key was used for a different request' },
  'webhook-id-reused': { status: 409, title: 'This webhook event id was used for a different body' },
  'invalid-state': { status: 409, title: 'The order or task is in a state that does not allow this' },
  'identity-in-use': { status: 409, title: 'This partner identity belongs to another partner' },
  'already-decided': { status: 409, title: 'The approval was decided already; this decision changed nothing' },
  'payload-too-large': { status: 413, title: 'The body is larger than the gateway accepts' },
  'unsupported-media-type': { status: 415, title: 'This content type is not accepted here' },
  'invalid-order': { status: 422, title: 'The order breaks a business rule' },
  'reply-refused': { status: 422, title: 'The vendor reply cannot be right for its order or task' },
  'limit-reached': { status: 422, title: 'The partner already has as many of these as the gateway allows' },
  'headers-too-large': { status: 431, title: 'The request headers are larger than the gateway reads (16 KiB)' },
  'service-unavailable': { status: 503, title: 'A backing service is unavailable; retry later' },
  'internal-error': { status: 500, title: 'Unexpected error' },
} as const;

export type ProblemCode = keyof typeof problemCodes;

export interface FieldError {
  in: 'body' | 'header' | 'query' | 'path';
  pointer: string;
  code?: string;
  detail: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export const problemType = (code: ProblemCode): string => `https://ordergate.dev/problems/${code}`;

export function problem(code: ProblemCode, detail?: string, errors?: FieldError[]): ProblemBody {
  const { status, title } = problemCodes[code];
  return {
    type: problemType(code),
    title,
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...(errors === undefined ? {} : { errors }),
  };
}

/** Thrown by handlers for answers that end the request early; the error handler renders it. */
export class ProblemError extends Error {
  readonly body: ProblemBody;
  constructor(
    code: ProblemCode,
    detail?: string,
    errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? problemCodes[code].title);
    this.name = 'ProblemError';
    this.body = problem(code, detail, errors);
  }
}

/** Texts the database cannot hold (domain/text.ts), each named: 400 invalid-character. */
export const invalidCharacters = (part: FieldError['in'], found: { pointer: string; detail: string }[]): ProblemError =>
  new ProblemError(
    'invalid-character',
    found.map((f) => `${part} ${f.pointer || '(root)'} ${f.detail}`).join('; '),
    found.map((f) => ({ in: part, pointer: f.pointer, code: 'invalid-character', detail: f.detail })),
  );
