import type { Knex } from 'knex';

// Our own credential in each cXML partnership: the domain and identity the buyer's network knows
// us by (the From and Sender of what we send, the To of what it sends us) and the shared secret we
// present in Sender. Unlike the partner's secret (kept only as a hash, since we compare it), ours
// must be sent, so it is sealed like the webhook secrets (adapters/webhook/secret-box.ts), bound to
// the partner's id. Existing partners get none: an identity cannot be invented for them, and until
// one is set their cXML answers are noted as not written (adapters/partners/answers.ts).

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('partner_cxml', (t) => {
    t.text('our_domain');
    t.text('our_identity');
    t.text('our_secret_sealed');
  });
  await knex.raw(`ALTER TABLE partner_cxml ADD CONSTRAINT partner_cxml_our_credential_whole CHECK (
    (our_domain IS NULL) = (our_identity IS NULL) AND (our_domain IS NULL) = (our_secret_sealed IS NULL))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE partner_cxml DROP CONSTRAINT partner_cxml_our_credential_whole');
  await knex.schema.alterTable('partner_cxml', (t) => {
    t.dropColumn('our_domain');
    t.dropColumn('our_identity');
    t.dropColumn('our_secret_sealed');
  });
}
