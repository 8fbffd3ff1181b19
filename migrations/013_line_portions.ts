import type { Knex } from 'knex';

// A line's answer is kept in portions (4 accepted + 2 backordered), so order_lines.ack holds a list
// of them; an answer stored before is one portion for the whole line.

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE order_lines SET ack = jsonb_build_array(ack) WHERE jsonb_typeof(ack) = 'object'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE order_lines SET ack = ack -> 0 WHERE jsonb_typeof(ack) = 'array'`);
}
