import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as ConfigError).problems;
  }
  return [];
};

describe('loadConfig', () => {
  it('runs on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: './data',
      adminKey: undefined,
      amqpUrl: undefined,
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://u@db:5432/og',
      DATA_DIR: '/var/lib/og',
      ORDERGATE_ADMIN_KEY: 'a-long-enough-admin-key-123',
      AMQP_URL: 'amqp://guest:guest@localhost',
      BODY_LIMIT_BYTES: '2048',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({
      port: 9000,
      databaseUrl: 'postgres://u@db:5432/og',
      amqpUrl: 'amqp://guest:guest@localhost',
      bodyLimitBytes: 2048,
      logLevel: 'debug',
    });
  });

  it('sends only to https and public addresses unless told otherwise', () => {
    expect(loadConfig({}).outbound).toEqual({ allowHttp: false, allowHosts: [], allowCidrs: [], webhooksUseAllowList: false });
    expect(
      loadConfig({
        OUTBOUND_ALLOW_HTTP: 'true',
        OUTBOUND_ALLOW_HOSTS: 'Ports.Vendor.Internal, wms.lan',
        OUTBOUND_ALLOW_CIDRS: '10.20.0.0/16, 192.0.2.7, fd00:1::/64',
        OUTBOUND_ALLOW_LIST_FOR_WEBHOOKS: 'TRUE',
      }).outbound,
    ).toEqual({
      allowHttp: true,
      allowHosts: ['ports.vendor.internal', 'wms.lan'],
      allowCidrs: ['10.20.0.0/16', '192.0.2.7/32', 'fd00:1::/64'],
      webhooksUseAllowList: true,
    });
    let caught: unknown;
    try {
      loadConfig({ OUTBOUND_ALLOW_HTTP: 'yes', OUTBOUND_ALLOW_HOSTS: '10.0.0.1', OUTBOUND_ALLOW_CIDRS: '10.0.0.0/40' });
    } catch (error) {
      caught = error;
    }
    expect((caught as ConfigError).problems).toEqual([
      'OUTBOUND_ALLOW_HTTP must be true or false, got "yes"',
      'OUTBOUND_ALLOW_HOSTS: "10.0.0.1" is not a host name (addresses go in OUTBOUND_ALLOW_CIDRS)',
      'OUTBOUND_ALLOW_CIDRS: "10.0.0.0/40" is not an address or a range like 10.20.0.0/16',
    ]);
  });

  it('names every problem at once', () => {
    let caught: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ORDERGATE_ADMIN_KEY: 'short', LOG_LEVEL: 'loud', AMQP_URL: 'not a url' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'ORDERGATE_ADMIN_KEY', 'LOG_LEVEL', 'AMQP_URL']) expect(problems).toContain(name);
    expect(problems).not.toContain('short'); // the secret itself is never echoed
  });

  it('holds slow senders to 10 s for headers and 30 s for the request unless told otherwise, and /metrics open', () => {
    expect(loadConfig({})).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, metricsToken: undefined });
    expect(loadConfig({ HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '120000', METRICS_TOKEN: 'scrape-me-0123456789' })).toMatchObject({
      headersTimeoutMs: 5_000,
      requestTimeoutMs: 120_000,
      metricsToken: 'scrape-me-0123456789',
    });
    let caught: unknown;
    try {
      loadConfig({ HEADERS_TIMEOUT_MS: '40000', REQUEST_TIMEOUT_MS: '30000', METRICS_TOKEN: 'short' });
    } catch (error) {
      caught = error;
    }
    expect((caught as ConfigError).problems).toEqual([
      'HEADERS_TIMEOUT_MS (40000) must not be longer than REQUEST_TIMEOUT_MS (30000)',
      'METRICS_TOKEN must be at least 16 characters long',
    ]);
  });

  describe('signature providers', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const docusign = {
      DOCUSIGN_INTEGRATION_KEY: 'ik-0001',
      DOCUSIGN_USER_ID: 'user-0001',
      DOCUSIGN_ACCOUNT_ID: 'acct-0001',
      DOCUSIGN_PRIVATE_KEY: pem,
      DOCUSIGN_CONNECT_HMAC_KEY: 'key-one, key-two',
    };

    it('leaves both unavailable when nothing is set', () => {
      expect(loadConfig({})).toMatchObject({ docusign: undefined, acrobatSign: undefined });
    });

    it('reads DocuSign whole, with the developer hosts by default, the key as PEM text (line breaks escaped or not) or a file', () => {
      expect(loadConfig(docusign).docusign).toEqual({
        integrationKey: 'ik-0001',
        userId: 'user-0001',
        accountId: 'acct-0001',
        privateKey: pem.trim(),
        connectHmacKeys: ['key-one', 'key-two'],
        basePath: 'https://demo.docusign.net/restapi',
        oauthHost: 'account-d.docusign.com',
      });
      expect(loadConfig({ ...docusign, DOCUSIGN_PRIVATE_KEY: pem.replace(/\n/g, '\\n') }).docusign?.privateKey).toBe(pem.trim());
      const file = join(mkdtempSync(join(tmpdir(), 'og-config-')), 'docusign.pem');
      writeFileSync(file, pem);
      expect(
        loadConfig({
          ...docusign,
          DOCUSIGN_PRIVATE_KEY: file,
          DOCUSIGN_BASE_PATH: 'https://eu.docusign.net/restapi',
          DOCUSIGN_OAUTH_HOST: 'account.docusign.com',
        }).docusign,
      ).toMatchObject({ privateKey: pem.trim(), basePath: 'https://eu.docusign.net/restapi', oauthHost: 'account.docusign.com' });
    });

    it('refuses half a DocuSign configuration, naming what is missing, and a key that is not an RSA private key, without echoing it', () => {
      expect(problemsOf({ DOCUSIGN_INTEGRATION_KEY: 'ik', DOCUSIGN_PRIVATE_KEY: pem })).toEqual([
        'DocuSign is half configured: DOCUSIGN_USER_ID, DOCUSIGN_ACCOUNT_ID, DOCUSIGN_CONNECT_HMAC_KEY are missing',
      ]);
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      expect(problemsOf({ ...docusign, DOCUSIGN_PRIVATE_KEY: ec })).toEqual(['DOCUSIGN_PRIVATE_KEY must be an RSA private key']);
      const garbled = '-----BEGIN PRIVATE KEY-----\nsecret-material\n-----END PRIVATE KEY-----';
      const problems = problemsOf({ ...docusign, DOCUSIGN_PRIVATE_KEY: garbled, DOCUSIGN_BASE_PATH: 'http://demo.docusign.net/restapi' });
      expect(problems).toEqual(['DOCUSIGN_PRIVATE_KEY is not a readable PEM private key', 'DOCUSIGN_BASE_PATH must start with https://']);
      expect(problems.join()).not.toContain('secret-material');
      expect(problemsOf({ ...docusign, DOCUSIGN_PRIVATE_KEY: '/nowhere/key.pem' })).toEqual([
        'DOCUSIGN_PRIVATE_KEY is neither a PEM private key nor a readable file',
      ]);
    });

    it('reads Acrobat Sign with an access token or with refresh settings, and refuses half of it', () => {
      const base = { ACROBAT_SIGN_BASE_URL: 'https://api.na1.adobesign.com', ACROBAT_SIGN_CLIENT_ID: 'CBJCHB-client' };
      expect(loadConfig({ ...base, ACROBAT_SIGN_ACCESS_TOKEN: '3AAAB-token' }).acrobatSign).toEqual({
        baseUrl: 'https://api.na1.adobesign.com',
        clientId: 'CBJCHB-client',
        accessToken: '3AAAB-token',
      });
      expect(loadConfig({ ...base, ACROBAT_SIGN_CLIENT_SECRET: 'shh', ACROBAT_SIGN_REFRESH_TOKEN: '3AAAB-refresh' }).acrobatSign).toEqual({
        baseUrl: 'https://api.na1.adobesign.com',
        clientId: 'CBJCHB-client',
        refresh: { clientSecret: 'shh', refreshToken: '3AAAB-refresh' },
      });
      expect(problemsOf({ ...base, ACROBAT_SIGN_REFRESH_TOKEN: '3AAAB-refresh' })).toEqual([
        'Acrobat Sign is half configured: ACROBAT_SIGN_ACCESS_TOKEN (or ACROBAT_SIGN_CLIENT_SECRET and ACROBAT_SIGN_REFRESH_TOKEN) missing',
      ]);
      expect(problemsOf({ ACROBAT_SIGN_ACCESS_TOKEN: 't' })).toEqual([
        'Acrobat Sign is half configured: ACROBAT_SIGN_BASE_URL, ACROBAT_SIGN_CLIENT_ID missing',
      ]);
      expect(problemsOf({ ...base, ACROBAT_SIGN_BASE_URL: 'http://api.na1.adobesign.com', ACROBAT_SIGN_ACCESS_TOKEN: 't' })).toEqual([
        'ACROBAT_SIGN_BASE_URL must start with https://',
      ]);
    });
  });

  it('reads the approval messages settings: mail, SMS, the links base and lifetime', () => {
    expect(loadConfig({})).toMatchObject({
      smtpUrl: undefined,
      smtpFrom: 'ordergate <approvals@localhost>',
      twilio: undefined,
      publicBaseUrl: 'http://localhost:8080',
      linkTtlMs: 3 * 86_400_000,
    });
    const sid = `AC${'0123456789abcdef'.repeat(2)}`;
    expect(
      loadConfig({
        SMTP_URL: 'smtps://user:pass@mail.example.com:465',
        SMTP_FROM: 'Approvals <approvals@example.com>',
        TWILIO_ACCOUNT_SID: sid,
        TWILIO_AUTH_TOKEN: 'token',
        TWILIO_FROM: '+15017122661',
        PUBLIC_BASE_URL: 'https://orders.example.com/gw/',
        LINK_TTL: 'P1DT12H',
      }),
    ).toMatchObject({
      smtpUrl: 'smtps://user:pass@mail.example.com:465',
      smtpFrom: 'Approvals <approvals@example.com>',
      twilio: { accountSid: sid, authToken: 'token', from: '+15017122661' },
      publicBaseUrl: 'https://orders.example.com/gw',
      linkTtlMs: 36 * 3_600_000,
    });
    let caught: unknown;
    try {
      loadConfig({
        SMTP_URL: 'http://mail.example.com',
        TWILIO_ACCOUNT_SID: 'AC123',
        TWILIO_FROM: '5017122661',
        PUBLIC_BASE_URL: 'https://orders.example.com/?x=1',
        LINK_TTL: 'P1M',
      });
    } catch (error) {
      caught = error;
    }
    expect((caught as ConfigError).problems).toEqual([
      'SMTP_URL must start with smtp:// or smtps://, got "http://…"',
      'TWILIO_AUTH_TOKEN must be set too (Twilio needs all three)',
      'TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits, as Twilio shows it',
      'TWILIO_FROM must be a number in E.164 form (+15005550006) or a messaging service SID (MG...), got "5017122661"',
      'PUBLIC_BASE_URL must be a base without a query or a fragment',
      'LINK_TTL must be an ISO 8601 duration from PT1M to P30D (P3D, PT12H), got "P1M"',
    ]);
    expect(() => loadConfig({ LINK_TTL: 'PT30S' })).toThrow(/LINK_TTL/);
    expect(() => loadConfig({ LINK_TTL: 'P31D' })).toThrow(/LINK_TTL/);
  });
});
