import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../../test/support/databases.ts';
import { migrationSource } from '../../migrations/index.ts';
import { migrateToLatest, rollbackAll } from './connect.ts';

const tables = [
  'api_keys',
  'approval_decisions',
  'approval_links',
  'approvals',
  'console_sessions',
  'console_sign_in_links',
  'control_numbers',
  'dead_letters',
  'documents',
  'idempotency_records',
  'inbox',
  'notifications',
  'order_deadlines',
  'order_events',
  'order_lines',
  'orders',
  'outbox',
  'partner_cxml',
  'partner_item_references',
  'partner_prices',
  'partner_x12',
  'partner_x12_identities',
  'partners',
  'people',
  'shipments',
  'signature_envelopes',
  'signature_events',
  'sscc_serials',
  'tasks',
  'vendors',
  'webhook_deliveries',
  'webhook_sources',
  'webhook_subscriptions',
  'work_items',
];

async function userTables(database: TestDatabase): Promise<string[]> {
  const result = await database.db.raw(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE 'knex_%' ORDER BY table_name`,
  );
  return result.rows.map((r: { table_name: string }) => r.table_name);
}

/** Columns added to tables an earlier migration created (the table list does not show them). */
const addedColumns = {
  api_keys: ['person_id'],
  documents: ['ack_state', 'ack_detail', 'acked_at', 'ack_due_at'],
  notifications: ['work_item_id'],
  orders: ['approved_at', 'acknowledged_at', 'first_shipment_at', 'ready_for_billing_at'],
  tasks: ['role', 'warn_at', 'warned_at', 'overdue_at'],
  partner_cxml: ['our_domain', 'our_identity', 'our_secret_sealed'],
  partner_x12: ['profile'],
  partners: ['trusted', 'credit_limit', 'credit_limit_currency', 'total_mismatch', 'deadlines'],
};

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

  it('run forward, back to nothing, and forward again', { timeout: 120_000 }, async () => {
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

  it('adds the report indexes, and takes them back with their migration', async () => {
    database = await createTestDatabase(kind, { migrate: false });
    await migrateToLatest(database.db);
    const indexes = async () =>
      (
        await database!.db.raw(
          `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname IN (?, ?, ?) ORDER BY indexname`,
          ['order_events_milestones', 'orders_received', 'work_items_created'],
        )
      ).rows.map((row: { indexname: string }) => row.indexname);
    expect(await indexes()).toEqual(['order_events_milestones', 'orders_received', 'work_items_created']);
    await database.db.migrate.down({ migrationSource, name: '023_report_indexes' });
    expect(await indexes()).toEqual([]);
  });

  it('keeps our cXML credential whole (domain, identity and sealed secret, or none), and takes it back with its migration', async () => {
    database = await createTestDatabase(kind, { migrate: false });
    const { db } = database;
    await migrateToLatest(db);
    await db('partners').insert({ id: 'p1', name: 'Buyer' });
    const row = { partner_id: 'p1', from_domain: 'NetworkID', from_identity: 'AN1', secret_salt: 's', secret_hash: 'h' };
    // An identity without the secret to present would send documents bare: refused by the table itself.
    await expect(db('partner_cxml').insert({ ...row, our_domain: 'NetworkID', our_identity: 'AN0' })).rejects.toThrow(
      /our_credential_whole/,
    );
    await db('partner_cxml').insert({ ...row, our_domain: 'NetworkID', our_identity: 'AN0', our_secret_sealed: 'v1.x' });
    await db.migrate.down({ migrationSource, name: '014_cxml_our_credential' });
    expect(await columnsOf(database, 'partner_cxml')).not.toEqual(expect.arrayContaining(['our_domain']));
    await migrateToLatest(db);
    expect(await db('partner_cxml').where({ partner_id: 'p1' }).first('our_domain')).toEqual({ our_domain: null });
  });

  it('keeps a credit limit whole (amount and currency, or none), and takes the approval facts back with their migration', async () => {
    database = await createTestDatabase(kind, { migrate: false });
    const { db } = database;
    await migrateToLatest(db);
    await expect(db('partners').insert({ id: 'p1', name: 'Buyer', credit_limit: 100 })).rejects.toThrow(/partners_credit_limit_check/);
    await expect(db('partners').insert({ id: 'p1', name: 'Buyer', total_mismatch: 'ignore' })).rejects.toThrow(
      /partners_total_mismatch_check/,
    );
    await db('partners').insert({ id: 'p1', name: 'Buyer', credit_limit: 100, credit_limit_currency: 'USD' });
    await db('partner_prices').insert({ partner_id: 'p1', sku: 'MODEM-X1', currency: 'USD', unit_price: 45 });
    await db.migrate.down({ migrationSource, name: '017_partner_approval_facts' });
    expect(await userTables(database)).not.toContain('partner_prices');
    expect(await columnsOf(database, 'partners')).not.toEqual(expect.arrayContaining(['trusted']));
    await migrateToLatest(db);
    expect(await db('partners').where({ id: 'p1' }).first('trusted', 'total_mismatch', 'credit_limit')).toEqual({
      trusted: false,
      total_mismatch: 'hold',
      credit_limit: null,
    });
  });

  it("moves each partner's X12 identity into its list of pairs, with the dedupe keys, and back", async () => {
    database = await createTestDatabase(kind, { migrate: false });
    const { db } = database;
    await migrateToLatest(db);
    await db.migrate.down({ migrationSource, name: '011_x12_identities' });
    // As a partner was before: one identity, and what it sent keyed by sender alone.
    await db('partners').insert({ id: 'p1', name: 'Acme' });
    await db('partner_x12').insert({
      partner_id: 'p1',
      qualifier: 'ZZ',
      identifier: 'ACMEBUYER',
      our_qualifier: 'ZZ',
      our_identifier: 'ORDERGATE',
      version: '004010',
      map: 'default',
    });
    const envelope = { isaSenderQualifier: 'ZZ', isaSender: 'ACMEBUYER', isaReceiverQualifier: 'ZZ', isaReceiver: 'OLDDESK' };
    await db('orders').insert({
      id: 'o1',
      partner_id: 'p1',
      channel: 'x12',
      external_ref: 'PO-1',
      order_type: 'new',
      status: 'received',
      order_date: '2026-11-27',
      currency: 'USD',
      header: JSON.stringify({ envelope }),
      totals: JSON.stringify({}),
    });
    // Our 997 answered from the receiver the partner addressed then (OLDDESK), not the one it has now.
    const answer =
      'ISA*00*          *00*          *ZZ*OLDDESK        *ZZ*ACMEBUYER      *261127*1200*U*00401*000000001*0*P*>~IEA*0*000000001~';
    const record = (scope: string, key: string, status: number, body: unknown, orderId: string | null = null) => ({
      partner_id: 'p1',
      scope,
      key,
      request_hash: 'h',
      response_status: status,
      response_body: JSON.stringify(body),
      order_id: orderId,
    });
    await db('idempotency_records').insert([
      record('x12-interchange', 'ZZ/ACMEBUYER/000000101', 200, answer),
      record('x12-interchange', 'ZZ/ACMEBUYER/000000102', 202, null),
      record('x12-set', 'ACMEBUYER/101/0001', 201, { orderId: 'o1' }, 'o1'),
      record('x12-refused', 'ZZ/ACMEBUYER/abc123', 200, answer),
      record('json', 'PO-1', 201, { orderId: 'o1' }, 'o1'),
    ]);
    const keys = async () =>
      (await db('idempotency_records').orderBy(['scope', 'key']).select('scope', 'key')).map(
        (r: { scope: string; key: string }) => `${r.scope} ${r.key}`,
      );
    const before = await keys();

    await db.migrate.up({ migrationSource, name: '011_x12_identities' });
    expect(
      await db('partner_x12_identities').select('partner_id', 'position', 'qualifier', 'identifier', 'our_qualifier', 'our_identifier'),
    ).toEqual([
      { partner_id: 'p1', position: 0, qualifier: 'ZZ', identifier: 'ACMEBUYER', our_qualifier: 'ZZ', our_identifier: 'ORDERGATE' },
    ]);
    expect(await columnsOf(database, 'partner_x12')).not.toEqual(expect.arrayContaining(['identifier']));
    expect(await db('partner_x12').first('version', 'map')).toEqual({ version: '004010', map: 'default' });
    expect(await keys()).toEqual([
      'json PO-1',
      'x12-interchange ZZ/ACMEBUYER/ZZ/OLDDESK/000000101',
      'x12-interchange ZZ/ACMEBUYER/ZZ/ORDERGATE/000000102',
      'x12-refused ZZ/ACMEBUYER/abc123',
      'x12-set ZZ/ACMEBUYER/ZZ/OLDDESK/ACMEBUYER/101/0001',
    ]);

    await db.migrate.down({ migrationSource, name: '011_x12_identities' });
    expect(await db('partner_x12').first('qualifier', 'identifier', 'our_qualifier', 'our_identifier')).toEqual({
      qualifier: 'ZZ',
      identifier: 'ACMEBUYER',
      our_qualifier: 'ZZ',
      our_identifier: 'ORDERGATE',
    });
    expect(await keys()).toEqual(before);
    await migrateToLatest(db);
    // PGlite's start alone takes most of the default 30 s on a busy machine.
  }, 90_000);

  it('puts what people already had to do on the task lists: open person tasks and pending approval levels', async () => {
    database = await createTestDatabase(kind, { migrate: false });
    const { db } = database;
    await migrateToLatest(db);
    await db.migrate.down({ migrationSource, name: '022_work_items' });
    await db('partners').insert({ id: 'p1', name: 'Acme' });
    const order = (id: string, ref: string) => ({
      id,
      partner_id: 'p1',
      channel: 'json',
      external_ref: ref,
      order_type: 'new',
      status: 'decomposed',
      order_date: '2026-12-01',
      currency: 'USD',
      header: JSON.stringify({}),
      totals: JSON.stringify({}),
    });
    await db('orders').insert([order('o1', 'PO-1'), { ...order('o2', 'PO-2'), status: 'pending_approval' }]);
    const task = (id: string, status: string, person: boolean) => ({
      id,
      order_id: 'o1',
      task_key: `1:${id}`,
      position: 0,
      line_number: '1',
      type: person ? 'customer-action' : 'ship',
      vendor_id: person ? null : 'vendor-a',
      person,
      sla_minutes: 60,
      due_at: '2026-12-10T12:00:00Z',
      status,
    });
    await db('tasks').insert([task('t-ready', 'ready', true), task('t-blocked', 'blocked', true), task('t-vendor', 'ready', false)]);
    const level = {
      level: 1,
      name: 'sales',
      assignees: [{ role: 'sales-manager' }, { person: 'x' }],
      mode: 'any',
      method: 'click',
      sla: 'PT4H',
    };
    await db('approvals').insert({
      id: 'a1',
      order_id: 'o2',
      partner_id: 'p1',
      status: 'pending',
      reasons: JSON.stringify([]),
      levels: JSON.stringify([level]),
      level_started_at: '2026-12-04T10:00:00Z',
    });
    await db.migrate.up({ migrationSource, name: '022_work_items' });
    const items = await db('work_items')
      .orderBy('kind')
      .select('kind', 'source_id', 'level', 'assigned_roles', 'assigned_people', 'escalate_to_role', 'due_at', 'title');
    expect(items.map((i) => ({ ...i, due_at: new Date(i.due_at).toISOString() }))).toEqual([
      {
        kind: 'approval',
        source_id: 'a1',
        level: 1,
        assigned_roles: ['sales-manager'],
        assigned_people: ['x'],
        escalate_to_role: null,
        due_at: '2026-12-04T14:00:00.000Z',
        title: 'Approve order PO-2 (sales)',
      },
      {
        kind: 'person-task',
        source_id: 't-ready',
        level: 0,
        assigned_roles: ['operations'],
        assigned_people: [],
        escalate_to_role: 'supervisor',
        due_at: '2026-12-10T12:00:00.000Z',
        title: 'customer-action for order PO-1, line 1 (1:t-ready)',
      },
    ]);
  }, 90_000);
});
