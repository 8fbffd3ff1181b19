import type { Deliverer } from '../../../pipeline/outbound.ts';
import { deliver, type OutboundClient, type RetryPolicy } from '../../http/index.ts';
import { readPartnerAnswer, type PartnerAnswer } from './partner-answer.ts';

// POSTing a cXML request: success is the partner's cXML Response Status, not the HTTP status
// alone (see partner-answer.ts).

/**
 * deliver() with the partner's cXML answer judged on every 2xx reply: a 5xx Status is retried like
 * an HTTP 5xx, a 4xx Status fails at once. The Status of the reply that decided is recorded with the
 * document (cxmlStatus, cxmlStatusText); its detail, on a failure, is in lastError.
 */
export function cxmlDeliverer(policy: RetryPolicy, outbound: OutboundClient): Deliverer {
  return async (url, document) => {
    const seen: { last?: PartnerAnswer } = {};
    const judge = (body: string) => {
      const answer = readPartnerAnswer(body);
      seen.last = answer;
      return answer.outcome === 'accepted' ? undefined : { retry: answer.outcome === 'retry', error: answer.summary };
    };
    const result = await deliver({ url, ...document, judge }, policy, outbound);
    const answer = seen.last;
    // The last Status read decided only if the delivery ended on it (not on a later HTTP or network failure).
    const decided = answer?.status !== undefined && (result.ok || result.error === answer.summary) ? answer.status : undefined;
    return {
      ok: result.ok,
      attempts: result.attempts,
      ...(result.ok ? {} : { error: result.error }),
      ...(decided === undefined ? {} : { answer: { cxmlStatus: String(decided.code), cxmlStatusText: decided.text } }),
    };
  };
}
