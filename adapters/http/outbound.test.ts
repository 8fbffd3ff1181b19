import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCidr, strictOutboundRules, type OutboundRules } from '../../domain/outbound-target.ts';
import { deliver } from './deliver.ts';
import { createOutbound, OutboundFailure, type Outbound, type Resolve } from './outbound.ts';

// The connection-time guard, against a real HTTP server on 127.0.0.1: DNS answers are played by a
// resolver handed to the policy (no name here resolves on the network).

/** A resolver that answers each name from its list of answers in turn (the last one again once used up). */
function playedDns(answers: Record<string, string[][]>): Resolve & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (host: string) => {
    calls.push(host);
    const list = answers[host];
    if (list === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    const seen = calls.filter((h) => h === host).length;
    return list[Math.min(seen, list.length) - 1] ?? [];
  };
  return Object.assign(resolve, { calls });
}

const failureOf = async (promise: Promise<unknown>): Promise<OutboundFailure> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundFailure) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
};

describe('the outbound connection guard', () => {
  let server: Server;
  let port = 0;
  /** What reached the server: path, Host header, the address it was reached at. */
  const seen: { url: string | undefined; host: string | undefined; at: string | undefined }[] = [];
  let answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body?: string } | 'hang' | 'stall' = () => ({
    status: 200,
  });
  const outbounds: Outbound[] = [];
  const outbound = (rules: OutboundRules, resolve: Resolve): Outbound => {
    const created = createOutbound(rules, resolve);
    outbounds.push(created);
    return created;
  };
  // Plain http to 127.0.0.1, allowed for admin-set URLs only by range: what a vendor on a private network looks like.
  const vendorRules: OutboundRules = { ...strictOutboundRules, allowHttp: true, allowCidrs: [parseCidr('127.0.0.1') ?? ''] };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url, host: req.headers.host, at: req.socket.localAddress });
      req.resume();
      const reply = answer(req);
      if (reply === 'hang') return;
      if (reply === 'stall') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('half an answer');
        return;
      }
      res.writeHead(reply.status, { connection: 'close', ...reply.headers });
      res.end(reply.body ?? '');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(() => {
    seen.length = 0;
    answer = () => ({ status: 200 });
    for (const o of outbounds.splice(0)) o.close();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (client: Outbound['endpoints'], url: string, timeoutMs = 2_000) => client.post({ url, headers: {}, body: '{}', timeoutMs });

  it('judges the name again for every connection: a DNS answer that turns to loopback after registration is refused (rebinding)', async () => {
    const dns = playedDns({ 'rebind.test': [['93.184.216.34'], ['127.0.0.1']] });
    const { webhooks } = outbound({ ...strictOutboundRules, allowHttp: true }, dns);
    expect(await webhooks.check(`http://rebind.test:${port}/hook`)).toBeUndefined();
    const failure = await failureOf(post(webhooks, `http://rebind.test:${port}/hook`));
    expect(failure).toMatchObject({ kind: 'refused', shown: 'refused: target address not allowed' });
    expect(failure.message).toContain('a loopback address (127.0.0.1)'); // for operators only
    expect(dns.calls).toEqual(['rebind.test', 'rebind.test']);
    expect(seen).toHaveLength(0);
  });

  it('connects to the address it judged and to no other, one lookup per connection, keeping the name for Host', async () => {
    // Allowed once (127.0.0.1 is in the range), then the name would point elsewhere: each connection is judged anew.
    const dns = playedDns({ 'pinned.test': [['127.0.0.1'], ['10.9.9.9']] });
    const { endpoints } = outbound(vendorRules, dns);
    expect(await post(endpoints, `http://pinned.test:${port}/api`)).toMatchObject({ status: 200 });
    expect(dns.calls).toEqual(['pinned.test']);
    expect(seen).toEqual([{ url: '/api', host: `pinned.test:${port}`, at: '127.0.0.1' }]);
    expect(await failureOf(post(endpoints, `http://pinned.test:${port}/api`))).toMatchObject({ kind: 'refused' });
    expect(dns.calls).toEqual(['pinned.test', 'pinned.test']);
    expect(seen).toHaveLength(1);
  });

  it('refuses a name with any address that is not allowed, whatever the others are', async () => {
    const dns = playedDns({ 'split.test': [['93.184.216.34', '127.0.0.1']], 'mapped.test': [['::ffff:127.0.0.1']] });
    const { webhooks } = outbound({ ...strictOutboundRules, allowHttp: true }, dns);
    expect(await webhooks.check('https://split.test/hook')).toEqual({ kind: 'address', detail: 'resolves to a loopback address' });
    expect(await failureOf(post(webhooks, `http://split.test:${port}/hook`))).toMatchObject({ kind: 'refused' });
    expect(await failureOf(post(webhooks, `http://mapped.test:${port}/hook`))).toMatchObject({ kind: 'refused' });
    expect(seen).toHaveLength(0);
  });

  it('keeps the allow-list to admin-set URLs unless webhooks are configured to use it', async () => {
    const dns = playedDns({ 'vendor.test': [['127.0.0.1']] });
    const strictWebhooks = outbound(vendorRules, dns).webhooks;
    expect(await strictWebhooks.check(`http://vendor.test:${port}/`)).toEqual({
      kind: 'address',
      detail: 'resolves to a loopback address',
    });
    expect(await failureOf(post(strictWebhooks, `http://127.0.0.1:${port}/`))).toMatchObject({ kind: 'refused' });
    expect(seen).toHaveLength(0);
    const openWebhooks = outbound({ ...vendorRules, webhooksUseAllowList: true }, dns).webhooks;
    expect(await post(openWebhooks, `http://vendor.test:${port}/`)).toMatchObject({ status: 200 });
  });

  it('follows no redirect: a 3xx is the answer, and where it points is never asked', async () => {
    answer = (req) =>
      req.url === '/start' ? { status: 302, headers: { location: `http://127.0.0.1:${port}/inside` } } : { status: 200, body: 'secret' };
    const { endpoints } = outbound(vendorRules, playedDns({}));
    const result = await deliver(
      { url: `http://127.0.0.1:${port}/start`, body: '{}', contentType: 'application/json' },
      { retries: 2, minTimeoutMs: 1, maxTimeoutMs: 1, timeoutMs: 2_000 },
      endpoints,
    );
    expect(result).toMatchObject({ ok: false, attempts: 1, error: 'HTTP 3xx (redirects are not followed)', status: 302 });
    expect(seen.map((r) => r.url)).toEqual(['/start']);
  });

  it('tells the partner the class of a failure, and operators the detail', async () => {
    const { endpoints } = outbound(vendorRules, playedDns({}));
    answer = () => ({ status: 503, body: 'maintenance window, ask ops@10.0.0.5' });
    const refused = await deliver(
      { url: `http://127.0.0.1:${port}/api`, body: '{}', contentType: 'application/json' },
      { retries: 0, minTimeoutMs: 1, maxTimeoutMs: 1, timeoutMs: 2_000 },
      endpoints,
    );
    expect(refused).toMatchObject({ ok: false, error: 'HTTP 5xx', detail: 'HTTP 503: maintenance window, ask ops@10.0.0.5', status: 503 });

    answer = () => 'hang';
    expect(await failureOf(post(endpoints, `http://127.0.0.1:${port}/slow`, 200))).toMatchObject({ kind: 'timeout', shown: 'timeout' });
    answer = () => 'stall';
    expect(await failureOf(post(endpoints, `http://127.0.0.1:${port}/slower`, 200))).toMatchObject({ kind: 'timeout', shown: 'timeout' });
    expect(await failureOf(post(endpoints, 'http://nowhere.test/api'))).toMatchObject({ kind: 'unresolved', shown: 'name not resolved' });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const failure = await failureOf(post(endpoints, `http://127.0.0.1:${closedPort}/api`));
    expect(failure).toMatchObject({ kind: 'connect', shown: 'connection failed' });
    expect(failure.message).toContain(`127.0.0.1:${closedPort}`);
  });

  it('accepts at registration a name that does not resolve yet: the connection decides', async () => {
    const { endpoints } = outbound(strictOutboundRules, playedDns({ 'vendor.example.com': [['10.0.0.8']] }));
    expect(await endpoints.check('https://not-yet.example.com/api')).toBeUndefined();
    expect(await endpoints.check('https://vendor.example.com/api')).toEqual({ kind: 'address', detail: 'resolves to a private address' });
    expect(await endpoints.check('http://vendor.example.com/api')).toEqual({ kind: 'scheme', detail: 'scheme must be https' });
  });
});
