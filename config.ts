// The one place that reads process.env. Everything else receives a frozen Config.

import { parseAllowedHost, parseCidr, type OutboundRules } from './domain/outbound-target.ts';
import { signatureSettings, signatureVariables } from './config-signatures.ts';
import type { AcrobatSignSettings, DocusignSettings } from './adapters/esign/index.ts';
import { durationMinutes } from './domain/catalog.ts';

export interface Config {
  readonly port: number;
  readonly host: string;
  /** PostgreSQL connection string; absent means the embedded PGlite database under dataDir. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Raw admin key from the environment; absent means one is generated on first start. */
  readonly adminKey: string | undefined;
  /** 32-byte key that seals webhook secrets; absent means one is generated under dataDir on first start. */
  readonly secretKey: Buffer | undefined;
  readonly amqpUrl: string | undefined;
  /** Names every exchange and queue: `<prefix>.requests`, `<prefix>.vendor.<id>`... (asyncapi.yaml has `ordergate`). */
  readonly amqpPrefix: string;
  readonly bodyLimitBytes: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Where the gateway may send (webhooks, vendors, partners' endpoints): domain/outbound-target.ts. */
  readonly outbound: OutboundRules;
  /** How long a client may take to send its headers, and its whole request; past either it gets 408. */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Bearer token /metrics asks for; absent, /metrics is open (it shows counts, never orders). */
  readonly metricsToken: string | undefined;
  /** Folder of approval policies (every *.yaml in it); relative to the working directory, or absent for the package's mappings/approvals. */
  readonly approvalsDir: string | undefined;
  readonly calendarsDir: string | undefined;
  /** DocuSign credentials; absent, DocuSign signature levels cannot start (config-signatures.ts). */
  readonly docusign: DocusignSettings | undefined;
  /** Acrobat Sign credentials; absent, Acrobat Sign signature levels cannot start. */
  readonly acrobatSign: AcrobatSignSettings | undefined;
  /** Where approval e-mails are sent through; absent, they are kept and listed, not sent. */
  readonly smtpUrl: string | undefined;
  readonly smtpFrom: string;
  /** Twilio's Messages API for approval SMS; absent, they are kept and listed, not sent. */
  readonly twilio: { readonly accountSid: string; readonly authToken: string; readonly from: string } | undefined;
  /** The base of the links in approval messages: where people's browsers reach the gateway. */
  readonly publicBaseUrl: string;
  /** How long an approval link works. */
  readonly linkTtlMs: number;
}

export interface ConfigVariable {
  readonly name: string;
  readonly default: string;
  readonly description: string;
}

/** Listed once; README's configuration table is checked against this list by a test. */
export const configVariables: readonly ConfigVariable[] = [
  { name: 'PORT', default: '8080', description: 'HTTP port the gateway listens on.' },
  { name: 'HOST', default: '0.0.0.0', description: 'Address the gateway binds to.' },
  {
    name: 'DATABASE_URL',
    default: '(embedded)',
    description: 'PostgreSQL connection string. Without it the gateway uses an embedded PostgreSQL (PGlite) under DATA_DIR.',
  },
  { name: 'DATA_DIR', default: './data', description: 'Where the embedded database and a generated secret key keep their files.' },
  {
    name: 'ORDERGATE_ADMIN_KEY',
    default: '(generated)',
    description:
      'Admin API key (at least 24 characters). Without it, the first start generates one, stores only its hash and prints it once.',
  },
  {
    name: 'ORDERGATE_SECRET_KEY',
    default: '(generated)',
    description:
      'Key that seals webhook secrets and our cXML shared secrets (AES-256-GCM): 32 bytes, base64 or hex. Without it, the first start generates one in DATA_DIR/secret.key (mode 0600); set the same value on every instance.',
  },
  {
    name: 'AMQP_URL',
    default: '(none)',
    description:
      'RabbitMQ URL. Without it, vendors registered as amqp (and those nobody registered) take their requests through the mailbox API.',
  },
  {
    name: 'AMQP_PREFIX',
    default: 'ordergate',
    description: 'First word of every exchange and queue name, so that several gateways (or test runs) can share one broker.',
  },
  { name: 'BODY_LIMIT_BYTES', default: '5242880', description: 'Largest request body accepted; larger ones get 413.' },
  {
    name: 'HEADERS_TIMEOUT_MS',
    default: '10000',
    description:
      'Milliseconds a client has from connecting (or its previous request) to the end of its headers; slower gets 408 request-timeout and the connection is closed.',
  },
  {
    name: 'REQUEST_TIMEOUT_MS',
    default: '30000',
    description:
      'Milliseconds a client has to send its whole request, body included (at least HEADERS_TIMEOUT_MS); slower gets 408 request-timeout and the connection is closed.',
  },
  {
    name: 'METRICS_TOKEN',
    default: '(none)',
    description:
      'Bearer token that GET /metrics asks for (at least 16 characters); without it the answer is 401 unauthorized. Unset, /metrics is open.',
  },
  { name: 'LOG_LEVEL', default: 'info', description: 'pino log level: fatal, error, warn, info, debug, trace or silent.' },
  {
    name: 'OUTBOUND_ALLOW_HTTP',
    default: 'false',
    description:
      'true: webhook subscriptions, vendor base URLs and partner endpoints may be plain http as well as https (development only).',
  },
  {
    name: 'OUTBOUND_ALLOW_HOSTS',
    default: '(none)',
    description:
      'Host names, comma-separated, that vendors and partner endpoints may use though they resolve to private, loopback or other non-public addresses (vendors on a private network).',
  },
  {
    name: 'OUTBOUND_ALLOW_CIDRS',
    default: '(none)',
    description:
      'Address ranges, comma-separated (10.20.0.0/16, fd00:1::/64, or one address), that vendors and partner endpoints may reach though they are not public.',
  },
  {
    name: 'OUTBOUND_ALLOW_LIST_FOR_WEBHOOKS',
    default: 'false',
    description:
      "true: partners' webhook subscriptions may reach the OUTBOUND_ALLOW_HOSTS and OUTBOUND_ALLOW_CIDRS too; by default only the URLs an admin sets may.",
  },
  {
    name: 'APPROVALS_DIR',
    default: 'mappings/approvals',
    description:
      'Folder of approval policies: every *.yaml in it is read at start, in file name order, and checked (a bad policy stops the start, naming file and place).',
  },
  {
    name: 'CALENDARS_DIR',
    default: 'mappings/calendars',
    description:
      'Folder of working calendars: every *.yaml in it is a calendar named by its file, for SLAs and deadlines in business hours (a bad calendar stops the start).',
  },
  ...signatureVariables,
  {
    name: 'SMTP_URL',
    default: '(none)',
    description:
      'Mail server for approval e-mails (smtp://user:pass@host:587, or smtps:// for TLS from the start). Without it e-mails are kept and listed by GET /v1/notifications, marked not-sent.',
  },
  { name: 'SMTP_FROM', default: 'ordergate <approvals@localhost>', description: 'The From of approval e-mails.' },
  {
    name: 'TWILIO_ACCOUNT_SID',
    default: '(none)',
    description:
      'Twilio account (AC followed by 32 hex digits) for approval SMS; with TWILIO_AUTH_TOKEN and TWILIO_FROM, all three or none. Without them SMS are kept and listed, marked not-sent.',
  },
  { name: 'TWILIO_AUTH_TOKEN', default: '(none)', description: 'The auth token of TWILIO_ACCOUNT_SID.' },
  {
    name: 'TWILIO_FROM',
    default: '(none)',
    description: 'The Twilio number (E.164, +15005550006) or messaging service SID approval SMS come from.',
  },
  {
    name: 'PUBLIC_BASE_URL',
    default: 'http://localhost:8080',
    description:
      "Where people reach the gateway from their browsers: the base of the Approve and Reject links in approval messages and of the console's e-mailed sign-in links; an `https://` base makes the console's cookies Secure (as does a request over TLS).",
  },
  {
    name: 'LINK_TTL',
    default: 'P3D',
    description:
      'How long an approval link works: an ISO 8601 duration in weeks, days, hours, minutes, seconds (P3D, PT12H), from 1 minute to 30 days.',
  },
];

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** 32 bytes as hex or base64 (standard or URL-safe); anything else is refused, never echoed. */
export function decodeSecretKey(raw: string | undefined): Buffer | undefined | 'invalid' {
  if (raw === undefined) return undefined;
  const bytes = /^[0-9a-f]{64}$/i.test(raw)
    ? Buffer.from(raw, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(raw)
      ? Buffer.from(raw, 'base64')
      : undefined;
  return bytes?.length === 32 ? bytes : 'invalid';
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got "${parsed.protocol}//…"`);
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };

  const adminKey = text('ORDERGATE_ADMIN_KEY');
  if (adminKey !== undefined && adminKey.length < 24) {
    problems.push('ORDERGATE_ADMIN_KEY must be at least 24 characters long');
  }
  const secretKey = decodeSecretKey(text('ORDERGATE_SECRET_KEY'));
  if (secretKey === 'invalid') {
    problems.push(
      'ORDERGATE_SECRET_KEY must be 32 bytes written as base64 (44 characters) or hex (64 characters), e.g. the output of `openssl rand -base64 32`',
    );
  }
  const logLevel = text('LOG_LEVEL') ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')}, got "${logLevel}"`);
  }

