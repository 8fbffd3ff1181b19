import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createTestDatabase, postgresAdminUrl, type TestDatabase } from '../../test/support/databases.ts';
import { isDatabaseUnavailable } from './availability.ts';

// What becomes a 503 (retry later) and what a 500 (a defect: the same request fails again). Real
// errors from the local PostgreSQL and a real refused connection, not hand-made ones.

/** A port nobody listens on: one the OS just gave out and took back. */
function unusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The error a promise rejects with. */
async function failure(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to fail');
}

describe('isDatabaseUnavailable', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('postgres', { migrate: false });
  });
  afterAll(async () => database?.drop());

  it('is false for a statement binding more than 65,535 parameters (08P01, protocol violation)', async () => {
    const values = Array.from({ length: 70_000 }, (_v, i) => i);
    const error = await failure(() => database.db.raw(`SELECT 1 WHERE 1 IN (${values.map(() => '?').join(', ')})`, values));
    expect((error as { code?: string }).code).toBe('08P01');
    expect(isDatabaseUnavailable(error)).toBe(false);
    // The connection is still good for the next request.
    expect((await database.db.raw('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('is false for a mistake in the statement (42P01) and a broken constraint (23505)', async () => {
    expect(isDatabaseUnavailable(await failure(() => database.db.raw('SELECT * FROM no_such_table')))).toBe(false);
    expect(isDatabaseUnavailable({ code: '23505', message: 'duplicate key value violates unique constraint' })).toBe(false);
  });

  it('is true for a refused connection', async () => {
    const url = new URL(postgresAdminUrl);
    url.port = String(await unusedPort());
    const client = new pg.Client({ connectionString: url.toString() });
    const error = await failure(() => client.connect());
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('is true for a connection the server ends (57P01) and one lost on the way (08006)', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    client.on('error', () => undefined);
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    const admin = new pg.Client({ connectionString: postgresAdminUrl });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
    expect(isDatabaseUnavailable(await failure(() => client.query('SELECT 1')))).toBe(true);
    expect(isDatabaseUnavailable({ code: '08006', message: 'connection failure' })).toBe(true);
  });
});
