import type { Knex } from 'knex';

// Each partner's cross-references: its own item number (a buyer part number, a catalog number, a
// UPC it uses for our item) → our SKU. Orders that name items only the partner's way resolve here.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('partner_item_references', (t) => {
    t.text('partner_id').notNullable().references('partners.id');
    t.text('partner_item').notNullable();
    t.text('sku').notNullable();
    t.text('description');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['partner_id', 'partner_item']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('partner_item_references');
}
