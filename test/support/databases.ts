import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connectDatabase, migrateToLatest, type Database } from '../../adapters/db/index.ts';

/** The local PostgreSQL that .ci/run starts; each test file gets a database of its own on it. */
export const postgresAdminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export type DatabaseKind = 'postgres' | 'pglite';
export const databaseKinds: DatabaseKind[] = ['postgres', 'pglite'];

export interface TestDatabase {
  kind: DatabaseKind;
  db: Database;
  /** Set for PostgreSQL: the connection string of this test's own database. */
  url?: string;
  dataDir?: string;
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `og_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export async function createTestDatabase(kind: DatabaseKind, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (kind === 'postgres') {
    const { url, drop } = await createPostgresDatabase();
    const db = connectDatabase({ url, dataDir: '', poolMax: 20 });
    if (options.migrate !== false) await migrateToLatest(db);
    return {
      kind,
      db,
      url,
      drop: async () => {
        await db.destroy();
        await drop();
      },
    };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'ordergate-test-'));
  const db = connectDatabase({ dataDir });
  if (options.migrate !== false) await migrateToLatest(db);
  return {
    kind,
    db,
    dataDir,
    drop: async () => {
      await db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
