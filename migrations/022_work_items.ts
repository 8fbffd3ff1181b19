import type { Knex } from 'knex';

// Workflow: everything a person must do is a work item on a task list (a person's plan task, an
// approval level, a dead letter, a document the partner did not acknowledge, a deadline missed),
// each with its due time and the two moments the escalation job acts on (warn, then escalate),
// stamped when done so each happens once. A partner's deadlines (an 855 within 24 business hours
// of the 850, …) are timers on the order: met when the document is written, missed when not in time.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('work_items', (t) => {
    t.text('id').primary();
    t.text('kind').notNullable().checkIn(['person-task', 'approval', 'dead-letter', 'overdue-ack', 'deadline-missed']);
    // What the item is about: the task, approval, dead letter, document or deadline it was opened for.
    t.text('source_id').notNullable();
    // An approval's level (one item per level); 0 for the other kinds.
    t.integer('level').notNullable().defaultTo(0);
    t.text('order_id').references('orders.id');
    t.text('partner_id').references('partners.id');
    t.text('title').notNullable();
    // On the lists of these roles (everyone in them sees it) and people; claimed_by: the person working it.
    t.specificType('assigned_roles', 'text[]').notNullable().defaultTo('{}');
    t.specificType('assigned_people', 'text[]').notNullable().defaultTo('{}');
    t.text('claimed_by').references('people.id');
    t.text('status').notNullable().checkIn(['open', 'done', 'cancelled']);
    // The SLA as written (ISO 8601 duration) and the working calendar it counts in (none: calendar time).
    t.text('sla');
    t.text('calendar');
    t.text('escalate_to_role');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('warn_at', { useTz: true });
    t.timestamp('due_at', { useTz: true });
    t.timestamp('warned_at', { useTz: true });
    t.timestamp('escalated_at', { useTz: true });
    t.text('outcome');
    t.text('comment');
    t.text('completed_by');
    t.timestamp('completed_at', { useTz: true });
    t.unique(['kind', 'source_id', 'level']);
  });
  // The escalation job's two questions (what needs a warning, what is due) and the task lists' sort.
  await knex.raw(`CREATE INDEX work_items_warn ON work_items (warn_at) WHERE status = 'open' AND warned_at IS NULL`);
  await knex.raw(`CREATE INDEX work_items_due ON work_items (due_at) WHERE status = 'open' AND escalated_at IS NULL`);
  await knex.raw(`CREATE INDEX work_items_open ON work_items (status, due_at, id)`);
  await knex.raw(`CREATE INDEX work_items_order ON work_items (order_id)`);
  await knex.raw(`CREATE INDEX work_items_roles ON work_items USING gin (assigned_roles) WHERE status = 'open'`);
  await knex.raw(`CREATE INDEX work_items_people ON work_items USING gin (assigned_people) WHERE status = 'open'`);
  await knex.raw(`CREATE INDEX work_items_completed ON work_items (completed_at) WHERE completed_at IS NOT NULL`);

  // A person's task goes on its role's list (the catalog task's role; none: operations).
  await knex.schema.alterTable('tasks', (t) => {
    t.text('role');
  });

  // What people already had to do when this came in: open person tasks of plans, pending approval levels.
  await knex.raw(`
    INSERT INTO work_items (id, kind, source_id, order_id, partner_id, title, assigned_roles, status, escalate_to_role, warn_at, due_at)
    SELECT t.id, 'person-task', t.id, t.order_id, o.partner_id,
           t.type || ' for order ' || o.external_ref || ', line ' || t.line_number || ' (' || t.task_key || ')',
           '{operations}', 'open', 'supervisor', GREATEST(now(), now() + (t.due_at - now()) * 0.8), t.due_at
      FROM tasks t JOIN orders o ON o.id = t.order_id
     WHERE t.person AND t.status IN ('ready', 'dispatched', 'acknowledged', 'in_progress')`);
  await knex.raw(`
    INSERT INTO work_items (id, kind, source_id, level, order_id, partner_id, title, assigned_roles, assigned_people, status, sla,
                            escalate_to_role, created_at, warn_at, due_at)
    SELECT gen_random_uuid()::text, 'approval', a.id, a.current_level, a.order_id, a.partner_id,
           'Approve order ' || o.external_ref || ' (' || (lvl->>'name') || ')',
           ARRAY(SELECT x->>'role' FROM jsonb_array_elements(lvl->'assignees') x WHERE x->>'role' IS NOT NULL),
           ARRAY(SELECT x->>'person' FROM jsonb_array_elements(lvl->'assignees') x WHERE x->>'person' IS NOT NULL),
           'open', lvl->>'sla', COALESCE(lvl->'escalateTo'->>'role', 'supervisor'), a.level_started_at,
           a.level_started_at + ((lvl->>'sla')::interval) * 0.8, a.level_started_at + (lvl->>'sla')::interval
      FROM approvals a JOIN orders o ON o.id = a.order_id, LATERAL (SELECT a.levels -> (a.current_level - 1) AS lvl) l
     WHERE a.status = 'pending'`);

  await knex.schema.createTable('order_deadlines', (t) => {
    t.increments('id').primary();
    t.text('order_id').notNullable().references('orders.id');
    t.text('partner_id').notNullable().references('partners.id');
    // The document the partner expects: 855, 856, 810, 997 (or their cXML counterparts by the same names).
    t.text('document').notNullable();
    t.text('within').notNullable();
    t.text('calendar');
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('warn_at', { useTz: true }).notNullable();
    t.timestamp('due_at', { useTz: true }).notNullable();
    t.timestamp('warned_at', { useTz: true });
    t.timestamp('met_at', { useTz: true });
    t.timestamp('missed_at', { useTz: true });
    t.unique(['order_id', 'document']);
  });
  await knex.raw(`CREATE INDEX order_deadlines_open ON order_deadlines (due_at) WHERE met_at IS NULL AND missed_at IS NULL`);
  await knex.raw(
    `CREATE INDEX order_deadlines_warn ON order_deadlines (warn_at) WHERE met_at IS NULL AND missed_at IS NULL AND warned_at IS NULL`,
  );
  await knex.raw(`CREATE INDEX order_deadlines_partner ON order_deadlines (partner_id, document, due_at)`);

  // A task's escalation is told by the same messages as an approval level: a notification about a
  // work item has no approval (and an item about a dead letter, no order).
  await knex.schema.alterTable('notifications', (t) => {
    t.text('work_item_id').references('work_items.id');
  });
  await knex.raw('ALTER TABLE notifications ALTER COLUMN approval_id DROP NOT NULL, ALTER COLUMN order_id DROP NOT NULL');

  // Each partner's deadlines: [{ document, within, calendar? }].
  await knex.schema.alterTable('partners', (t) => {
    t.jsonb('deadlines').notNullable().defaultTo('[]');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('partners', (t) => {
    t.dropColumn('deadlines');
  });
  await knex.schema.dropTable('order_deadlines');
  await knex('notifications').whereNotNull('work_item_id').delete();
  await knex.schema.alterTable('notifications', (t) => {
    t.dropColumn('work_item_id');
  });
  await knex.raw('ALTER TABLE notifications ALTER COLUMN approval_id SET NOT NULL, ALTER COLUMN order_id SET NOT NULL');
  await knex.schema.dropTable('work_items');
  await knex.schema.alterTable('tasks', (t) => {
    t.dropColumn('role');
  });
}
