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
});
