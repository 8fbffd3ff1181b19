import ipaddr from 'ipaddr.js';

// Where the gateway may send: the one outbound-URL policy, pure. Every URL the gateway POSTs to
// (webhook subscriptions, vendors' baseUrl, partners' endpointUrl and confirmationUrl) is judged
// here, when it is registered and again for every connection (adapters/http/outbound.ts resolves
// the name, asks `refusedAddresses`, and connects only to the addresses that passed).
//
// Address ranges are ipaddr.js's (RFC 6890 special-purpose ranges, kept up to date there), not
// ours: only a global unicast address is a target. The URL is read by the WHATWG parser, the one
// Node's clients use, so `0x7f000001`, `2130706433` and `0177.0.0.1` reach us as `127.0.0.1`
// and `[::ffff:127.0.0.1]` as `::ffff:7f00:1`: what is judged is what would be connected to.

export interface OutboundRules {
  /** Plain http as well as https (development). */
  readonly allowHttp: boolean;
  /** Host names (lower case, no trailing dot) whose addresses are not judged: vendors on a private network. */
  readonly allowHosts: readonly string[];
  /** Address ranges (`10.20.0.0/16`, `fd00:1::/64`) a target may be in whatever they are. */
  readonly allowCidrs: readonly string[];
  /** Whether partners' webhook subscriptions may also reach the allow-list (by default only admin-set URLs may). */
  readonly webhooksUseAllowList: boolean;
}

/** The production default: https only, nothing private. */
export const strictOutboundRules: OutboundRules = Object.freeze({
  allowHttp: false,
  allowHosts: Object.freeze([]),
  allowCidrs: Object.freeze([]),
  webhooksUseAllowList: false,
});

/**
 * Who set the URL. `admin`: vendors' baseUrl, partners' endpointUrl and confirmationUrl, which the
 * allow-list is for. `partner`: webhook subscriptions, made with any partner key.
 */
export type TargetOwner = 'admin' | 'partner';

export interface TargetRefusal {
  kind: 'not-a-url' | 'scheme' | 'credentials' | 'address';
  /** Precise, for the one registering the URL: "resolves to a loopback address". Never names an address we resolved. */
  detail: string;
}

/** What a URL says before any name is resolved: its host, and the address when it is written as one. */
export interface ReadTarget {
  url: URL;
  /** Lower case, without IPv6 brackets or a trailing dot. */
  host: string;
  /** Set when the host is an address literal (connected to as it stands, no name lookup). */
  address?: string;
}

const words: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  private: 'a private address',
  uniqueLocal: 'a unique-local address',
  carrierGradeNat: 'a shared (carrier-grade NAT) address',
  deprecatedSiteLocal: 'a site-local address',
  reserved: 'a reserved address',
};

/** ipaddr.js's name for the address's range (`unicast` for a global one), an IPv4 inside IPv6 judged as itself. */
export function addressRange(address: string): string {
  const ip = parseAddress(address);
  if (ip === undefined) return 'invalid';
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    const range = v6.range();
    // An IPv4-mapped address is connected to as the IPv4 address it carries.
    if (range === 'ipv4Mapped') return v6.toIPv4Address().range();
    // NAT64's well-known prefix (RFC 6052, 64:ff9b::/96) carries the IPv4 address it reaches.
    if (range === 'rfc6052' && v6.match(ipaddr.IPv6.parseCIDR('64:ff9b::/96')))
      return ipaddr.IPv4.parse(v6.toByteArray().slice(12).join('.')).range();
    return range;
  }
  return (ip as ipaddr.IPv4).range();
}

/** Canonical addresses only (what the WHATWG parser and the resolver give): ipaddr.js's lenient IPv4 forms are not read. */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
  if (ipaddr.IPv6.isValid(address) && address.includes(':')) return ipaddr.IPv6.parse(address);
  return undefined;
}

