import { approvalStore } from './approval-store.ts';
import { deadlineStore } from './deadlines.ts';
import { noteOrderEvent } from './order-events.ts';
import { workItemTransaction } from './work-items.ts';
import type { Knex } from 'knex';
import pRetry from 'p-retry';
import type { StoredOrder } from '../../domain/order.ts';
import type { IdempotencyRecord, Isolated, OrderStore, StoreTransaction } from '../../pipeline/ports.ts';
import { isDatabaseUnavailable, isTransientConflict } from './availability.ts';
import type { Database } from './connect.ts';
import { applyFulfillment, lockFulfillment, partnerChannels, recordInbox } from './fulfillment-store.ts';
import { acknowledgedDocuments, markAcknowledgmentsOverdue, recordAcknowledgment } from './document-acks.ts';
import { partnerItems, putItemReferences } from './item-references.ts';
import { approvalFacts, partnerTotalMismatch } from './approval-facts.ts';
import { endWork, openWork } from './open-work.ts';
import { claimIdempotencyKeys, insertOrders, storePlans } from './order-batches.ts';
import { rowsToOrder, type LineRow, type OrderRow } from './order-rows.ts';
import { insertOutboxRows, outboxJson, type OutboxJson } from './outbox-rows.ts';
import { claimWithDocuments, storeAnswers, takeControlNumbers } from './intake-batches.ts';
import { moveOrder } from './status-change.ts';
import { insertNoticeBatch } from './notifications.ts';
import { claimLateVendorTasks } from './vendor-jeopardy.ts';

/** Messages enqueued in one transaction wait in memory up to this many, then go in with one insert. */
const outboxBatch = 1_000;

async function insertOutbox(trx: Knex.Transaction, rows: OutboxJson[]): Promise<void> {
  if (rows.length > 0) await insertOutboxRows(trx, rows);
}

