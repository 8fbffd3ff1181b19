import type { Knex } from 'knex';

// The cycle-times report reads each order's milestones (the first approval, acknowledgment,
// shipment and ready-for-billing): from the order's own row rather than gathered from its history
// for every order of the period (a quarter of a million orders' events cost a second). A trigger on
// order_events keeps them, so every path that writes a milestone event keeps them right without
// remembering to; the history stays the source (the backfill reads it).

const milestones = {
  approved_at: 'order.approved',
  acknowledged_at: 'order.acknowledged',
  first_shipment_at: 'order.shipped',
  ready_for_billing_at: 'order.ready-for-billing',
} as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    for (const column of Object.keys(milestones)) t.timestamp(column, { useTz: true });
  });
  const firsts = Object.entries(milestones)
    .map(([column, cause]) => `min(at) FILTER (WHERE cause = '${cause}') AS ${column}`)
    .join(', ');
  await knex.raw(`
    UPDATE orders o SET ${Object.keys(milestones)
      .map((column) => `${column} = m.${column}`)
      .join(', ')}
      FROM (SELECT order_id, ${firsts} FROM order_events
             WHERE cause IN (${Object.values(milestones)
               .map((cause) => `'${cause}'`)
               .join(', ')})
             GROUP BY order_id) m
     WHERE o.id = m.order_id`);
  await knex.raw(`
CREATE FUNCTION orders_milestone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${Object.entries(milestones)
    .map(
      ([column, cause]) =>
        `IF NEW.cause = '${cause}' THEN UPDATE orders SET ${column} = NEW.at WHERE id = NEW.order_id AND (${column} IS NULL OR ${column} > NEW.at); END IF;`,
    )
    .join('\n  ')}
  RETURN NULL;
END
$$`);
  await knex.raw(`
    CREATE TRIGGER orders_milestone AFTER INSERT ON order_events FOR EACH ROW
    WHEN (NEW.cause IN (${Object.values(milestones)
      .map((cause) => `'${cause}'`)
      .join(', ')}))
    EXECUTE FUNCTION orders_milestone()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER orders_milestone ON order_events');
  await knex.raw('DROP FUNCTION orders_milestone()');
  await knex.schema.alterTable('orders', (t) => {
    for (const column of Object.keys(milestones)) t.dropColumn(column);
  });
}
