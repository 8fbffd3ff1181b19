import type { Knex } from 'knex';

// Errors that mean "the database is not there right now" (answered with 503 and retried later),
// as opposed to errors in what we asked of it (a defect: 500, logged with its cause). A client
// told 503 retries the same request, so an error that the same request will meet again (08P01,
// a protocol violation such as a statement binding more than 65,535 parameters) is never one.
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  // Class 08, connection exceptions, except 08P01 (protocol_violation).
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08007',
  // admin_shutdown, crash_shutdown, cannot_connect_now (starting up).
  '57P01',
  '57P02',
  '57P03',
  // too_many_connections
  '53300',
  // A statement ended by statement_timeout: the database is too slow to answer in time.
  '57014',
]);
const unavailableMessages = [
  /Connection terminated/i,
  /Timeout acquiring a connection/i,
  /connection is closed/i,
  /Client has encountered a connection error/i,
  /terminating connection/i,
  // pg's query_timeout: no answer at all (a half-open connection).
  /Query read timeout/i,
  // pg's connectionTimeoutMillis: a new connection got no answer in time (a silent path).
  /^timeout expired$/i,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  if (typeof code === 'string' && unavailableCodes.has(code)) return true;
  if (name === 'KnexTimeoutError') return true;
  if (typeof message === 'string' && unavailableMessages.some((re) => re.test(message))) return true;
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined && cause !== error) return isDatabaseUnavailable(cause);
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.some(isDatabaseUnavailable);
}

/**
 * The database gave up on one transaction to let others go on (deadlock detected, serialization
 * failure): the same work run again succeeds. Retried inside the gateway, never shown as a 500.
 */
export function isTransientConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as { code?: unknown };
  if (code === '40P01' || code === '40001') return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isTransientConflict(cause);
}

/** One trivial query: does the database answer at all. */
export async function pingDatabase(db: Knex): Promise<void> {
  await db.raw('select 1');
}
