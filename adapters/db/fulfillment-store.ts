import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { LineAck } from '../../domain/acknowledgment.ts';
import type { Effects, FulfillmentState, LineState, TaskState } from '../../domain/fulfillment-progress.ts';
import type { LineStatus } from '../../domain/line-status.ts';
import type { StoredOrder } from '../../domain/order.ts';
import type { Shipment } from '../../domain/shipment.ts';
import type { TaskStatus } from '../../domain/task-status.ts';
import type { InboxEntry, PartnerChannels } from '../../pipeline/ports.ts';
import { rowsToOrder, type LineRow, type OrderRow } from './order-rows.ts';
import { getCxmlChannel, getPartnerX12 } from './partner-identities.ts';
import { moveOrder } from './status-change.ts';

// The StoreTransaction's fulfillment side (pipeline/fulfillment.ts): the inbox, the order read
// under lock with its tasks, and the writes a reply's effects make.

export interface TaskRow {
  id: string;
  order_id: string;
  task_key: string;
  line_id: string | null;
  line_number: string;
  bundle_line_number: string | null;
  type: string;
  vendor_id: string | null;
  person: boolean;
  depends_on: string[];
  due_at: Date | string;
  status: TaskStatus;
  retries: number;
  role: string | null;
}

export const taskState = (row: TaskRow): TaskState => ({
  id: row.id,
  key: row.task_key,
  type: row.type,
  vendorId: row.vendor_id,
  person: row.person,
  dependsOn: row.depends_on,
  lineNumber: row.line_number,
  bundleLineNumber: row.bundle_line_number,
  status: row.status,
  dueAt: new Date(row.due_at).toISOString(),
  retries: row.retries,
  role: row.role,
});

interface ShipmentRow {
  task_id: string;
  vendor_id: string;
  vendor_shipment_id: string;
  reported: boolean;
  body: Shipment;
}

type LineStateRow = LineRow & { shipped_quantity: string | number; ack: LineAck[] | null };

export async function recordInbox(
  trx: Knex.Transaction,
  entry: InboxEntry,
  outcome: string,
  detail: Record<string, unknown>,
): Promise<boolean> {
  const inserted = await trx('inbox')
    .insert({
      vendor_id: entry.vendorId,
      message_id: entry.messageId,
      type: entry.type,
      task_id: entry.taskId ?? null,
      order_id: entry.orderId ?? null,
      outcome,
      detail: JSON.stringify(detail),
    })
    .onConflict(['vendor_id', 'message_id'])
    .ignore()
    .returning('message_id');
  return inserted.length > 0;
}

export async function lockFulfillment(trx: Knex.Transaction, taskId: string): Promise<FulfillmentState | undefined> {
  const task = await trx('tasks').where({ id: taskId }).first('order_id');
  if (task === undefined) return undefined;
  const order = await trx<OrderRow>('orders').where({ id: task.order_id }).forUpdate().first();
  if (order === undefined) return undefined;
  // One after another: a transaction is one connection, which runs one query at a time.
  const lines = await trx<LineStateRow>('order_lines').where({ order_id: order.id }).orderBy('position');
  const tasks = await trx<TaskRow>('tasks').where({ order_id: order.id }).orderBy('position');
  const shipments = await trx('shipments')
    .where({ order_id: order.id })
    .orderBy('created_at')
    .select('task_id', 'vendor_id', 'vendor_shipment_id', 'reported', 'body');
  // Ship tasks' completions waiting for their shipments (inbox_held: only the held rows are indexed).
  const held: string[] = await trx('inbox').where({ order_id: order.id, outcome: 'held' }).pluck('task_id');
  return {
    order: rowsToOrder(order, lines),
    tasks: tasks.map(taskState),
    lines: new Map(
      lines.map((line): [string, LineState] => [
        line.line_number,
        {
          status: line.status as LineStatus,
          shippedQuantity: Number(line.shipped_quantity),
          ...(line.ack === null ? {} : { acks: line.ack }),
        },
      ]),
    ),
    shipments: new Set(shipments.map((row: ShipmentRow) => `${row.vendor_id}:${row.vendor_shipment_id}:${row.task_id}`)),
    heldShipments: shipments.filter((row: ShipmentRow) => !row.reported).map((row: ShipmentRow) => row.body),
    heldCompletions: new Set(held),
  };
}

export async function applyFulfillment(trx: Knex.Transaction, order: StoredOrder, effects: Effects, actor: string): Promise<void> {
  for (const [id, status] of effects.tasks) {
    await trx('tasks')
      .where({ id })
      .update({ status, updated_at: trx.fn.now(), ...(effects.resend?.task.id === id ? { retries: trx.raw('retries + 1') } : {}) });
  }
  for (const [lineNumber, line] of effects.lines) {
    await trx('order_lines')
      .where({ order_id: order.id, line_number: lineNumber })
      .update({
        status: line.status,
        shipped_quantity: line.shippedQuantity,
        ack: line.acks === undefined ? null : JSON.stringify(line.acks),
      });
  }
  if (effects.shipment !== undefined) {
    const { taskId, vendorId, reported, ...body } = effects.shipment;
    await trx('shipments').insert({
      id: randomUUID(),
      order_id: order.id,
      task_id: taskId,
      vendor_id: vendorId,
      vendor_shipment_id: body.shipmentId,
      body: JSON.stringify(body),
      reported,
    });
  }
  if (effects.reported.length > 0)
    await trx('shipments')
      .where({ order_id: order.id, reported: false })
      .whereIn('vendor_shipment_id', effects.reported)
      .update({ reported: true });
  // A held completion is applied once: its row leaves 'held' under the order's lock, in the
  // transaction of the shipment that applies it.
  if (effects.released.length > 0)
    await trx('inbox')
      .where({ order_id: order.id, outcome: 'held' })
      .whereIn('task_id', effects.released)
      .update({ outcome: 'applied', detail: trx.raw(`detail || jsonb_build_object('heldUntil', clock_timestamp())`) });
  for (const step of effects.orderSteps) {
    await moveOrder(trx, order.id, step.from, step.to, step.cause, actor, step.detail);
  }
  if (effects.note !== undefined) {
    const status = effects.orderSteps.at(-1)?.to ?? order.status;
    await trx('order_events').insert({
      order_id: order.id,
      from_status: status,
      to_status: status,
      cause: effects.note.cause,
      actor,
      detail: JSON.stringify(effects.note.detail),
    });
  }
  // Anything that changed the order shows in its updated_at, so a poller sees it.
  if (effects.orderSteps.length === 0)
    await trx('orders')
      .where({ id: order.id })
      .update({ updated_at: trx.raw('greatest(clock_timestamp(), created_at)') });
}

export async function partnerChannels(trx: Knex.Transaction, partnerId: string): Promise<PartnerChannels> {
  const x12 = await getPartnerX12(trx, partnerId);
  const cxml = await getCxmlChannel(trx, partnerId);
  return { ...(x12 === undefined ? {} : { x12 }), ...(cxml === undefined ? {} : { cxml }) };
}
