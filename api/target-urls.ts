import type { OutboundClient } from '../adapters/http/index.ts';
import { ProblemError, type FieldError } from './problems.ts';

// URLs the gateway will send to, checked where they are registered: a webhook subscription's
// `url`, a vendor's `baseUrl`, a partner's `endpointUrl` and `confirmationUrl`. The same policy
// judges every connection later (adapters/http/outbound.ts); this refuses early, naming the field.

export interface TargetField {
  /** JSON pointer into the body. */
  pointer: string;
  /** Absent or null (removed): nothing to check. */
  url: string | null | undefined;
}

/** 400 `url-not-allowed` naming each field whose URL the policy refuses, with the reason. */
export async function checkTargetUrls(client: OutboundClient, fields: readonly TargetField[]): Promise<void> {
  const errors: FieldError[] = [];
  for (const { pointer, url } of fields) {
    if (url === undefined || url === null) continue;
    const refusal = await client.check(url);
    if (refusal !== undefined) errors.push({ in: 'body', pointer, code: `target-${refusal.kind}`, detail: refusal.detail });
  }
  if (errors.length > 0) throw new ProblemError('url-not-allowed', errors.map((e) => `${e.pointer}: ${e.detail}`).join('; '), errors);
}
