import type { Knex } from 'knex';

// What approval policies ask of a partner: whether it is trusted, its credit limit, what its stated
// total that does not match its lines comes to (refuse, hold, accept), and its contract prices per
// SKU and currency; and the index that sums its open orders in one statement.

/** Terminal order states (domain/order-status.ts: no transition out); open orders are the others. */
const terminal = `('rejected', 'billed', 'cancelled', 'failed')`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('partners', (t) => {
    t.boolean('trusted').notNullable().defaultTo(false);
    t.decimal('credit_limit', 18, 4);
    t.text('credit_limit_currency');
    t.text('total_mismatch').notNullable().defaultTo('hold').checkIn(['refuse', 'hold', 'accept'], 'partners_total_mismatch_check');
  });
  // A limit is an amount in a currency, or none.
  await knex.raw(
    'ALTER TABLE partners ADD CONSTRAINT partners_credit_limit_check CHECK ((credit_limit IS NULL) = (credit_limit_currency IS NULL))',
  );

  await knex.schema.createTable('partner_prices', (t) => {
    t.text('partner_id').notNullable().references('partners.id');
    t.text('sku').notNullable();
    t.text('currency').notNullable();
    t.decimal('unit_price', 18, 4).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['partner_id', 'sku', 'currency']);
  });

  // Only the open orders, so the sum costs what the partner has open, not all it ever ordered.
  await knex.raw(`CREATE INDEX orders_open_by_partner ON orders (partner_id, currency) WHERE status NOT IN ${terminal}`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX orders_open_by_partner');
  await knex.schema.dropTable('partner_prices');
  await knex.raw('ALTER TABLE partners DROP CONSTRAINT partners_credit_limit_check');
  await knex.schema.alterTable('partners', (t) => {
    t.dropColumn('total_mismatch');
    t.dropColumn('credit_limit_currency');
    t.dropColumn('credit_limit');
    t.dropColumn('trusted');
  });
}