  const flag = (name: string): boolean => {
    const raw = text(name)?.toLowerCase();
    if (raw === undefined || raw === 'false') return false;
    if (raw === 'true') return true;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return false;
  };
  /** Comma-separated entries, each read by `parse`; an entry it refuses is a problem naming it. */
  const list = (name: string, parse: (entry: string) => string | undefined, what: string): string[] =>
    (text(name) ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .flatMap((entry) => {
        const parsed = parse(entry);
        if (parsed === undefined) problems.push(`${name}: "${entry}" is not ${what}`);
        return parsed === undefined ? [] : [parsed];
      });
  const outbound: OutboundRules = Object.freeze({
    allowHttp: flag('OUTBOUND_ALLOW_HTTP'),
    allowHosts: Object.freeze(list('OUTBOUND_ALLOW_HOSTS', parseAllowedHost, 'a host name (addresses go in OUTBOUND_ALLOW_CIDRS)')),
    allowCidrs: Object.freeze(list('OUTBOUND_ALLOW_CIDRS', parseCidr, 'an address or a range like 10.20.0.0/16')),
    webhooksUseAllowList: flag('OUTBOUND_ALLOW_LIST_FOR_WEBHOOKS'),
  });

  const amqpPrefix = text('AMQP_PREFIX');
  if (amqpPrefix !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/.test(amqpPrefix)) {
    problems.push(`AMQP_PREFIX must be dot-separated words of letters, digits, _ and -, got "${amqpPrefix}"`);
  }

  const headersTimeoutMs = integer('HEADERS_TIMEOUT_MS', 10_000, 100, 600_000);
  const requestTimeoutMs = integer('REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  // Node checks the headers within the request's own time: a longer one would never apply.
  if (headersTimeoutMs > requestTimeoutMs)
    problems.push(`HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not be longer than REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  const metricsToken = text('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters long');

  const smtpUrl = url('SMTP_URL', ['smtp:', 'smtps:']);
  const twilioParts = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'].map((name) => [name, text(name)] as const);
  const twilioSet = twilioParts.filter(([, value]) => value !== undefined);
  if (twilioSet.length > 0 && twilioSet.length < 3)
    problems.push(
      `${twilioParts
        .filter(([, value]) => value === undefined)
        .map(([name]) => name)
        .join(' and ')} must be set too (Twilio needs all three)`,
    );
  const [accountSid, authToken, smsFrom] = twilioParts.map(([, value]) => value);
  if (accountSid !== undefined && !/^AC[0-9a-f]{32}$/.test(accountSid))
    problems.push('TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits, as Twilio shows it');
  if (smsFrom !== undefined && !/^(\+[1-9]\d{6,14}|MG[0-9a-f]{32})$/.test(smsFrom))
    problems.push(`TWILIO_FROM must be a number in E.164 form (+15005550006) or a messaging service SID (MG...), got "${smsFrom}"`);
  const publicBaseUrl = url('PUBLIC_BASE_URL', ['http:', 'https:']) ?? 'http://localhost:8080';
  if (/[?#]/.test(publicBaseUrl)) problems.push('PUBLIC_BASE_URL must be a base without a query or a fragment');
  const linkTtl = text('LINK_TTL') ?? 'P3D';
  const linkTtlMinutes = durationMinutes(linkTtl);
  const linkTtlMs = linkTtlMinutes === undefined ? undefined : linkTtlMinutes * 60_000;
  if (linkTtlMs === undefined || linkTtlMs < 60_000 || linkTtlMs > 30 * 86_400_000)
    problems.push(`LINK_TTL must be an ISO 8601 duration from PT1M to P30D (P3D, PT12H), got "${linkTtl}"`);

  const config: Config = {
    port: integer('PORT', 8080, 0, 65535),
    host: text('HOST') ?? '0.0.0.0',
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: text('DATA_DIR') ?? './data',
    adminKey,
    secretKey: secretKey === 'invalid' ? undefined : secretKey,
    amqpUrl: url('AMQP_URL', ['amqp:', 'amqps:']),
    amqpPrefix: amqpPrefix ?? 'ordergate',
    bodyLimitBytes: integer('BODY_LIMIT_BYTES', 5 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    logLevel: logLevel as Config['logLevel'],
    outbound,
    headersTimeoutMs,
    requestTimeoutMs,
    metricsToken,
    approvalsDir: text('APPROVALS_DIR'),
    calendarsDir: text('CALENDARS_DIR'),
    ...signatureSettings(text, problems),
    smtpUrl,
    smtpFrom: text('SMTP_FROM') ?? 'ordergate <approvals@localhost>',
    twilio:
      accountSid !== undefined && authToken !== undefined && smsFrom !== undefined
        ? Object.freeze({ accountSid, authToken, from: smsFrom })
        : undefined,
    publicBaseUrl: publicBaseUrl.replace(/\/+$/, ''),
    linkTtlMs: linkTtlMs ?? 3 * 86_400_000,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
