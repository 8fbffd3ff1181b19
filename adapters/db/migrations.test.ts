import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../../test/support/databases.ts';
import { migrationSource } from '../../migrations/index.ts';
import { migrateToLatest, rollbackAll } from './connect.ts';

const tables = [
  'api_keys',
  'control_numbers',
  'dead_letters',
  'documents',
  'idempotency_records',
  'inbox',
  'order_events',
  'order_lines',
  'orders',
  'outbox',
  'partner_cxml',
  'partner_item_references',
  'partner_x12',
  'partners',
  'shipments',
  'tasks',
  'vendors',
  'webhook_deliveries',
  'webhook_sources',
  'webhook_subscriptions',
];

async function userTables(database: TestDatabase): Promise<string[]> {
  const result = await database.db.raw(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE 'knex_%' ORDER BY table_name`,
  );
  return result.rows.map((r: { table_name: string }) => r.table_name);
}

/** Columns added to tables an earlier migration created (the table list does not show them). */
const addedColumns = { documents: ['ack_state', 'ack_detail', 'acked_at', 'ack_due_at'] };

async function columnsOf(database: TestDatabase, table: string): Promise<string[]> {
  const result = await database.db.raw(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ?`,
    [table],
  );
  return result.rows.map((r: { column_name: string }) => r.column_name);
}

describe.each(databaseKinds)('migrations on %s', (kind) => {
  let database: TestDatabase | undefined;
  afterEach(async () => database?.drop());

  it('run forward, back to nothing, and forward again', async () => {
    database = await createTestDatabase(kind, { migrate: false });
    await migrateToLatest(database.db);
    expect(await userTables(database)).toEqual(tables);
    await migrateToLatest(database.db); // idempotent at start-up
    await rollbackAll(database.db);
    expect(await userTables(database)).toEqual([]);
    await migrateToLatest(database.db);
    expect(await userTables(database)).toEqual(tables);
    for (const [table, columns] of Object.entries(addedColumns))
      expect(await columnsOf(database, table)).toEqual(expect.arrayContaining(columns));
  });

  it('takes the acknowledgment columns back with their migration', async () => {
    database = await createTestDatabase(kind, { migrate: false });
    await migrateToLatest(database.db);
    await database.db.migrate.down({ migrationSource, name: '008_document_acks' });
    expect(await columnsOf(database, 'documents')).not.toEqual(expect.arrayContaining(['ack_state']));
    await migrateToLatest(database.db);
    expect(await columnsOf(database, 'documents')).toEqual(expect.arrayContaining(addedColumns.documents));
  });
});
