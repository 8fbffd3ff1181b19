import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { StoredOrder } from '../../domain/order.ts';
import type { IdempotencyRecord, NewOrder, PlannedOrder } from '../../pipeline/ports.ts';
import { lineToRow, orderToRow, rowsToOrder, type LineRow } from './order-rows.ts';
import { keyText, recordOf, recordsOf } from './intake-batches.ts';
import { moveOrders } from './status-change.ts';

// Orders, their plans and their idempotency claims written many at a time: one statement for a
// batch of any size (an interchange stores its sets 500 at a time), each kind of row bound as one
// JSON parameter, so the parameters never grow with the rows (PostgreSQL takes at most 65,535).

/**
 * How many of the partner's earlier orders under the same reference the first event names (the
 * oldest); it counts them all. A partner that reuses one reference for every order would otherwise
 * make each new order's history, and every answer that shows it, longer than the last.
 */
const possibleDuplicatesNamed = 10;

/**
 * Orders, lines and first events in one statement; foreign keys are checked at its end, when all
 * are there. The earlier orders under a reused reference are those stored before the statement
 * (its snapshot does not see the new ones) and those before it in the same batch.
 */
const insertOrdersSql = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset(?::jsonb) AS o(n integer, id text, partner_id text, channel text, external_ref text, order_type text,
    order_date text, currency text, header jsonb, totals jsonb, extras jsonb, at timestamptz, cause text, actor text, detail jsonb, flag boolean)
), new_orders AS (
  INSERT INTO orders (id, partner_id, channel, external_ref, order_type, status, order_date, currency, header, totals, extras, version, created_at, updated_at)
  SELECT id, partner_id, channel, external_ref, order_type, 'received', order_date, currency, header, totals, extras, 1, at, at FROM input ORDER BY n
), new_lines AS (
  INSERT INTO order_lines (id, order_id, parent_line_id, position, line_number, status, sku, quantity, uom, unit_price, detail)
  SELECT id, order_id, parent_line_id, position, line_number, status, sku, quantity, uom, unit_price, detail
  FROM jsonb_to_recordset(?::jsonb) AS l(id text, order_id text, parent_line_id text, position integer, line_number text, status text, sku text, quantity numeric, uom text, unit_price numeric, detail jsonb)
)
INSERT INTO order_events (order_id, from_status, to_status, cause, actor, detail)
SELECT i.id, NULL, 'received', i.cause, i.actor, i.detail || CASE WHEN i.flag THEN COALESCE(
  (SELECT jsonb_build_object('possibleDuplicateOf', jsonb_agg(first_ones.id ORDER BY first_ones.at, first_ones.n), 'possibleDuplicates', max(first_ones.earlier))
   FROM (
     SELECT earlier_ones.id, earlier_ones.at, earlier_ones.n, count(*) OVER () AS earlier FROM (
       SELECT o.id, o.created_at AS at, 0 AS n FROM orders o WHERE o.partner_id = i.partner_id AND o.external_ref = i.external_ref
       UNION ALL
       SELECT b.id, b.at, b.n FROM input b WHERE b.partner_id = i.partner_id AND b.external_ref = i.external_ref AND b.n < i.n
     ) earlier_ones ORDER BY earlier_ones.at, earlier_ones.n LIMIT ${possibleDuplicatesNamed}
   ) first_ones HAVING count(*) > 0),
  '{}'::jsonb) ELSE '{}'::jsonb END
