import type { Knex } from 'knex';

// A partner may send from several ISA ids and address several of ours: each (their ISA sender,
// our ISA receiver) pair is a partnership of its own, and a pair belongs to one partner. The
// pairs move out of partner_x12 (which keeps what is the partner's whatever the pair: version,
// map, endpoint) into partner_x12_identities, in the partner's order (the first is the one our
// documents go out on when no order says otherwise).
//
// Control numbers are per partnership too: a partner's translator numbers each trading-partner
// profile from 1, so the same ISA13, or GS06 + ST02, may come on two of its pairs. The dedupe keys
// take the pair: an interchange's was `<sender>/<ISA13>` and becomes `<sender>/<receiver>/<ISA13>`;
// a set's was `<GS02>/<GS06>/<ST02>` and becomes `<sender>/<receiver>/<GS02>/<GS06>/<ST02>` (sender
// and receiver each `<qualifier>/<id>`). The keys already stored are rewritten, so that an
// interchange or set sent before this migration and again after it is still a repeat: the
// receiver an interchange addressed is read back from the ISA of the answer we stored for it
// (ISA05/06 of our answer are ISA07/08 of theirs), a set's pair from its order's envelope; where
// neither is there (acknowledgment interchanges, answered with nothing), the partner's one pair.
// A refusal's key (`x12-refused`, sender + SHA-256 of the bytes) holds the receiver already.
//
// Down takes the first pair of each partner back into partner_x12 (the others are lost; it fails
// if two partners' first pairs share a sender, which the old unique index forbids) and the keys
// back to their old form (it assumes no '/' in a receiver id, and keeps the oldest of keys that
// become one).

const interchangeScope = 'x12-interchange';
const setScope = 'x12-set';

/** `<qualifier>/<id>` of ISA05/06 in an answer of ours stored as a JSON string (the receiver the partner addressed). */
const answeredReceiver = `(
  SELECT btrim(split_part(a.text, substr(a.text, 4, 1), 6), E' \\r\\n') || '/' || btrim(split_part(a.text, substr(a.text, 4, 1), 7), E' \\r\\n')
  FROM (SELECT r.response_body #>> '{}' AS text) a
  WHERE jsonb_typeof(r.response_body) = 'string' AND left(r.response_body #>> '{}', 3) = 'ISA'
)`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('partner_x12_identities', (t) => {
    t.text('partner_id').notNullable().references('partner_x12.partner_id');
    t.integer('position').notNullable();
    t.text('qualifier').notNullable();
    t.text('identifier').notNullable();
    t.text('our_qualifier').notNullable();
    t.text('our_identifier').notNullable();
    t.primary(['partner_id', 'position']);
    t.unique(['qualifier', 'identifier', 'our_qualifier', 'our_identifier']);
    // Search by an X12 sender id (GET /v1/partners?q=).
    t.index(['identifier']);
  });
  await knex.raw(`
    INSERT INTO partner_x12_identities (partner_id, position, qualifier, identifier, our_qualifier, our_identifier)
    SELECT partner_id, 0, qualifier, identifier, our_qualifier, our_identifier FROM partner_x12`);

  // Keys first: the fallback reads the partner's pair where it still is.
  await knex.raw(
    `UPDATE idempotency_records r
        SET key = substring(r.key from '^(.*)/[^/]*$') || '/'
                  || coalesce(${answeredReceiver}, x.our_qualifier || '/' || x.our_identifier)
                  || '/' || substring(r.key from '[^/]*$')
       FROM partner_x12 x
      WHERE r.scope = ? AND x.partner_id = r.partner_id`,
    [interchangeScope],
  );
  await knex.raw(
    `UPDATE idempotency_records r
        SET key = coalesce(
                    (SELECT (o.header #>> '{envelope,isaSenderQualifier}') || '/' || (o.header #>> '{envelope,isaSender}') || '/'
                            || (o.header #>> '{envelope,isaReceiverQualifier}') || '/' || (o.header #>> '{envelope,isaReceiver}')
                       FROM orders o WHERE o.id = r.order_id),
                    x.qualifier || '/' || x.identifier || '/' || x.our_qualifier || '/' || x.our_identifier)
                  || '/' || r.key
       FROM partner_x12 x
      WHERE r.scope = ? AND x.partner_id = r.partner_id`,
    [setScope],
  );

  await knex.schema.alterTable('partner_x12', (t) => {
    t.dropUnique(['qualifier', 'identifier']);
    t.dropColumn('qualifier');
    t.dropColumn('identifier');
    t.dropColumn('our_qualifier');
    t.dropColumn('our_identifier');
  });
}

/** The key as it was: `<sender>/<ISA13>`, `<GS02>/<GS06>/<ST02>`. */
const oldKey = (row: string): string => `CASE ${row}.scope
  WHEN '${interchangeScope}' THEN substring(${row}.key from '^(.*)/[^/]*/[^/]*/[^/]*$') || '/' || substring(${row}.key from '[^/]*$')
  ELSE substring(${row}.key from '^[^/]*/[^/]*/[^/]*/[^/]*/(.*)$') END`;

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('partner_x12', (t) => {
    t.text('qualifier');
    t.text('identifier');
    t.text('our_qualifier');
    t.text('our_identifier');
  });
  await knex.raw(`
    UPDATE partner_x12 x
       SET qualifier = i.qualifier, identifier = i.identifier, our_qualifier = i.our_qualifier, our_identifier = i.our_identifier
      FROM (SELECT DISTINCT ON (partner_id) * FROM partner_x12_identities ORDER BY partner_id, position) i
     WHERE i.partner_id = x.partner_id`);
  for (const column of ['qualifier', 'identifier', 'our_qualifier', 'our_identifier'])
    await knex.raw(`ALTER TABLE partner_x12 ALTER COLUMN ?? SET NOT NULL`, [column]);
  await knex.schema.alterTable('partner_x12', (t) => {
    t.unique(['qualifier', 'identifier']);
  });
  await knex.schema.dropTable('partner_x12_identities');

  // Keys of two pairs that become one: the oldest stays.
  await knex.raw(
    `DELETE FROM idempotency_records r
      WHERE r.scope IN (?, ?)
        AND EXISTS (SELECT 1 FROM idempotency_records o
                     WHERE o.partner_id = r.partner_id AND o.scope = r.scope
                       AND ${oldKey('o')} = ${oldKey('r')}
                       AND (o.created_at, o.key) < (r.created_at, r.key))`,
    [interchangeScope, setScope],
  );
  await knex.raw(`UPDATE idempotency_records r SET key = ${oldKey('r')} WHERE r.scope IN (?, ?)`, [interchangeScope, setScope]);
}
