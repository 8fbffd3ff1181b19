import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { OrderStore, StoreTransaction } from '../../pipeline/ports.ts';
import type { Database } from './connect.ts';
import { lineToRow, orderToRow, rowsToOrder } from './order-rows.ts';

function transactionOn(trx: Knex.Transaction): StoreTransaction {
  return {
    async claimIdempotencyKey(partnerId, scope, key, requestHash) {
      // A concurrent holder of the same key blocks this insert until it commits or rolls back.
      const inserted = await trx('idempotency_records')
        .insert({ partner_id: partnerId, scope, key, request_hash: requestHash, response_status: 0, response_body: JSON.stringify(null) })
        .onConflict(['partner_id', 'scope', 'key'])
        .ignore()
        .returning('key');
      if (inserted.length > 0) return 'claimed';
      const row = await trx('idempotency_records').where({ partner_id: partnerId, scope, key }).first();
      if (row === undefined) throw new Error(`idempotency record ${scope}/${key} vanished while claiming it`);
      return { requestHash: row.request_hash, responseStatus: row.response_status, responseBody: row.response_body, orderId: row.order_id };
    },

    async completeIdempotencyKey(partnerId, scope, key, response) {
      await trx('idempotency_records')
        .where({ partner_id: partnerId, scope, key })
        .update({ response_status: response.status, response_body: JSON.stringify(response.body), order_id: response.orderId });
    },

    async insertOrder({ partnerId, order, actor, cause, eventDetail }) {
      const id = randomUUID();
      const now = new Date();
      const orderRow = orderToRow(id, partnerId, order, 'received', now);
      await trx('orders').insert({ ...orderRow, header: JSON.stringify(orderRow.header), totals: JSON.stringify(orderRow.totals), extras: JSON.stringify(orderRow.extras) });
      const lineIds = new Map(order.lines.map((line) => [line.lineNumber, randomUUID()]));
      const lineRows = order.lines.map((line, position) =>
        lineToRow(lineIds.get(line.lineNumber) as string, id, position, line, line.parentLineNumber === undefined ? null : (lineIds.get(line.parentLineNumber) ?? null)),
      );
      // Parents first: a component's foreign key needs its parent row.
      const ordered = [...lineRows.filter((l) => l.parent_line_id === null), ...lineRows.filter((l) => l.parent_line_id !== null)];
      await trx('order_lines').insert(ordered.map((l) => ({ ...l, detail: JSON.stringify(l.detail) })));
      await trx('order_events').insert({ order_id: id, from_status: null, to_status: 'received', cause, actor, detail: JSON.stringify({ lines: order.lines.length, ...eventDetail }) });
      return rowsToOrder(orderRow, lineRows);
    },

    async insertDocument(partnerId, orderId, document) {
      const id = randomUUID();
      await trx('documents').insert({
        id,
        partner_id: partnerId,
        order_id: orderId,
        direction: document.direction ?? 'inbound',
        channel: document.channel,
        type: document.type,
        content_type: document.contentType,
        body: Buffer.from(document.body),
        sha256: document.sha256,
        control: JSON.stringify(document.control),
        ...(document.findings === undefined ? {} : { findings: JSON.stringify(document.findings) }),
        ...(document.deliveryState === undefined ? {} : { delivery_state: document.deliveryState }),
      });
      // Every document, in or out, is announced once, in the transaction that stores it.
      await this.enqueue({
        type: 'document.stored.v1',
        correlationId: orderId ?? id,
        destination: 'gateway.documents',
        payload: { documentId: id, partnerId, orderId, direction: document.direction ?? 'inbound', channel: document.channel, type: document.type },
      });
      return id;
    },

    async enqueue(message) {
      await trx('outbox').insert({
        message_id: randomUUID(),
        type: message.type,
        correlation_id: message.correlationId,
        destination: message.destination,
        headers: JSON.stringify(message.headers ?? {}),
        payload: JSON.stringify(message.payload),
      });
    },

    async nextControlNumbers(partnerId, kind, count) {
      await trx('control_numbers').insert({ partner_id: partnerId, kind, last: 0 }).onConflict(['partner_id', 'kind']).ignore();
      const [row] = await trx('control_numbers').where({ partner_id: partnerId, kind }).increment('last', count).returning('last');
      return Number(row.last) - count + 1;
    },

    async recordDelivery(documentId, delivery) {
      await trx('documents')
        .where({ id: documentId })
        .update({
          delivery_state: delivery.state,
          delivery_attempts: trx.raw('delivery_attempts + ?', [delivery.attempts]),
          last_delivery_error: delivery.error ?? null,
          ...(delivery.answer === undefined ? {} : { control: trx.raw('control || ?::jsonb', [JSON.stringify(delivery.answer)]) }),
        });
    },

    async findOrderIdsByExternalRef(partnerId, externalRef) {
      return trx('orders').where({ partner_id: partnerId, external_ref: externalRef }).orderBy('created_at').pluck('id');
    },
  };
}

export function orderStore(db: Database): OrderStore {
  return { transaction: (work) => db.transaction((trx) => work(transactionOn(trx))) };
}
