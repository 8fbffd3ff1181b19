import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import { migrationSource } from '../../migrations/index.ts';
import { startPGliteThread } from './pglite-thread.ts';

// numeric(18,4) comes back as text; quantities and prices fit a double comfortably.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export type Database = Knex;

export interface DatabaseOptions {
  /** PostgreSQL connection string; without it, PGlite on disk under dataDir. */
  url?: string | undefined;
  dataDir: string;
  poolMax?: number;
  /** Where knex's own warnings go (by default: nowhere; failures reach the caller as errors anyway). */
  log?: { warn(message: string): void; error(message: string): void };
}

/** Longest a statement may take, and longest we wait for the database's answer to one. */
const queryTimeoutMs = 20_000;

const quiet = { warn: () => undefined, error: () => undefined, deprecate: () => undefined, debug: () => undefined };

export function describeDatabase(options: DatabaseOptions): string {
  if (options.url === undefined) return `embedded PostgreSQL (PGlite) in ${resolve(options.dataDir, 'pglite')}`;
  const url = new URL(options.url);
  return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

export function connectDatabase(options: DatabaseOptions): Database {
  if (options.url === undefined) {
    const filename = resolve(options.dataDir, 'pglite');
    mkdirSync(filename, { recursive: true });
    const pglite = startPGliteThread(filename);
    return knexFactory({
      client: ClientPgLite,
      dialect: 'postgres',
      // A function, so that knex hands the thread's handle over as it is instead of deep-copying it.
      connection: () => ({ pglite }),
      log: { ...quiet, ...options.log },
    } as Knex.Config);
  }
  return knexFactory({
    client: 'pg',
    connection: {
      connectionString: options.url,
      connectionTimeoutMillis: 2_000,
      // A connection whose peer went silent (half-open TCP) must not be held: the query read timeout
      // fails the statement in seconds, and a connection that never got its answer is not ready for
      // another query, so the pool drops it. The server's own limits end work nobody waits for.
      query_timeout: queryTimeoutMs,
      statement_timeout: queryTimeoutMs - 5_000,
      idle_in_transaction_session_timeout: queryTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
    },
    // A lost database must surface as a quick 503, not a request stuck waiting for a connection.
    acquireConnectionTimeout: 3_000,
    pool: { min: 0, max: options.poolMax ?? 10 },
    log: { ...quiet, ...options.log },
  });
}

export async function migrateToLatest(db: Database): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

export async function rollbackAll(db: Database): Promise<void> {
  await db.migrate.rollback({ migrationSource }, true);
}
