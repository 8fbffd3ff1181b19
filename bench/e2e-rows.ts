import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { runOrders, type LatencySummary } from './support.ts';

// bench:e2e's floor A. What one X12 order really writes is not written down here: it is read from the
// database, as the difference between two snapshots taken around one order the gateway stored and
// dispatched. The floor then writes those rows again with plain pg (one multi-row INSERT per table,
// the counters UPDATEd, in one transaction), and marks the fulfillment requests sent as the dispatcher
// does after the broker's confirms (one more statement). Ids, control numbers and the PO number are
// replaced per order, so every floor order is as new to the database as the gateway's were.

export interface Column {
  name: string;
  /** format_type(): what a text parameter is cast to. */
  type: string;
  /** Filled by a sequence (bigIncrements): left to the database, as the gateway leaves it. */
  serial: boolean;
}

interface Table {
  name: string;
  columns: Column[];
  primaryKey: string[];
  /** Tables this one references (foreign keys), for the order of the inserts. */
  references: string[];
}

type Row = Record<string, unknown>;
export type Snapshot = Map<string, Map<string, Row>>;

export interface OrderRows {
  /** Tables in an order that satisfies their foreign keys, with the rows one order inserted. */
  inserts: { table: string; columns: Column[]; rows: Row[] }[];
  /** Rows that existed and changed (the control-number counters): the columns that changed, and by how much. */
  updates: { table: string; key: Row; set: { column: string; type: string; delta?: number; value?: unknown }[] }[];
  /** Per table: rows inserted (+n) or updated (~n), for the report. */
  summary: string;
}

const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

async function tables(client: pg.ClientBase): Promise<Table[]> {
  const { rows } = await client.query<{ table: string; column: string; type: string; serial: boolean; pk: boolean }>(`
    select c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type,
           coalesce(pg_get_expr(d.adbin, d.adrelid) like 'nextval(%', false) as serial,
           exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary and a.attnum = any(i.indkey)) as pk
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
    where c.relkind = 'r' and c.relname not like 'knex\\_%'
    order by c.relname, a.attnum`);
  const { rows: fks } = await client.query<{ table: string; target: string }>(`
    select c.conrelid::regclass::text as table, c.confrelid::regclass::text as target
    from pg_constraint c join pg_namespace n on n.oid = c.connamespace and n.nspname = 'public'
    where c.contype = 'f'`);
  const byName = new Map<string, Table>();
  for (const row of rows) {
    const table = byName.get(row.table) ?? { name: row.table, columns: [], primaryKey: [], references: [] };
    table.columns.push({ name: row.column, type: row.type, serial: row.serial });
    if (row.pk) table.primaryKey.push(row.column);
    byName.set(row.table, table);
  }
  for (const fk of fks) {
    const table = byName.get(fk.table);
    if (table !== undefined && fk.target !== fk.table) table.references.push(fk.target);
  }
  return [...byName.values()];
}

/** Every row of every table (a fresh bench database is small), keyed by primary key. */
export async function snapshot(databaseUrl: string): Promise<Snapshot> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result: Snapshot = new Map();
    for (const table of await tables(client)) {
      const { rows } = await client.query<{ row: Row }>(`select to_jsonb(t) as row from "${table.name}" t`);
      const keyed = new Map<string, Row>();
      for (const { row } of rows) keyed.set(JSON.stringify(table.primaryKey.map((column) => row[column])), row);
      result.set(table.name, keyed);
    }
    return result;
  } finally {
    await client.end();
  }
}

