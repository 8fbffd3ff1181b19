import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../../test/support/databases.ts';
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
  });
});
