import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

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