/** What happened between two snapshots: one order stored and its requests dispatched. */
export async function orderRows(databaseUrl: string, before: Snapshot, after: Snapshot): Promise<OrderRows> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  let all: Table[];
  try {
    all = await tables(client);
  } finally {
    await client.end();
  }
  const inserted = new Map<string, Row[]>();
  const updates: OrderRows['updates'] = [];
  const counts: string[] = [];
  for (const table of all) {
    const old = before.get(table.name) ?? new Map<string, Row>();
    const rows: Row[] = [];
    let changed = 0;
    for (const [key, row] of after.get(table.name) ?? []) {
      const was = old.get(key);
      if (was === undefined) {
        rows.push(row);
      } else if (JSON.stringify(was) !== JSON.stringify(row)) {
        changed += 1;
        const set = Object.keys(row)
          .filter((column) => JSON.stringify(was[column]) !== JSON.stringify(row[column]))
          .map((column) => {
            const type = table.columns.find((c) => c.name === column)?.type ?? 'text';
            return typeof row[column] === 'number' && typeof was[column] === 'number'
              ? { column, type, delta: (row[column] as number) - (was[column] as number) }
              : { column, type, value: row[column] };
          });
        updates.push({ table: table.name, key: Object.fromEntries(table.primaryKey.map((column) => [column, row[column]])), set });
      }
    }
    if (rows.length > 0) inserted.set(table.name, rows);
    if (rows.length > 0 || changed > 0)
      counts.push(`${table.name} ${rows.length > 0 ? `+${rows.length}` : ''}${changed > 0 ? `~${changed}` : ''}`);
  }
  // The rows as they were inserted, before the dispatcher marked them: requests pending, tasks ready.
  for (const row of inserted.get('outbox') ?? []) {
    if (row.state === 'sent' && row.vendor_id !== null)
      Object.assign(row, { state: 'pending', sent_at: null, attempts: 0, last_error: null });
  }
  for (const row of inserted.get('tasks') ?? []) {
    if (row.status === 'dispatched') row.status = 'ready';
  }
  // Referenced tables first.
  const order: Table[] = [];
  const pending = all.filter((t) => inserted.has(t.name));
  while (pending.length > 0) {
    const index = pending.findIndex((t) => t.references.every((target) => !pending.some((p) => p.name === target) || target === t.name));
    if (index < 0) throw new Error(`circular foreign keys among ${pending.map((t) => t.name).join(', ')}`);
    order.push(...pending.splice(index, 1));
  }
  return {
    inserts: order.map((t) => ({ table: t.name, columns: t.columns.filter((c) => !c.serial), rows: inserted.get(t.name) ?? [] })),
    updates,
    summary: counts.join(', '),
  };
}

/** The outbox rows the dispatcher publishes (a vendor, hence a queue): the messages floor B publishes. */
export function requestRows(rows: OrderRows): Row[] {
  return (rows.inserts.find((i) => i.table === 'outbox')?.rows ?? []).filter(
    (row) => row.vendor_id !== null && row.vendor_id !== undefined,
  );
}

/** Rows per table that one order inserts, and how many there are now: floor A checks it wrote them all. */
export async function countRows(databaseUrl: string, rows: OrderRows): Promise<Map<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const counts = new Map<string, number>();
    for (const { table } of rows.inserts) {
      const { rows: result } = await client.query<{ n: number }>(`select count(*)::int as n from "${table}"`);
      counts.set(table, result[0]?.n ?? 0);
    }
    return counts;
  } finally {
    await client.end();
  }
}

export function checkFloorRows(rows: OrderRows, before: Map<string, number>, after: Map<string, number>, orders: number): void {
  for (const { table, rows: perOrder } of rows.inserts) {
    const written = (after.get(table) ?? 0) - (before.get(table) ?? 0);
    if (written !== perOrder.length * orders)
      throw new Error(`floor A wrote ${written} rows into ${table}, not ${perOrder.length} × ${orders}`);
  }
}

export interface FloorASpec {
  databaseUrl: string;
  rows: OrderRows;
  /** A string of digits that stands for the order's control numbers and PO number in the captured rows. */
  marker: string;
  /** Numbers for `marker`, one per order, as long as it, none used before in this database. */
  firstNumber: number;
  orders: number;
  concurrency: number;
  poolSize: number;
}

export interface FloorResult {
  ordersPerSecond: number;
  orders: number;
  seconds: number;
  latency: LatencySummary;
}

/** A text parameter as PostgreSQL's input function for the column type reads it (to_jsonb gave the value). */
function param(value: unknown, type?: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' || type === 'json' || type === 'jsonb') return JSON.stringify(value);
  return String(value);
}

