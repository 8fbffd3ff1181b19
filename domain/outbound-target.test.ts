import { describe, expect, it } from 'vitest';
import {
  addressRange,
  parseAllowedHost,
  parseCidr,
  readTarget,
  refusedAddresses,
  shownDeliveryError,
  statusClass,
  strictOutboundRules,
  type OutboundRules,
} from './outbound-target.ts';

const refusal = (url: string, rules: OutboundRules = strictOutboundRules, owner: 'admin' | 'partner' = 'partner') => {
  const read = readTarget(url, rules, owner);
  return read.ok ? undefined : read.refusal.detail;
};

describe('the outbound-URL policy (pure)', () => {
  it.each([
    ['https://127.0.0.1/hook', 'is a loopback address'],
    ['https://2130706433/hook', 'is a loopback address'],
    ['https://0x7f000001/hook', 'is a loopback address'],
    ['https://0177.0.0.1/hook', 'is a loopback address'],
    ['https://127.1/hook', 'is a loopback address'],
    ['https://[::1]/hook', 'is a loopback address'],
    ['https://[::ffff:127.0.0.1]/hook', 'is a loopback address'],
    ['https://[::ffff:7f00:1]/hook', 'is a loopback address'],
    ['https://[64:ff9b::7f00:1]/hook', 'is a loopback address'],
    ['https://localhost/hook', 'resolves to a loopback address'],
    ['https://LOCALHOST./hook', 'resolves to a loopback address'],
    ['https://api.localhost/hook', 'resolves to a loopback address'],
    ['https://10.1.2.3/hook', 'is a private address'],
    ['https://172.16.0.1/hook', 'is a private address'],
    ['https://192.168.1.1/hook', 'is a private address'],
    ['https://169.254.169.254/latest/meta-data/', 'is a link-local address'],
    ['https://[fe80::1]/hook', 'is a link-local address'],
    ['https://[fc00::1]/hook', 'is a unique-local address'],
    ['https://[fd12:3456::1]/hook', 'is a unique-local address'],
    ['https://0.0.0.0/hook', 'is an unspecified address'],
    ['https://0/hook', 'is an unspecified address'],
    ['https://[::]/hook', 'is an unspecified address'],
    ['https://224.0.0.1/hook', 'is a multicast address'],
    ['https://[ff02::1]/hook', 'is a multicast address'],
    ['https://100.100.100.200/hook', 'is a shared (carrier-grade NAT) address'],
    ['https://255.255.255.255/hook', 'is a broadcast address'],
    ['https://240.0.0.1/hook', 'is a reserved address'],
    ['file:///etc/passwd', 'scheme must be https'],
    ['gopher://127.0.0.1:70/_x', 'scheme must be https'],
    ['javascript:alert(1)', 'scheme must be https'],
    ['ftp://files.example.com/in', 'scheme must be https'],
    ['http://hooks.example.com/in', 'scheme must be https'],
    ['https://user:pass@hooks.example.com/in', 'must not carry a user name or password'],
    ['not a url', 'is not an absolute URL'],
  ])('refuses %s: %s', (url, detail) => {
    expect(refusal(url)).toBe(detail);
  });

  it('takes https to a public name or address, and leaves the name to the resolver', () => {
    expect(readTarget('https://hooks.example.com/in', strictOutboundRules, 'partner')).toMatchObject({
      ok: true,
      target: { host: 'hooks.example.com' },
    });
    expect(readTarget('https://93.184.216.34:8443/in', strictOutboundRules, 'partner')).toMatchObject({
      ok: true,
      target: { host: '93.184.216.34', address: '93.184.216.34' },
    });
    expect(refusal('https://[2606:4700::1111]/in')).toBeUndefined();
    expect(refusal('http://hooks.example.com/in', { ...strictOutboundRules, allowHttp: true })).toBeUndefined();
    expect(refusal('http://127.0.0.1/in', { ...strictOutboundRules, allowHttp: true })).toBe('is a loopback address');
  });

  it('refuses a name when any one of its addresses is not public', () => {
    const judge = (addresses: string[]) => refusedAddresses('vendor.example.com', addresses, strictOutboundRules, 'admin');
    expect(judge(['93.184.216.34', '2606:2800:220:1::1'])).toBeUndefined();
    expect(judge(['93.184.216.34', '10.0.0.7'])).toBe('a private address');
    expect(judge(['::ffff:169.254.169.254'])).toBe('a link-local address');
    expect(judge([])).toBe('no address');
    expect(judge(['not-an-address'])).toBe('not an address');
  });

  it('lets the allow-list through for admin-set URLs, and for webhooks only when configured', () => {
    const rules: OutboundRules = {
      ...strictOutboundRules,
      allowHosts: ['ports.vendor.internal'],
      allowCidrs: [parseCidr('10.20.0.0/16') ?? '', parseCidr('fd00:1::/64') ?? ''],
    };
    expect(refusedAddresses('ports.vendor.internal', ['127.0.0.1'], rules, 'admin')).toBeUndefined();
    expect(refusedAddresses('ports.vendor.internal', ['127.0.0.1'], rules, 'partner')).toBe('a loopback address');
    expect(refusedAddresses('other.example.com', ['10.20.3.4', '::ffff:10.20.0.9', 'fd00:1::5'], rules, 'admin')).toBeUndefined();
    expect(refusedAddresses('other.example.com', ['10.20.3.4', '10.21.0.1'], rules, 'admin')).toBe('a private address');
    expect(refusedAddresses('other.example.com', ['10.20.3.4'], rules, 'partner')).toBe('a private address');
    expect(refusedAddresses('other.example.com', ['10.20.3.4'], { ...rules, webhooksUseAllowList: true }, 'partner')).toBeUndefined();
    expect(refusal('https://10.20.0.5/api', rules, 'admin')).toBeUndefined();
    expect(refusal('https://localhost/api', { ...rules, allowHosts: ['localhost'] }, 'admin')).toBeUndefined();
  });

  it('reads the allow-list as configuration writes it', () => {
    expect(parseCidr('10.20.0.0/16')).toBe('10.20.0.0/16');
    expect(parseCidr('192.0.2.7')).toBe('192.0.2.7/32');
    expect(parseCidr('FD00:1::/64')).toBe('fd00:1::/64');
    for (const wrong of ['10.20.0.0/33', '10.20.0.0/', '0x0a000000/8', 'vendor.internal', '10.0.0.0/8/8', '::/129'])
      expect(parseCidr(wrong), wrong).toBeUndefined();
    expect(parseAllowedHost('Ports.Vendor.Internal.')).toBe('ports.vendor.internal');
    for (const wrong of ['10.0.0.1', 'under_score.example', '-x.example', 'a..b']) expect(parseAllowedHost(wrong), wrong).toBeUndefined();
  });

  it('names ranges as ipaddr.js does, an IPv4 inside IPv6 as itself', () => {
    expect(addressRange('8.8.8.8')).toBe('unicast');
    expect(addressRange('::ffff:10.0.0.1')).toBe('private');
    expect(addressRange('64:ff9b::808:808')).toBe('unicast');
    expect(addressRange('2002:7f00:1::')).toBe('6to4');
    expect(addressRange('0x7f000001')).toBe('invalid'); // only canonical forms: the URL parser gives those
  });

  it('shows a partner the status class, never the code or the answer', () => {
    expect([200, 204, 302, 404, 503].map(statusClass)).toEqual(['2xx', '2xx', '3xx', '4xx', '5xx']);
    expect(shownDeliveryError('HTTP 500: <html>internal admin console at 10.0.0.5</html>')).toBe('HTTP 5xx');
    expect(shownDeliveryError('HTTP 404')).toBe('HTTP 4xx');
    expect(shownDeliveryError('HTTP 3xx (redirects are not followed)')).toBe('HTTP 3xx (redirects are not followed)');
    expect(shownDeliveryError('cXML 400 Bad Request: unknown order')).toBe('cXML 400 Bad Request: unknown order');
  });
});
