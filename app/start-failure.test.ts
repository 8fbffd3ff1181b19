import { describe, expect, it } from 'vitest';
import { explainStartFailure } from './start-failure.ts';

const facts = { port: 8080, host: '0.0.0.0', dataDir: '/srv/ordergate', databaseUrl: 'postgres://app:s3cr3t-pw@db.internal:5433/orders' };
const failure = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

describe('explainStartFailure', () => {
  it.each([
    [failure('listen EADDRINUSE', { code: 'EADDRINUSE' }), 'PORT 8080 is already in use on 0.0.0.0'],
    [failure('listen EADDRNOTAVAIL', { code: 'EADDRNOTAVAIL' }), 'HOST 0.0.0.0 is not an address of this machine'],
    [
      failure('EACCES: permission denied', { code: 'EACCES', path: '/srv/ordergate/secret.key' }),
      'DATA_DIR /srv/ordergate cannot be written (EACCES at /srv/ordergate/secret.key)',
    ],
    [failure('listen EACCES', { code: 'EACCES' }), 'PORT 8080 needs privileges'],
    [
      failure('password authentication failed for user "app"', { code: '28P01' }),
      'DATABASE_URL: PostgreSQL at db.internal:5433/orders refused the user or password',
    ],
    [
      failure('database "orders" does not exist', { code: '3D000' }),
      'DATABASE_URL: database "orders" does not exist on PostgreSQL at db.internal:5433/orders',
    ],
  ])('%s', (error, expected) => {
    const line = explainStartFailure(error, facts);
    expect(line).toContain(expected);
    expect(line).not.toContain('s3cr3t-pw');
    expect(line).not.toContain('\n');
  });

  it('keeps the message of anything else', () => {
    expect(explainStartFailure(new Error('the fulfillment catalog has problems: /skus: empty'), facts)).toBe(
      'the fulfillment catalog has problems: /skus: empty',
    );
  });
});
