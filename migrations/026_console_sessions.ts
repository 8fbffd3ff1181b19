import type { Knex } from 'knex';

// The operations console's sign-ins. A session is held by the key it was opened with (or, opened
// from an e-mailed link, by the person): revoking the key ends it on the next request, as it ends
// the key's API use. Only hashes of the cookie and of a link's token are stored; the form token
// (csrf) is not a credential on its own and is kept as it is sent.

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('console_sessions', (t) => {
    t.text('token_hash').primary();
    t.text('key_id').references('api_keys.id');
    t.text('person_id').references('people.id');
    t.text('csrf').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.index(['expires_at']);
  });
  await knex.raw(`ALTER TABLE console_sessions ADD CONSTRAINT console_sessions_holder CHECK ((key_id IS NULL) <> (person_id IS NULL))`);
  await knex.schema.createTable('console_sign_in_links', (t) => {
    t.text('token_hash').primary();
    t.text('person_id').notNullable().references('people.id');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('console_sign_in_links');
  await knex.schema.dropTable('console_sessions');
}
