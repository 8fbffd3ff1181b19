import type { Knex } from 'knex';

// A vendor task still open at 80% of its SLA is in jeopardy, and at its due time overdue: each
// raised once, stamped (warned_at, overdue_at) in the transaction that writes its order event.
// The warning point is a column kept by a trigger, not an expression index: timestamptz + interval
// is not immutable, and a column any write of created_at or due_at keeps right needs no caller to
// remember it. The partial indexes hold only what is still to be raised, so they stay small.

const open = `NOT person AND status NOT IN ('done', 'failed', 'cancelled')`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('tasks', (t) => {
    t.timestamp('warn_at', { useTz: true });
    t.timestamp('warned_at', { useTz: true });
    t.timestamp('overdue_at', { useTz: true });
  });
  await knex.raw(`UPDATE tasks SET warn_at = created_at + (due_at - created_at) * 0.8`);
  await knex.raw(`ALTER TABLE tasks ALTER COLUMN warn_at SET NOT NULL`);
  await knex.raw(`
CREATE FUNCTION tasks_warn_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.warn_at := NEW.created_at + (NEW.due_at - NEW.created_at) * 0.8;
  RETURN NEW;
END
$$`);
  await knex.raw(
    `CREATE TRIGGER tasks_warn_at BEFORE INSERT OR UPDATE OF created_at, due_at ON tasks FOR EACH ROW EXECUTE FUNCTION tasks_warn_at()`,
  );
  await knex.raw(`CREATE INDEX tasks_jeopardy ON tasks (warn_at) WHERE ${open} AND warned_at IS NULL`);
  await knex.raw(`CREATE INDEX tasks_overdue ON tasks (due_at) WHERE ${open} AND overdue_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP TRIGGER tasks_warn_at ON tasks`);
  await knex.raw(`DROP FUNCTION tasks_warn_at()`);
  await knex.schema.alterTable('tasks', (t) => {
    t.dropColumn('warn_at');
    t.dropColumn('warned_at');
    t.dropColumn('overdue_at');
  });
}
