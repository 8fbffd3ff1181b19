import type { Knex } from 'knex';

// Vendor fulfillment: who the vendors are and how they are reached, their keys, the replies seen
// (inbox), shipments, and the dead letters operations look at and replay.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('vendors', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('channel').notNullable().checkIn(['amqp', 'http', 'mailbox']);
    t.text('base_url');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // A vendor's key reads its own mailbox and posts its own replies, nothing else.
  await knex.raw('ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check');
  await knex.raw(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'partner', 'vendor'))`);
  await knex.schema.alterTable('api_keys', (t) => {
    t.text('vendor_id').references('vendors.id');
  });

  // Every reply seen, by the vendor's message id: a reply delivered twice, or by two consumers at
  // once, finds its row taken and changes nothing.
  await knex.schema.createTable('inbox', (t) => {
    t.text('vendor_id').notNullable();
    t.text('message_id').notNullable();
    t.text('type').notNullable();
    t.text('task_id');
    t.text('order_id');
    t.text('outcome').notNullable();
    t.jsonb('detail').notNullable().defaultTo('{}');
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['vendor_id', 'message_id']);
  });

  await knex.schema.createTable('shipments', (t) => {
    t.text('id').primary();
    t.text('order_id').notNullable().references('orders.id');
    t.text('task_id').notNullable().references('tasks.id');
    t.text('vendor_id').notNullable();
    t.text('vendor_shipment_id').notNullable();
    t.jsonb('body').notNullable();
    // False while the partner's acknowledgment has not gone out: a ship notice never comes before it.
    t.boolean('reported').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['vendor_id', 'vendor_shipment_id', 'task_id']);
    t.index(['order_id']);
  });
  await knex.schema.alterTable('tasks', (t) => {
    // Retryable failures so far (domain/fulfillment-progress.ts maxTaskRetries).
    t.integer('retries').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('order_lines', (t) => {
    t.decimal('shipped_quantity', 18, 4).notNullable().defaultTo(0);
    // The vendor's answer to the line (domain/acknowledgment.ts LineAck), kept until every line has
    // one and the partner's acknowledgment can be written.
    t.jsonb('ack');
  });

  // Messages that died: moved here from the broker's dead-letter queues so that operations can
  // list and replay them through the API. One open row per queue and message id: moving a dead
  // letter twice (a crash between insert and ack) keeps one.
  await knex.schema.createTable('dead_letters', (t) => {
    t.bigIncrements('id').primary();
    t.text('queue').notNullable();
    t.text('message_id');
    t.text('type');
    t.text('correlation_id');
    t.text('exchange').notNullable();
    t.text('routing_key').notNullable();
    t.text('reason').notNullable();
    t.jsonb('headers').notNullable().defaultTo('{}');
    t.jsonb('properties').notNullable().defaultTo('{}');
    t.text('body').notNullable();
    t.timestamp('died_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('replayed_at', { useTz: true });
    t.index(['died_at', 'id']);
  });
  await knex.raw('CREATE UNIQUE INDEX dead_letters_open ON dead_letters (queue, message_id) WHERE replayed_at IS NULL');

  // A document to push is leased to the push that follows its commit; if that push never happens
  // (the process died), the lease runs out and a worker pushes it.
  await knex.schema.alterTable('documents', (t) => {
    t.timestamp('push_after', { useTz: true });
  });
  await knex.raw(`CREATE INDEX documents_push_due ON documents (push_after) WHERE delivery_state = 'pending'`);

  // A set's idempotency record is written once, with its answer, before the order it names is
  // inserted in the same transaction: the reference is checked at commit.
  await knex.raw('ALTER TABLE idempotency_records ALTER CONSTRAINT idempotency_records_order_id_foreign DEFERRABLE INITIALLY DEFERRED');

  // Requests for vendors are the only outbox rows a dispatcher or a mailbox reads; the partial
  // index leaves out the partner events, which are never dispatched.
  await knex.schema.alterTable('outbox', (t) => {
    t.text('vendor_id');
    // Any reply about a task settles the requests handed out for it (a mailbox has no broker ack).
    t.text('task_id');
  });
  await knex.raw(`UPDATE outbox SET vendor_id = payload->>'vendorId', task_id = payload->>'taskId' WHERE type = 'fulfillment.request.v1'`);
  await knex.raw('DROP INDEX outbox_due');
  await knex.raw(`CREATE INDEX outbox_requests_due ON outbox (next_attempt_at, id) WHERE state = 'pending' AND vendor_id IS NOT NULL`);
  await knex.raw(
    `CREATE INDEX outbox_vendor_due ON outbox (vendor_id, next_attempt_at, id) WHERE state = 'pending' AND vendor_id IS NOT NULL`,
  );
  await knex.raw(`CREATE INDEX outbox_task_pending ON outbox (task_id) WHERE state = 'pending' AND task_id IS NOT NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX documents_push_due');
  await knex.schema.alterTable('documents', (t) => {
    t.dropColumn('push_after');
  });
  await knex.raw('ALTER TABLE idempotency_records ALTER CONSTRAINT idempotency_records_order_id_foreign NOT DEFERRABLE');
  await knex.raw('DROP INDEX outbox_task_pending');
  await knex.raw('DROP INDEX outbox_vendor_due');
  await knex.raw('DROP INDEX outbox_requests_due');
  await knex.raw(`CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state = 'pending'`);
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('vendor_id');
    t.dropColumn('task_id');
  });
  await knex.schema.dropTable('dead_letters');
  await knex.schema.alterTable('order_lines', (t) => {
    t.dropColumn('shipped_quantity');
    t.dropColumn('ack');
  });
  await knex.schema.dropTable('shipments');
  await knex.schema.alterTable('tasks', (t) => {
    t.dropColumn('retries');
  });
  await knex.schema.dropTable('inbox');
  await knex.schema.alterTable('api_keys', (t) => {
    t.dropColumn('vendor_id');
  });
  await knex.raw(`DELETE FROM api_keys WHERE role = 'vendor'`);
  await knex.raw('ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check');
  await knex.raw(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'partner'))`);
  await knex.schema.dropTable('vendors');
}
