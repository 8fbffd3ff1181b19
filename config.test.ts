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
});
