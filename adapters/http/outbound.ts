import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { readTarget, refusedAddresses, type OutboundRules, type TargetOwner, type TargetRefusal } from '../../domain/outbound-target.ts';

// Every request the gateway makes to a URL someone registered goes out here, judged by the one
// policy in domain/outbound-target.ts, twice: when the URL is registered (`check`), and for every
// connection (`post`). An address written in the URL is judged as it stands (nothing resolves it).
// A name is resolved by the socket's own `lookup`, which is ours: it resolves (every address),
// refuses the connection if any address is not allowed, and hands the socket only the addresses it
// judged. So the answer that was checked is the answer connected to; a name whose DNS answer
// changes between registration and delivery, or between two connections (DNS rebinding), is
// judged again on each one, and no second lookup happens behind the check. Redirects are never
// followed (node:http does not), so a 3xx cannot lead anywhere unchecked. TLS keeps the name: SNI
// and Host are the URL's, and the certificate is checked against it.
//
// node:http(s) rather than fetch: it takes a `lookup` per agent without another dependency (fetch
// would need undici's Agent for that), and it never follows redirects.

/** A name's addresses, all of them. Tests pass their own to play a DNS answer. */
export type Resolve = (host: string) => Promise<readonly string[]>;

export const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) => {
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses) => {
      if (error !== null) reject(error);
      else resolve(addresses.map((a) => a.address));
    });
  });

/** How a request failed, in the words a partner is shown: no address, port or answer body of ours. */
export type FailureKind = 'refused' | 'unresolved' | 'connect' | 'tls' | 'timeout' | 'protocol';

const shownFor: Record<Exclude<FailureKind, 'refused'>, string> = {
  unresolved: 'name not resolved',
  connect: 'connection failed',
  tls: 'TLS failed',
  timeout: 'timeout',
  protocol: 'invalid HTTP answer',
};

const refusalShown = (refusal: TargetRefusal): string =>
  refusal.kind === 'scheme'
    ? `refused: ${refusal.detail}`
    : refusal.kind === 'address'
      ? 'refused: target address not allowed'
      : refusal.kind === 'credentials'
        ? 'refused: URL carries credentials'
        : 'refused: not a URL';

/** `shown` is for the partner (a short class); `message`, for operators, may name addresses. */
export class OutboundFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly shown: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'OutboundFailure';
  }
}

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** For the whole exchange: connection, request and answer. */
  timeoutMs: number;
}

export interface OutboundAnswer {
  status: number;
  /** At most the first MiB. */
  body: string;
}

export interface OutboundClient {
  /**
   * At registration: why the URL may not be a target (scheme, credentials, an address it is or a
   * name resolves to), or undefined. A name that does not resolve now is not refused (it may by
   * the time of delivery); every connection is judged again anyway.
   */
  check(url: string): Promise<TargetRefusal | undefined>;
  /** One POST, no redirect followed, connected only to addresses judged for this connection. Throws OutboundFailure. */
  post(request: OutboundRequest): Promise<OutboundAnswer>;
}

export interface Outbound {
  readonly rules: OutboundRules;
  /** Admin-set URLs: vendors' baseUrl, partners' endpointUrl and confirmationUrl (the allow-list applies). */
  readonly endpoints: OutboundClient;
  /** Partner-set URLs: webhook subscriptions (the allow-list applies only with webhooksUseAllowList). */
  readonly webhooks: OutboundClient;
  /** Ends the kept-alive connections. */
  close(): void;
}

const maxAnswerBytes = 1024 * 1024;
/** A registration waits this long for a name's answer, then lets the connection-time check decide. */
const checkResolveMs = 5_000;

export function createOutbound(rules: OutboundRules, resolve: Resolve = systemResolve): Outbound {
  const endpoints = outboundClient(rules, 'admin', resolve);
  const webhooks = outboundClient(rules, 'partner', resolve);
  return {
    rules,
    endpoints,
    webhooks,
    close() {
      endpoints.close();
      webhooks.close();
    },
  };
}

