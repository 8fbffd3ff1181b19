import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { lineToRow, orderToRow, rowsToOrder } from '../adapters/db/order-rows.ts';
import { presentOrder, translateOrderJson } from '../api/order-json.ts';
import { validateOrder, type CanonicalOrder } from '../domain/order.ts';
import { loadCatalog } from '../adapters/catalog/index.ts';
import { fulfillmentRequest, vendorDestination } from '../domain/fulfillment-request.ts';
import { initialTaskStatus } from '../domain/task-status.ts';
import { planOrder, type PlannedTask } from '../domain/plan.ts';
import { benchOrder, benchOrderJson } from './orders.ts';
import { sleep, summarize, type LatencySummary } from './support.ts';

// The floor: the rows one stored order writes (adapters/db/order-store.ts), inserted with plain pg,
// one transaction per order, no HTTP, no knex, no validation: what the database alone costs.

export interface FloorSpec {
  databaseUrl: string;
  partnerId: string;
  /** Connections, and as many workers: the server's knex pool is 10 (adapters/db/connect.ts). */
  poolSize: number;
  durationS: number;
  /**
   * Orders/s, started on a fixed schedule whether or not earlier ones are done (latency counts from
   * the scheduled start, waits for a connection included). Without it, as fast as the pool goes.
   */
  rate?: number;
}

export interface FloorResult {
  ordersPerSecond: number;
  orders: number;
  latency: LatencySummary;
}

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/** The canonical order of the bench order, built once by ordergate's own translation. */
export function canonicalTemplate(): CanonicalOrder {
  const draft = translateOrderJson({ ...benchOrder('template'), orderType: 'new' }, { idempotencyKey: 'template' });
  if (!draft.ok) throw new Error('the bench order does not translate');
  const order = validateOrder(draft.value);
  if (!order.ok) throw new Error(`the bench order is invalid: ${JSON.stringify(order.error)}`);
  return order.value;
}

const lineColumns = [
  'id',
  'order_id',
  'parent_line_id',
  'position',
  'line_number',
  'status',
  'sku',
  'quantity',
  'uom',
  'unit_price',
  'detail',
] as const;

function linesInsert(count: number): string {
  const tuples = Array.from(
    { length: count },
    (_, row) => `(${lineColumns.map((_c, column) => `$${row * lineColumns.length + column + 1}`).join(', ')})`,
  );
  return `insert into order_lines (${lineColumns.join(', ')}) values ${tuples.join(', ')}`;
}

/**
 * The stored answer (the presented order, as the gateway keeps it for replays), made once with
 * placeholders: the floor should not pay for the gateway's own row-to-JSON mapping on every order.
 */
export function responseTemplate(order: CanonicalOrder, partnerId: string): (values: Record<string, string>) => string {
  const mark = (name: string): string => `@@${name}@@`;
  const epoch = new Date(0);
  const orderRow = orderToRow(
    mark('order'),
    partnerId,
    { ...order, externalRef: mark('ref'), envelope: { idempotencyKey: mark('key') } },
    'received',
    epoch,
  );
  const lineRows = order.lines.map((line, position) =>
    lineToRow(
      mark(`line${position}`),
      mark('order'),
      position,
      line,
      line.parentLineNumber === undefined ? null : mark(`line${order.lines.findIndex((l) => l.lineNumber === line.parentLineNumber)}`),
    ),
  );
  const parts = JSON.stringify(presentOrder(rowsToOrder(orderRow, lineRows))).split(
    new RegExp(`@@(\\w+)@@|(${epoch.toISOString().replace(/\./g, '\\.')})`),
  );
  // split() with two capture groups: text, name-or-undefined, time-or-undefined, text, ...
  return (values) => {
    let text = '';
    for (let i = 0; i < parts.length; i += 3) {
      text += parts[i] ?? '';
      if (i + 1 < parts.length)
        text += JSON.stringify(parts[i + 1] === undefined ? (values.time ?? '') : (values[parts[i + 1] as string] ?? '')).slice(1, -1);
    }
    return text;
  };
}

const taskColumns = [
  'id',
  'order_id',
  'task_key',
  'position',
  'line_id',
  'line_number',
  'bundle_line_number',
  'type',
  'vendor_id',
  'person',
  'depends_on',
  'sla_minutes',
  'due_at',
  'status',
] as const;

