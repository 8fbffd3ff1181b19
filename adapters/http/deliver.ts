import pRetry, { AbortError } from 'p-retry';
import { statusClass } from '../../domain/outbound-target.ts';
import { OutboundFailure, type OutboundClient } from './outbound.ts';

// POSTs a document to a partner's (or vendor's) endpoint through the outbound policy
// (outbound.ts), retrying with growing back-off while the failure may pass (network, 408, 429,
// 5xx); a 4xx, a 3xx (redirects are not followed) or a refused target stops at once.

export interface Delivery {
  url: string;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
  /**
   * Reads a 2xx answer's body, for protocols that put the outcome there (a cXML Response Status):
   * a verdict makes the attempt fail, retried when `retry` says it may pass. Undefined accepts it.
   */
  judge?: (body: string) => { retry: boolean; error: string } | undefined;
}

/**
 * A failure has two texts: `error`, what the partner may be shown ("HTTP 5xx", "refused: target
 * address not allowed", "connection failed", "timeout", or the partner's own cXML Status), and
 * `detail`, for operators only (the status code, the start of the answer, the address refused).
 */
export type DeliveryResult =
  | { ok: true; status: number; attempts: number; responseBody: string }
  | { ok: false; attempts: number; error: string; detail: string; status?: number };

export interface RetryPolicy {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Per attempt. */
  timeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 5, minTimeoutMs: 1_000, maxTimeoutMs: 60_000, timeoutMs: 15_000 };

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

class Failed extends Error {
  constructor(
    readonly shown: string,
    detail: string,
    readonly status?: number,
  ) {
    super(detail);
  }
}

const httpFailure = (status: number, body: string): Failed =>
  new Failed(
    status >= 300 && status < 400 ? `HTTP ${statusClass(status)} (redirects are not followed)` : `HTTP ${statusClass(status)}`,
    `HTTP ${status}${body === '' ? '' : `: ${body.slice(0, 200)}`}`,
    status,
  );

export async function deliver(delivery: Delivery, policy: RetryPolicy, client: OutboundClient): Promise<DeliveryResult> {
  let attempts = 0;
  try {
    const { status, responseBody } = await pRetry(
      async () => {
        attempts++;
        let answer;
        try {
          answer = await client.post({
            url: delivery.url,
            headers: { 'content-type': delivery.contentType, ...delivery.headers },
            body: delivery.body,
            timeoutMs: policy.timeoutMs,
          });
        } catch (error) {
          const failure = error instanceof OutboundFailure ? error : new OutboundFailure('connect', 'connection failed', String(error));
          const failed = new Failed(failure.shown, failure.message);
          // A refused target stays refused for this delivery; the network may come back.
          throw failure.kind === 'refused' ? new AbortError(failed) : failed;
        }
        const ok = answer.status >= 200 && answer.status < 300;
        const verdict = ok ? delivery.judge?.(answer.body) : undefined;
        if (ok && verdict === undefined) return { status: answer.status, responseBody: answer.body };
        if (verdict !== undefined) {
          const failed = new Failed(verdict.error, verdict.error);
          throw verdict.retry ? failed : new AbortError(failed);
        }
        const failed = httpFailure(answer.status, answer.body);
        throw retryable(answer.status) ? failed : new AbortError(failed);
      },
      { retries: policy.retries, minTimeout: policy.minTimeoutMs, maxTimeout: policy.maxTimeoutMs, factor: 2, randomize: true },
    );
    return { ok: true, status, attempts, responseBody };
  } catch (error) {
    // p-retry rethrows what an AbortError wrapped, so a refused delivery arrives here as itself.
    const failed = error instanceof Failed ? error : new Failed('connection failed', (error as Error).message);
    return {
      ok: false,
      attempts,
      error: failed.shown,
      detail: failed.message,
      ...(failed.status === undefined ? {} : { status: failed.status }),
    };
  }
}
