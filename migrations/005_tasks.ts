import type { Knex } from 'knex';

// The tasks an order decomposes into (domain/plan.ts), stored with the order in the transaction
// that stores it. depends_on holds task keys, not ids: keys are what the plan and the catalog speak.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tasks', (t) => {
    t.text('id').primary();
    t.text('order_id').notNullable().references('orders.id');
    t.text('task_key').notNullable();
    // The plan's order (line order, then catalog order), for listing tasks as they were planned.
    t.integer('position').notNullable();
    t.text('line_id').references('order_lines.id');
    t.text('line_number').notNullable();
    t.text('bundle_line_number');
    t.text('type').notNullable();
    t.text('vendor_id');
    t.boolean('person').notNullable();
    t.jsonb('depends_on').notNullable().defaultTo('[]');
    t.integer('sla_minutes').notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.text('status').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['order_id', 'task_key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('tasks');
}