function tasksInsert(count: number): string {
  const tuples = Array.from(
    { length: count },
    (_, row) => `(${taskColumns.map((_c, column) => `$${row * taskColumns.length + column + 1}`).join(', ')})`,
  );
  return `insert into tasks (${taskColumns.join(', ')}) values ${tuples.join(', ')}`;
}

/** The demo catalog's plan for the bench order: the floor writes the same task rows the gateway does. */
function planTemplate(template: CanonicalOrder): PlannedTask[] {
  const catalog = loadCatalog();
  if (!catalog.ok) throw new Error('the demo catalog does not load');
  const plan = planOrder(template, catalog.value);
  if (!plan.ok) throw new Error('the bench order does not plan');
  return plan.value.tasks;
}

export async function runFloor(spec: FloorSpec): Promise<FloorResult> {
  const template = canonicalTemplate();
  const plannedTasks = planTemplate(template);
  const insertTasks = tasksInsert(plannedTasks.length);
  const respond = responseTemplate(template, spec.partnerId);
  const insertLines = linesInsert(template.lines.length);
  const pool = new pg.Pool({ connectionString: spec.databaseUrl, max: spec.poolSize });
  const latencies: number[] = [];
  let sequence = 0;

  const storeOne = async (scheduledAt?: number): Promise<void> => {
    sequence += 1;
    const key = `floor-${Date.now().toString(36)}-${sequence}`;
    const externalRef = `PO-${key}`;
    const body = Buffer.from(benchOrderJson(externalRef));
    const order: CanonicalOrder = { ...template, externalRef, envelope: { idempotencyKey: key } };

    // The same rows, with the same contents, that order-store.ts writes.
    const orderId = randomUUID();
    const now = new Date();
    const orderRow = orderToRow(orderId, spec.partnerId, order, 'received', now);
    const lineIds = new Map(order.lines.map((line) => [line.lineNumber, randomUUID()]));
    const lineRows = order.lines.map((line, position) =>
      lineToRow(
        lineIds.get(line.lineNumber) as string,
        orderId,
        position,
        line,
        line.parentLineNumber === undefined ? null : (lineIds.get(line.parentLineNumber) ?? null),
      ),
    );
    const ordered = [...lineRows.filter((l) => l.parent_line_id === null), ...lineRows.filter((l) => l.parent_line_id !== null)];
    const lineParams = ordered.flatMap((l) => [
      l.id,
      l.order_id,
      l.parent_line_id,
      l.position,
      l.line_number,
      l.status,
      l.sku,
      l.quantity,
      l.uom,
      l.unit_price,
      JSON.stringify(l.detail),
    ]);
    const ids: Record<string, string> = { order: orderId, ref: externalRef, key, time: now.toISOString() };
    lineRows.forEach((line, position) => {
      ids[`line${position}`] = line.id;
    });
    const response = respond(ids);
    const digest = sha256(body);

    const started = scheduledAt ?? performance.now();
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(
        `insert into orders (id, partner_id, channel, external_ref, order_type, status, order_date, currency, header, totals, extras, version, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [
          orderRow.id,
          orderRow.partner_id,
          orderRow.channel,
          orderRow.external_ref,
          orderRow.order_type,
          orderRow.status,
          orderRow.order_date,
          orderRow.currency,
          JSON.stringify(orderRow.header),
          JSON.stringify(orderRow.totals),
          JSON.stringify(orderRow.extras),
          orderRow.version,
          orderRow.created_at,
          orderRow.updated_at,
        ],
      );
      await client.query(insertLines, lineParams);
      await client.query(
        'insert into order_events (order_id, from_status, to_status, cause, actor, detail) values ($1, $2, $3, $4, $5, $6)',
        [orderId, null, 'received', 'api.received', `partner:${spec.partnerId}`, JSON.stringify({ lines: order.lines.length })],
      );
      const documentId = randomUUID();
      await client.query(
        'insert into documents (id, partner_id, order_id, direction, channel, type, content_type, body, sha256, control) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        [
          documentId,
          spec.partnerId,
          orderId,
          'inbound',
          'api',
          'order.json',
          'application/json',
          body,
          digest,
          JSON.stringify({ api: key }),
        ],
      );
      // Decomposition: the tasks, the order decomposed with its event, one request per ready vendor task.
      const taskIds = plannedTasks.map(() => randomUUID());
      await client.query(
        insertTasks,
        plannedTasks.flatMap((task, position) => [
          taskIds[position],
          orderId,
          task.key,
          position,
          lineIds.get(task.lineNumber) ?? null,
          task.lineNumber,
          task.bundleLineNumber ?? null,
          task.type,
          task.vendor ?? null,
          task.person,
          JSON.stringify(task.dependsOn),
          task.slaMinutes,
          new Date(now.getTime() + task.slaMinutes * 60_000),
          initialTaskStatus(task),
        ]),
      );
      await client.query(`update orders set status = 'decomposed', updated_at = clock_timestamp(), version = version + 1 where id = $1`, [
        orderId,
      ]);
      await client.query(
        'insert into order_events (order_id, from_status, to_status, cause, actor, detail) values ($1, $2, $3, $4, $5, $6)',
        [orderId, 'received', 'decomposed', 'order.decomposed', 'gateway', JSON.stringify({ tasks: plannedTasks.length })],
      );
      // The same messages: partner events wait for the webhook worker; requests carry their vendor
      // and task, with the full request body, and are marked as nothing the worker wants.
      const stored = rowsToOrder(orderRow, lineRows);
      const messages: unknown[][] = [
        [
          randomUUID(),
          'order.received.v1',
          orderId,
          'gateway.orders',
          '{}',
          JSON.stringify({ orderId, partnerId: spec.partnerId, channel: 'api', externalRef }),
          null,
          null,
          null,
        ],
        ...plannedTasks.flatMap((task, index) => {
          if (task.vendor === undefined || initialTaskStatus(task) !== 'ready') return [];
          const request = fulfillmentRequest(stored, {
            id: taskIds[index] as string,
            key: task.key,
            type: task.type,
            vendorId: task.vendor,
            lineNumber: task.lineNumber,
            bundleLineNumber: task.bundleLineNumber ?? null,
            dueAt: new Date(now.getTime() + task.slaMinutes * 60_000).toISOString(),
          });
          return [
            [
              randomUUID(),
              'fulfillment.request.v1',
              orderId,
              vendorDestination(task.vendor, task.type),
              '{}',
              JSON.stringify(request),
              task.vendor,
              taskIds[index],
              now,
            ],
          ];
        }),
        [
          randomUUID(),
          'document.stored.v1',
          orderId,
          'gateway.documents',
          '{}',
          JSON.stringify({ documentId, partnerId: spec.partnerId, orderId, direction: 'inbound', channel: 'api', type: 'order.json' }),
          null,
          null,
          null,
        ],
      ];
      await client.query(
        `insert into outbox (message_id, type, correlation_id, destination, headers, payload, vendor_id, task_id, webhooks_fanned_out_at) values ${messages.map((_, row) => `(${[1, 2, 3, 4, 5, 6, 7, 8, 9].map((c) => `$${row * 9 + c}`).join(', ')})`).join(', ')}`,
        messages.flat(),
      );
      // Written once with its final answer (the gateway claims it first and completes it later).
      await client.query(
        'insert into idempotency_records (partner_id, scope, key, request_hash, response_status, response_body, order_id) values ($1, $2, $3, $4, $5, $6, $7)',
        [spec.partnerId, 'api', key, digest, 201, response, orderId],
      );
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    latencies.push(performance.now() - started);
  };

  try {
    // A short warm-up: connections opened, caches primed.
    await Promise.all(Array.from({ length: spec.poolSize }, () => storeOne()));
    latencies.length = 0;
    const started = performance.now();
    const deadline = started + spec.durationS * 1000;
    if (spec.rate === undefined) {
      await Promise.all(
        Array.from({ length: spec.poolSize }, async () => {
          while (performance.now() < deadline) await storeOne();
        }),
      );
    } else {
      const pending: Promise<void>[] = [];
      for (let due = started; due < deadline; due += 1000 / spec.rate) {
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        pending.push(storeOne(due));
      }
      await Promise.all(pending);
    }
    const seconds = spec.rate === undefined ? (performance.now() - started) / 1000 : spec.durationS;
    return { ordersPerSecond: latencies.length / seconds, orders: latencies.length, latency: summarize(latencies) };
  } finally {
    await pool.end();
  }
}
