import type { Knex } from 'knex';

// When each API key last authenticated a request, so that an operator can tell a key in use from
// one to revoke. Written at most once a minute per key (adapters/db/api-keys.ts).

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_keys', (t) => {
    t.timestamp('last_used_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('api_keys', (t) => {
    t.dropColumn('last_used_at');
  });
}