/** Outbox messages wait in memory until the work is done, then go in with one insert before commit. */
function transactionOn(trx: Knex.Transaction, outbox: OutboxJson[]): StoreTransaction {
  return {
    ...approvalStore(trx),
    ...workItemTransaction(trx),
    ...deadlineStore(trx),
    async claimIdempotencyKey(partnerId, scope, key, requestHash, answer) {
      // A concurrent holder of the same key blocks this insert until it commits or rolls back.
      const response =
        answer === undefined
          ? { response_status: 0, response_body: JSON.stringify(null) }
          : { response_status: answer.status, response_body: JSON.stringify(answer.body), order_id: answer.orderId };
      const inserted = await trx('idempotency_records')
        .insert({ partner_id: partnerId, scope, key, request_hash: requestHash, ...response })
        .onConflict(['partner_id', 'scope', 'key'])
        .ignore()
        .returning('key');
      if (inserted.length > 0) return 'claimed';
      const row = await trx('idempotency_records').where({ partner_id: partnerId, scope, key }).first();
      if (row === undefined) throw new Error(`idempotency record ${scope}/${key} vanished while claiming it`);
      return { requestHash: row.request_hash, responseStatus: row.response_status, responseBody: row.response_body, orderId: row.order_id };
    },

    async claimWithDocument(partnerId, scope, key, requestHash, document) {
      const [claim] = await claimWithDocuments(trx, outbox, [{ partnerId, scope, key, requestHash, document }]);
      return claim as IdempotencyRecord | { documentId: string };
    },

    claimWithDocuments: (claims) => claimWithDocuments(trx, outbox, claims),

    async completeIdempotencyKey(partnerId, scope, key, response) {
      await trx('idempotency_records')
        .where({ partner_id: partnerId, scope, key })
        .update({ response_status: response.status, response_body: JSON.stringify(response.body), order_id: response.orderId });
    },

    insertOrders: (orders) => insertOrders(trx, orders),
    claimIdempotencyKeys: (claims) => claimIdempotencyKeys(trx, claims),

    async insertDocument(partnerId, orderId, document) {
      const [id] = await storeAnswers(trx, outbox, [{ partnerId, orderId, document }]);
      return id as string;
    },

    async storeAnswer(partnerId, document, idempotency) {
      const [id] = await storeAnswers(trx, outbox, [
        idempotency === undefined ? { partnerId, document } : { partnerId, document, idempotency },
      ]);
      return id as string;
    },

    storeAnswers: (answers) => storeAnswers(trx, outbox, answers),

    async enqueue(message) {
      outbox.push(outboxJson(message));
      // An interchange of many orders enqueues without end: written as it goes, a batch at a time.
      if (outbox.length >= outboxBatch) await insertOutbox(trx, outbox.splice(0));
    },

    async takeControlNumbers(partnerId, counts) {
      const [first] = await takeControlNumbers(trx, [{ partnerId, counts }]);
      return first as Record<string, number>;
    },

    takeControlNumbersFor: (asks) => takeControlNumbers(trx, asks),

    async takeSsccSerials(extensionDigit, companyPrefix, count) {
      // Serials start at 1: serial 0 is left out, so that no assigned SSCC is all zeros after the prefix.
      const result = await trx.raw(
        `INSERT INTO sscc_serials (extension_digit, company_prefix, last) VALUES (?, ?, ?)
         ON CONFLICT (extension_digit, company_prefix) DO UPDATE SET last = sscc_serials.last + EXCLUDED.last
         RETURNING last`,
        [extensionDigit, companyPrefix, count],
      );
      return Number((result.rows as { last: string | number }[])[0]?.last) - count + 1;
    },

    async nextInvoiceNumber() {
      const result = await trx.raw(`SELECT nextval('invoice_numbers') AS n`);
      return String((result.rows as { n: string | number }[])[0]?.n);
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

    storePlans: (plans) => storePlans(trx, plans),

    async lockOrder(orderId, partnerId) {
      const query = trx<OrderRow>('orders').where({ id: orderId }).forUpdate();
      if (partnerId !== null) query.andWhere({ partner_id: partnerId });
      const row = await query.first();
      return row === undefined
        ? undefined
        : rowsToOrder(row, await trx<LineRow>('order_lines').where({ order_id: orderId }).orderBy('position'));
    },

    changeStatus: (orderId, from, to, cause, actor, detail) => moveOrder(trx, orderId, from, to, cause, actor, detail),

    recordInbox: (entry, outcome, detail) => recordInbox(trx, entry, outcome, detail),
    lockFulfillment: (taskId) => lockFulfillment(trx, taskId),
    applyFulfillment: (order, effects, actor) => applyFulfillment(trx, order, effects, actor),
    partnerChannels: (partnerId) => partnerChannels(trx, partnerId),
    openWork: (orderId) => openWork(trx, orderId),
    acknowledgedDocuments: (partnerId, target) => acknowledgedDocuments(trx, partnerId, target),
    recordAcknowledgment: (documentId, state, detail) => recordAcknowledgment(trx, documentId, state, detail),
    markAcknowledgmentsOverdue: (now, limit) => markAcknowledgmentsOverdue(trx, now, limit),
    claimLateVendorTasks: (step, now, limit) => claimLateVendorTasks(trx, step, now, limit),
    endWork: (ending) => endWork(trx, ending),
    partnerItems: (partnerId, values) => partnerItems(trx, partnerId, values),
    putItemReferences: (partnerId, references) => putItemReferences(trx, partnerId, references),
    approvalFacts: (partnerId, skus, currency, options) => approvalFacts(trx, partnerId, skus, currency, options),
    totalMismatchSetting: (partnerId) => partnerTotalMismatch(trx, partnerId),

    async unresolvedItemsPolicy(partnerId) {
      const row: { policy: string | null } | undefined = await trx('partners')
        .where({ id: partnerId })
        .first(trx.raw(`settings->>'unresolvedItems' AS policy`));
      return row?.policy === 'reject' ? 'reject' : 'hold';
    },

    async lockHeldOrders(partnerId, limit) {
      const ids: string[] = await trx('orders')
        .where({ partner_id: partnerId, status: 'held' })
        .orderBy('created_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .pluck('id');
      const orders: StoredOrder[] = [];
      for (const id of ids) {
        const order = await this.lockOrder(id, partnerId);
        if (order !== undefined) orders.push(order);
      }
      return orders;
    },

    // One statement each, whatever the number of lines.
    async setLineSkus(orderId, items) {
      if (items.length === 0) return;
      await trx.raw(
        `UPDATE order_lines l SET sku = i.sku
         FROM jsonb_to_recordset(?::jsonb) AS i(line_number text, sku text)
         WHERE l.order_id = ? AND l.line_number = i.line_number`,
        [JSON.stringify(items.map(({ lineNumber, sku }) => ({ line_number: lineNumber, sku }))), orderId],
      );
    },

    async rejectLines(orderId, acks) {
      if (acks.length === 0) return;
      await trx.raw(
        `UPDATE order_lines l SET status = 'rejected', ack = jsonb_build_array(a.ack)
         FROM jsonb_to_recordset(?::jsonb) AS a(line_number text, ack jsonb)
         WHERE l.order_id = ? AND l.line_number = a.line_number AND l.status = 'open'`,
        [JSON.stringify(acks.map((ack) => ({ line_number: ack.lineNumber, ack }))), orderId],
      );
    },

    async settleRequests(taskId) {
      // Rows a dispatcher holds right now are skipped, not waited for: it holds them while it waits
      // on this task's row, which this transaction has locked (a deadlock otherwise). It marks them sent itself.
      await trx.raw(
        `UPDATE outbox SET state = 'sent', sent_at = now() WHERE id IN (SELECT id FROM outbox WHERE task_id = ? AND state = 'pending' AND attempts > 0 FOR UPDATE SKIP LOCKED)`,
        [taskId],
      );
    },

    async acknowledgmentNotWritten(orderId) {
      const row = await trx('order_events')
        .where({ order_id: orderId, cause: 'answer.not-written' })
        .whereRaw(`detail->>'answer' = 'acknowledgment'`)
        .first(trx.raw('1 AS found'));
      return row !== undefined;
    },

    async noteEvent(orderId, cause, actor, detail) {
      await noteOrderEvent(trx, orderId, cause, actor, detail);
    },

    async queueNotices(batch) {
      await insertNoticeBatch(trx, batch);
    },
  };
}

/** Attempts of one transaction that the database rolled back to break a deadlock or a serialization conflict. */
const conflictAttempts = 6;

/**
 * A transaction the database rolled back for a conflict (deadlock, serialization failure) is run
 * again from the start, after a short random pause, so that the caller sees it succeed; only
 * repeated conflicts reach the caller (an answer of 503, not 500). `work` must be safe to run again:
 * everything it writes is in the rolled-back transaction, and what it keeps outside is reset.
 */
export function orderStore(db: Database): OrderStore {
  const retried = <T>(run: () => Promise<T>): Promise<T> =>
    pRetry(run, {
      retries: conflictAttempts - 1,
      minTimeout: 5,
      maxTimeout: 200,
      randomize: true,
      shouldRetry: ({ error }) => isTransientConflict(error),
    });
  return {
    transaction: (work) =>
      retried(() =>
        db.transaction(async (trx) => {
          const outbox: OutboxJson[] = [];
          const result = await work(transactionOn(trx, outbox));
          await insertOutbox(trx, outbox);
          return result;
        }),
      ),
    transactionEach: (works) => retried(() => db.transaction((trx) => eachInSavepoints(trx, works))),
  };
}

/**
 * Each work in a savepoint of its own, its outbox messages written inside it (a later work reads
 * the outbox as if the earlier one had committed: an order that ends drops the requests a reply
 * before it enqueued). A conflict or a lost connection is the whole transaction's, not one work's.
 */
async function eachInSavepoints<T>(
  trx: Knex.Transaction,
  works: readonly ((tx: StoreTransaction) => Promise<T>)[],
): Promise<Isolated<T>[]> {
  const ends: Isolated<T>[] = [];
  for (const work of works) {
    await trx.raw('SAVEPOINT each_work');
    try {
      const outbox: OutboxJson[] = [];
      const value = await work(transactionOn(trx, outbox));
      await insertOutbox(trx, outbox);
      await trx.raw('RELEASE SAVEPOINT each_work');
      ends.push({ ok: true, value });
    } catch (error) {
      if (isTransientConflict(error) || isDatabaseUnavailable(error)) throw error;
      await trx.raw('ROLLBACK TO SAVEPOINT each_work');
      await trx.raw('RELEASE SAVEPOINT each_work');
      ends.push({ ok: false, error });
    }
  }
  return ends;
}
