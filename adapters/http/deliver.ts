import pRetry, { AbortError } from 'p-retry';

// POSTs a document to a partner's (or vendor's) endpoint, retrying with growing back-off while the
// failure may pass (network, 408, 429, 5xx); a 4xx that will not pass stops at once.

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

export type DeliveryResult =
  { ok: true; status: number; attempts: number; responseBody: string } | { ok: false; attempts: number; error: string; status?: number };

export interface RetryPolicy {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Per attempt. */
  timeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { retries: 5, minTimeoutMs: 1_000, maxTimeoutMs: 60_000, timeoutMs: 15_000 };

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`HTTP ${status}${body === '' ? '' : `: ${body.slice(0, 200)}`}`);
  }
}

export async function deliver(delivery: Delivery, policy: RetryPolicy = defaultRetryPolicy): Promise<DeliveryResult> {
  let attempts = 0;
  try {
    const { status, responseBody } = await pRetry(
      async () => {
        attempts++;
        const response = await fetch(delivery.url, {
          method: 'POST',
          headers: { 'content-type': delivery.contentType, ...delivery.headers },
          body: delivery.body,
          signal: AbortSignal.timeout(policy.timeoutMs),
        });
        const text = await response.text();
        const verdict = response.ok ? delivery.judge?.(text) : undefined;
        if (response.ok && verdict === undefined) return { status: response.status, responseBody: text };
        if (verdict !== undefined) throw verdict.retry ? new Error(verdict.error) : new AbortError(verdict.error);
        const error = new HttpStatusError(response.status, text);
        throw retryable(response.status) ? error : new AbortError(error);
      },
      { retries: policy.retries, minTimeout: policy.minTimeoutMs, maxTimeout: policy.maxTimeoutMs, factor: 2, randomize: true },
    );
    return { ok: true, status, attempts, responseBody };
  } catch (error) {
    // p-retry rethrows what an AbortError wrapped, so a refused delivery arrives here as itself.
    return { ok: false, attempts, error: (error as Error).message, ...(error instanceof HttpStatusError ? { status: error.status } : {}) };
  }
}
