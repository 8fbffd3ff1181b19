import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// How webhook senders sign, one function per scheme, each comparing in constant time. Written on
// node:crypto rather than the `standardwebhooks` package (which the tests use as the reference to
// check us against): its verify() reads the wall clock itself and says only "too old", where we
// answer a precise 401 and test with a given clock, and it turns a Buffer body into a string
// before signing, where the scheme signs the bytes as sent.

export type Headers = Record<string, string | string[] | undefined>;

export type Verdict = { ok: true } | { ok: false; reason: 'unsigned' | 'mismatch' | 'outside-window'; detail: string };

export interface VerifyInput {
  headers: Headers;
  body: Buffer;
  secret: string;
  now: Date;
}

export type SchemeSpec = { name: 'hmac-sha256-base64'; header: string } | { name: 'standard-webhooks' };

/** Standard Webhooks: a signature is refused when its timestamp is further than this from our clock. */
export const toleranceSeconds = 5 * 60;

export const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** Shopify (and WooCommerce, under another header): base64 HMAC-SHA256 of the raw body, keyed with the secret as text. */
function verifyHmacHeader(input: VerifyInput, name: string): Verdict {
  const sent = header(input.headers, name);
  if (sent === undefined || sent === '') return { ok: false, reason: 'unsigned', detail: `the ${name} header is missing` };
  const expected = createHmac('sha256', input.secret).update(input.body).digest();
  return sameBytes(Buffer.from(sent, 'base64'), expected)
    ? { ok: true }
    : { ok: false, reason: 'mismatch', detail: `${name} does not match the body` };
}

/** The Standard Webhooks key: the bytes of a "whsec_<base64>" secret. */
const standardKey = (secret: string): Buffer => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');

/** v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">. */
export function signStandardWebhook(secret: string, id: string, timestampSeconds: number, body: Buffer | string): string {
  const mac = createHmac('sha256', standardKey(secret)).update(`${id}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

function verifyStandardWebhook(input: VerifyInput): Verdict {
  const [id, timestamp, signatures] = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => header(input.headers, name));
  const missing = [
    ['webhook-id', id],
    ['webhook-timestamp', timestamp],
    ['webhook-signature', signatures],
  ]
    .filter(([, value]) => value === undefined || value === '')
    .map(([name]) => name);
  if (missing.length > 0 || id === undefined || timestamp === undefined || signatures === undefined)
    return { ok: false, reason: 'unsigned', detail: `missing ${missing.join(', ')}` };
  if (!/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: 'unsigned', detail: `webhook-timestamp must be whole seconds since 1970, got "${timestamp.slice(0, 40)}"` };
  const seconds = Number(timestamp);
  const skew = Math.floor(input.now.getTime() / 1000) - seconds;
  if (Math.abs(skew) > toleranceSeconds) {
    const when = new Date(seconds * 1000).toISOString();
    return {
      ok: false,
      reason: 'outside-window',
      detail: `webhook-timestamp ${seconds} (${when}) is ${Math.abs(skew)} s ${skew > 0 ? 'in the past' : 'in the future'} of the gateway's clock (${input.now.toISOString()}); signatures are accepted within ${toleranceSeconds} s either way`,
    };
  }
  const expected = Buffer.from(signStandardWebhook(input.secret, id, seconds, input.body).slice(3), 'base64');
  // Several signatures may be sent (during a secret rotation); any v1 that matches will do.
  const match = signatures.split(' ').some((entry) => {
    const [version, mac] = entry.split(',');
    return version === 'v1' && mac !== undefined && sameBytes(Buffer.from(mac, 'base64'), expected);
  });
  return match ? { ok: true } : { ok: false, reason: 'mismatch', detail: 'no v1 signature in webhook-signature matches the body' };
}

export function verifySignature(scheme: SchemeSpec, input: VerifyInput): Verdict {
  switch (scheme.name) {
    case 'hmac-sha256-base64':
      return verifyHmacHeader(input, scheme.header);
    case 'standard-webhooks':
      return verifyStandardWebhook(input);
  }
}

/** A Standard Webhooks secret: "whsec_" and 32 random bytes in base64. */
export const newStandardSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export const isStandardSecret = (secret: string): boolean =>
  /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/.test(secret) && standardKey(secret).length >= 24;