function outboundClient(rules: OutboundRules, owner: TargetOwner, resolve: Resolve): OutboundClient & { close(): void } {
  const lookup = guardedLookup(rules, owner, resolve);
  // Kept-alive connections are safe to reuse: each was judged when it was made, to the address it has.
  const agents = { http: new http.Agent({ keepAlive: true, lookup }), https: new https.Agent({ keepAlive: true, lookup }) };

  return {
    async check(url) {
      const read = readTarget(url, rules, owner);
      if (!read.ok) return read.refusal;
      if (read.target.address !== undefined) return undefined;
      const addresses = await within(resolve(read.target.host), checkResolveMs).catch(() => undefined);
      if (addresses === undefined) return undefined;
      const refused = refusedAddresses(read.target.host, addresses, rules, owner);
      return refused === undefined ? undefined : { kind: 'address', detail: `resolves to ${refused}` };
    },

    post(request) {
      const read = readTarget(request.url, rules, owner);
      if (!read.ok)
        return Promise.reject(new OutboundFailure('refused', refusalShown(read.refusal), `${request.url}: ${read.refusal.detail}`));
      const { url } = read.target;
      const secure = url.protocol === 'https:';
      return new Promise<OutboundAnswer>((resolveAnswer, reject) => {
        let settled = false;
        const settle = (outcome: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          outcome();
        };
        const fail = (error: unknown) => settle(() => reject(classify(error)));
        const req = (secure ? https : http).request(
          url,
          {
            method: 'POST',
            agent: secure ? agents.https : agents.http,
            headers: { 'user-agent': 'ordergate', ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            const done = () =>
              settle(() =>
                resolveAnswer({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, maxAnswerBytes).toString('utf8') }),
              );
            res.on('data', (chunk: Buffer) => {
              chunks.push(chunk);
              size += chunk.length;
              if (size > maxAnswerBytes) {
                done();
                res.destroy();
              }
            });
            res.on('end', done);
            res.on('error', fail);
          },
        );
        const timer = setTimeout(() => {
          const late = new OutboundFailure('timeout', shownFor.timeout, `no answer within ${request.timeoutMs} ms`);
          // Mid-answer, destroying the request fails the answer with its own words: the timeout is what happened.
          settle(() => reject(late));
          req.destroy(late);
        }, request.timeoutMs);
        req.on('error', fail);
        req.end(request.body);
      });
    },

    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The socket's name lookup: every address the name has, judged; any one refused refuses the
 * connection; the socket gets the judged addresses and nothing else (no second lookup).
 */
function guardedLookup(rules: OutboundRules, owner: TargetOwner, resolve: Resolve) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const host = hostname.replace(/\.$/, '').toLowerCase();
    resolve(host).then(
      (addresses) => {
        const refused = refusedAddresses(host, addresses, rules, owner);
        if (refused !== undefined) {
          callback(
            new OutboundFailure(
              'refused',
              'refused: target address not allowed',
              `${hostname} resolves to ${refused} (${addresses.join(', ')})`,
            ),
            '',
          );
          return;
        }
        const judged = addresses
          .map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
          .filter((a) => options.family === undefined || options.family === 0 || a.family === options.family);
        const [first] = judged;
        if (first === undefined) {
          callback(new OutboundFailure('unresolved', shownFor.unresolved, `${hostname} has no IPv${String(options.family)} address`), '');
          return;
        }
        if (options.all === true) callback(null, judged);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) =>
        callback(new OutboundFailure('unresolved', shownFor.unresolved, `${hostname}: ${error.code ?? error.message}`), ''),
    );
  };
}

function classify(error: unknown): OutboundFailure {
  if (error instanceof OutboundFailure) return error;
  const { code, message } = error as NodeJS.ErrnoException;
  const text = message ?? String(error);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new OutboundFailure('unresolved', shownFor.unresolved, text);
  if (code !== undefined && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code))
    return new OutboundFailure('tls', shownFor.tls, text);
  if (code?.startsWith('HPE_') === true) return new OutboundFailure('protocol', shownFor.protocol, text);
  return new OutboundFailure('connect', shownFor.connect, text);
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