export async function runFloorA(spec: FloorASpec): Promise<FloorResult> {
  const rows = spec.rows;
  // Every uuid the order's rows carry (ids, message ids, ids inside payloads) gets a fresh one per order.
  const known = new Set<string>();
  const statements = rows.inserts.map(({ table, columns, rows: tableRows }) => {
    const values = tableRows.map((row) => columns.map((column) => param(row[column.name], column.type)));
    for (const value of values.flat()) for (const id of value?.match(uuidPattern) ?? []) known.add(id);
    const tuples = tableRows.map(
      (_row, r) => `(${columns.map((column, c) => `$${r * columns.length + c + 1}::${column.type}`).join(', ')})`,
    );
    return {
      table,
      text: `insert into "${table}" (${columns.map((c) => `"${c.name}"`).join(', ')}) values ${tuples.join(', ')}${table === 'outbox' ? ' returning id, vendor_id' : ''}`,
      values: values.flat(),
    };
  });
  const updates = rows.updates.map(({ table, key, set }) => {
    const params: unknown[] = [];
    const assign = set.map((s) => {
      params.push(s.delta ?? param(s.value, s.type));
      return s.delta === undefined ? `"${s.column}" = $${params.length}::${s.type}` : `"${s.column}" = "${s.column}" + $${params.length}`;
    });
    const where = Object.entries(key).map(([column, value]) => {
      params.push(param(value));
      return `"${column}" = $${params.length}`;
    });
    return { text: `update "${table}" set ${assign.join(', ')} where ${where.join(' and ')}`, values: params };
  });
  // The partner and its key were there before the order: not replaced.
  const partnerIds = new Set(
    rows.inserts.flatMap((i) => i.rows.map((r) => r.partner_id)).filter((v): v is string => typeof v === 'string'),
  );
  for (const id of partnerIds) known.delete(id);
  const taskIds = (rows.inserts.find((i) => i.table === 'tasks')?.rows ?? [])
    .filter((r) => r.status === 'ready' && r.vendor_id !== null)
    .map((r) => String(r.id));
  const marker = new RegExp(spec.marker, 'g');

  const pool = new pg.Pool({ connectionString: spec.databaseUrl, max: spec.poolSize });
  pool.on('error', () => undefined); // an idle connection lost: the next query fails and says why
  const latencies: number[] = [];
  let sequence = 0;
  const storeOne = async (): Promise<void> => {
    const number = String(spec.firstNumber + sequence++);
    if (number.length !== spec.marker.length) throw new Error(`floor A ran out of ${spec.marker.length}-digit numbers`);
    const fresh = new Map([...known].map((id) => [id, randomUUID()]));
    const swap = (value: unknown): unknown =>
      typeof value === 'string' ? value.replace(uuidPattern, (id) => fresh.get(id) ?? id).replace(marker, number) : value;
    const started = performance.now();
    const client = await pool.connect();
    try {
      await client.query('begin');
      let sent: string[] = [];
      for (const statement of statements) {
        const result = await client.query<{ id: string; vendor_id: string | null }>(statement.text, statement.values.map(swap));
        if (statement.table === 'outbox') sent = result.rows.filter((r) => r.vendor_id !== null).map((r) => String(r.id));
      }
      for (const update of updates) await client.query(update.text, update.values);
      await client.query('commit');
      // The dispatcher's part, once the broker has confirmed: requests sent, their tasks dispatched.
      await client.query(
        `with sent as (update outbox set state = 'sent', sent_at = now(), attempts = attempts + 1, last_error = null where id = any($1::bigint[]))
         update tasks set status = 'dispatched', updated_at = now() where id = any($2::text[]) and status = 'ready'`,
        [sent, taskIds.map((id) => fresh.get(id) ?? id)],
      );
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    latencies.push(performance.now() - started);
  };

  try {
    // Connections opened, plans cached: one order per connection, not counted.
    return await runOrders(spec.orders, spec.concurrency, latencies, storeOne);
  } finally {
    await pool.end();
  }
}