/** A single address or a range, as OUTBOUND_ALLOW_CIDRS writes it; undefined when it is neither. */
export function parseCidr(text: string): string | undefined {
  const [address, bits, ...rest] = text.trim().split('/');
  if (address === undefined || rest.length > 0) return undefined;
  const ip = parseAddress(address);
  if (ip === undefined) return undefined;
  const max = ip.kind() === 'ipv4' ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return `${ip.toString()}/${prefix}`;
}

const inCidr = (address: string, cidr: string): boolean => {
  const ip = parseAddress(address);
  if (ip === undefined) return false;
  const [range, bits] = ipaddr.parseCIDR(cidr);
  // An IPv4-mapped address is in the IPv4 ranges of the address it carries.
  const candidate = ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip;
  return candidate.kind() === range.kind() && candidate.match(range, bits);
};

/** A host name as OUTBOUND_ALLOW_HOSTS writes it: lower case, labels of letters, digits and hyphens. */
export function parseAllowedHost(text: string): string | undefined {
  const host = text.trim().toLowerCase().replace(/\.$/, '');
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(host)) return undefined;
  if (parseAddress(host) !== undefined) return undefined;
  return host;
}

const usesAllowList = (rules: OutboundRules, owner: TargetOwner): boolean => owner === 'admin' || rules.webhooksUseAllowList;

/** The scheme, credentials and address literal of a URL; the name, if any, is left to the resolver. */
export function readTarget(
  raw: string,
  rules: OutboundRules,
  owner: TargetOwner,
): { ok: true; target: ReadTarget } | { ok: false; refusal: TargetRefusal } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, refusal: { kind: 'not-a-url', detail: 'is not an absolute URL' } };
  }
  const schemes = rules.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol))
    return { ok: false, refusal: { kind: 'scheme', detail: `scheme must be ${rules.allowHttp ? 'https or http' : 'https'}` } };
  if (url.username !== '' || url.password !== '')
    return { ok: false, refusal: { kind: 'credentials', detail: 'must not carry a user name or password' } };
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  const address = parseAddress(host);
  if (address === undefined) {
    // RFC 6761: localhost and every name under it are loopback, whatever a resolver says.
    const loopbackName = host === 'localhost' || host.endsWith('.localhost');
    const refused = loopbackName ? refusedAddresses(host, ['127.0.0.1'], rules, owner) : undefined;
    if (refused !== undefined) return { ok: false, refusal: { kind: 'address', detail: `resolves to ${refused}` } };
    return { ok: true, target: { url, host } };
  }
  const refused = refusedAddresses(host, [host], rules, owner);
  if (refused !== undefined) return { ok: false, refusal: { kind: 'address', detail: `is ${refused}` } };
  return { ok: true, target: { url, host, address: host } };
}

/**
 * The addresses `host` resolved to (or is): undefined when every one may be connected to, else
 * the words for the first that may not ("a loopback address"). One forbidden address refuses
 * them all: a name that answers both public and private is not a target.
 */
export function refusedAddresses(host: string, addresses: readonly string[], rules: OutboundRules, owner: TargetOwner): string | undefined {
  const allowList = usesAllowList(rules, owner);
  if (allowList && rules.allowHosts.includes(host)) return undefined;
  if (addresses.length === 0) return 'no address';
  for (const address of addresses) {
    if (allowList && rules.allowCidrs.some((cidr) => inCidr(address, cidr))) continue;
    const range = addressRange(address);
    if (range === 'unicast') continue;
    return words[range] ?? (range === 'invalid' ? 'not an address' : `a special-purpose address (${range})`);
  }
  return undefined;
}

/** What a partner is shown of an HTTP status: its class ("5xx"), never the code itself. */
export const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`;

/**
 * A delivery error as a partner may see it. Errors are written in those words; this also covers
 * those recorded before (`HTTP 500: <the start of the answer>` becomes `HTTP 5xx`).
 */
export const shownDeliveryError = (error: string): string => error.replace(/^HTTP ([1-5])\d\d\b[\s\S]*$/, 'HTTP $1xx');