FROM input i ORDER BY i.n`;

export async function insertOrders(trx: Knex.Transaction, orders: readonly NewOrder[]): Promise<StoredOrder[]> {
  if (orders.length === 0) return [];
  const inputs: Record<string, unknown>[] = [];
  const lines: LineRow[] = [];
  const stored: StoredOrder[] = [];
  orders.forEach(({ id = randomUUID(), partnerId, order, actor, cause, eventDetail, flagReusedRef }, n) => {
    const now = new Date();
    const orderRow = orderToRow(id, partnerId, order, 'received', now);
    const lineIds = new Map(order.lines.map((line) => [line.lineNumber, randomUUID()]));
    const lineRows = order.lines.map((line, position) =>
      lineToRow(
        lineIds.get(line.lineNumber) as string,
        id,
        position,
        line,
        line.parentLineNumber === undefined ? null : (lineIds.get(line.parentLineNumber) ?? null),
      ),
    );
    for (const row of lineRows) lines.push(row);
    inputs.push({
      n,
      id,
      partner_id: partnerId,
      channel: orderRow.channel,
      external_ref: orderRow.external_ref,
      order_type: orderRow.order_type,
      order_date: orderRow.order_date,
      currency: orderRow.currency,
      header: orderRow.header,
      totals: orderRow.totals,
      extras: orderRow.extras,
      at: now.toISOString(),
      cause,
      actor,
      detail: { lines: order.lines.length, ...eventDetail },
      flag: flagReusedRef === true,
    });
    stored.push(rowsToOrder(orderRow, lineRows));
  });
  await trx.raw(insertOrdersSql, [JSON.stringify(inputs), JSON.stringify(lines)]);
  return stored;
}

const insertTasksSql = `
INSERT INTO tasks (id, order_id, task_key, position, line_id, line_number, bundle_line_number, type, vendor_id, person, depends_on, sla_minutes, due_at, status, role)
SELECT id, order_id, task_key, position, line_id, line_number, bundle_line_number, type, vendor_id, person, depends_on, sla_minutes, due_at, status, role
FROM jsonb_to_recordset(?::jsonb) AS t(id text, order_id text, task_key text, position integer, line_id text, line_number text,
  bundle_line_number text, type text, vendor_id text, person boolean, depends_on jsonb, sla_minutes integer, due_at timestamptz, status text, role text)`;

/** Each order's tasks with its move (received → decomposed, say) and the move's event: one statement for them all. */
export async function storePlans(trx: Knex.Transaction, plans: readonly PlannedOrder[]): Promise<{ ids: string[]; updatedAt: string }[]> {
  if (plans.length === 0) return [];
  const tasks: Record<string, unknown>[] = [];
  const ids = plans.map(({ orderId, tasks: planned }) =>
    planned.map((task, position) => {
      const id = randomUUID();
      tasks.push({
        id,
        order_id: orderId,
        task_key: task.key,
        position,
        line_id: task.lineId ?? null,
        line_number: task.lineNumber,
        bundle_line_number: task.bundleLineNumber ?? null,
        type: task.type,
        vendor_id: task.vendorId ?? null,
        person: task.person,
        depends_on: task.dependsOn,
        sla_minutes: task.slaMinutes,
        due_at: task.dueAt.toISOString(),
        status: task.status,
        role: task.role ?? null,
      });
      return id;
    }),
  );
  const moved = await moveOrders(
    trx,
    plans.map(({ orderId, change }) => ({ orderId, ...change })),
    // One parameter for all the tasks: an order of 5,000 lines has more tasks than a statement has parameters.
    tasks.length === 0 ? [] : [trx.raw(insertTasksSql, [JSON.stringify(tasks)])],
  );
  return moved.map(({ updatedAt }, index) => ({ ids: ids[index] as string[], updatedAt }));
}

type Claim = {
  partnerId: string;
  scope: string;
  key: string;
  requestHash: string;
  answer: { status: number; body: unknown; orderId: string | null };
};

const claimSql = `
INSERT INTO idempotency_records (partner_id, scope, key, request_hash, response_status, response_body, order_id)
SELECT partner_id, scope, key, request_hash, response_status, response_body, order_id
FROM jsonb_to_recordset(?::jsonb) AS c(n integer, partner_id text, scope text, key text, request_hash text, response_status integer, response_body jsonb, order_id text)
ORDER BY n
ON CONFLICT (partner_id, scope, key) DO NOTHING
RETURNING partner_id, scope, key`;

/**
 * Many keys of any partners claimed, each with its answer, in one statement (a concurrent holder of
 * one of them makes it wait until that one commits or rolls back); for a key taken before, its
 * record. A key twice in `claims` is taken by the first.
 */
export async function claimIdempotencyKeys(trx: Knex.Transaction, claims: readonly Claim[]): Promise<(IdempotencyRecord | 'claimed')[]> {
  if (claims.length === 0) return [];
  const rows = claims.map(({ partnerId, scope, key, requestHash, answer }, n) => ({
    n,
    partner_id: partnerId,
    scope,
    key,
    request_hash: requestHash,
    response_status: answer.status,
    response_body: answer.body,
    order_id: answer.orderId,
  }));
  const result = await trx.raw(claimSql, [JSON.stringify(rows)]);
  const taken = new Set(
    (result.rows as { partner_id: string; scope: string; key: string }[]).map((row) =>
      keyText({ partnerId: row.partner_id, scope: row.scope, key: row.key }),
    ),
  );
  const outcomes: (IdempotencyRecord | 'claimed' | undefined)[] = claims.map((claim) =>
    taken.delete(keyText(claim)) ? 'claimed' : undefined,
  );
  const records = await recordsOf(
    trx,
    claims.filter((_claim, index) => outcomes[index] === undefined),
  );
  return claims.map((claim, index) => outcomes[index] ?? recordOf(records, claim));
}
