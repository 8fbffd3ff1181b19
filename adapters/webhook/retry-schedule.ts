// What happens after each outbound webhook attempt, decided in one place. Retries are kept in the
// database (next_attempt_at) rather than in a p-retry loop: the schedule runs for hours and must
// outlive a restart, and any gateway instance may make the next attempt.

/** Waits after the 1st, 2nd, ... failed attempt; a failure after the last wait is final. */
export const backoffSeconds = [30, 2 * 60, 10 * 60, 60 * 60, 6 * 60 * 60] as const;

/** A manual retry gives one more attempt, not a new schedule: it starts on the last step. */
export const manualRetryStep = backoffSeconds.length;

export type AttemptOutcome = { statusCode?: number; error?: string };

export interface NextState {
  state: 'pending' | 'delivered' | 'failed';
  scheduleStep: number;
  nextAttemptAt: Date | null;
}

/** Any 2xx is delivered; anything else (4xx included: receivers answer 400 while misconfigured) is retried. */
export const isDelivered = (outcome: AttemptOutcome): boolean =>
  outcome.statusCode !== undefined && outcome.statusCode >= 200 && outcome.statusCode < 300;

export function afterAttempt(scheduleStep: number, outcome: AttemptOutcome, now: Date): NextState {
  if (isDelivered(outcome)) return { state: 'delivered', scheduleStep, nextAttemptAt: null };
  const wait = backoffSeconds[scheduleStep];
  if (wait === undefined) return { state: 'failed', scheduleStep, nextAttemptAt: null };
  return { state: 'pending', scheduleStep: scheduleStep + 1, nextAttemptAt: new Date(now.getTime() + wait * 1000) };
}
