import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { isPartnerEvent } from '../../domain/partner-events.ts';
import type { OutboxMessage } from '../../pipeline/ports.ts';

// Outbox rows as one JSON parameter: an order of 5,000 lines enqueues thousands of requests, an
// interchange of 100,000 orders hundreds of thousands of messages, and a row per bound parameter
// set would pass PostgreSQL's 65,535 parameters per statement. One parameter holds any number.

/** An outbox row as jsonb_to_recordset reads it. */
export interface OutboxJson {
  message_id: string;
  type: string;
  correlation_id: string;
  destination: string;
  headers: unknown;
  payload: unknown;
  vendor_id: string | null;
  task_id: string | null;
  next_attempt_at: string | null;
  /**
   * Whose subscriptions the webhook worker may owe this message to: null for a message no partner
   * can subscribe to (marked fanned out as it is written, so the worker never reads it), '' for a
   * partner event of no partner (left to the worker), else the partner, whose message is marked
   * when it has no subscriptions (one that subscribes later gets the events written after it did).
   */
  fan_out_to: string | null;
}

export function outboxJson(message: OutboxMessage): OutboxJson {
  const partnerId = (message.payload as { partnerId?: unknown } | null)?.partnerId;
  return {
    message_id: randomUUID(),
    type: message.type,
    correlation_id: message.correlationId,
    destination: message.destination,
    headers: message.headers ?? {},
    payload: message.payload,
    vendor_id: message.vendorId ?? null,
    task_id: message.taskId ?? null,
    next_attempt_at: message.notBefore === undefined ? null : message.notBefore.toISOString(),
    fan_out_to: !isPartnerEvent(message.type) ? null : typeof partnerId === 'string' ? partnerId : '',
  };
}

/** Rows in the order given (the ids follow it); its one parameter is the rows as a JSON array. */
export const insertOutboxSql = `
INSERT INTO outbox (message_id, type, correlation_id, destination, headers, payload, vendor_id, task_id, next_attempt_at, webhooks_fanned_out_at)
SELECT m.message_id, m.type, m.correlation_id, m.destination, m.headers, m.payload, m.vendor_id, m.task_id, coalesce(m.next_attempt_at, now()),
  CASE
    WHEN m.fan_out_to IS NULL THEN now()
    WHEN m.fan_out_to = '' OR EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.partner_id = m.fan_out_to) THEN NULL
    ELSE now()
  END
FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS r(row, n),
  LATERAL jsonb_to_record(r.row) AS m(message_id text, type text, correlation_id text, destination text, headers jsonb, payload jsonb,
    vendor_id text, task_id text, next_attempt_at timestamptz, fan_out_to text)
ORDER BY r.n`;

/** The insert of `rows`, one parameter whatever their number: a statement of its own, or one part of a larger one. */
export const insertOutboxRows = (trx: Knex.Transaction, rows: readonly OutboxJson[]): Knex.Raw =>
  trx.raw(insertOutboxSql, [JSON.stringify(rows)]);
