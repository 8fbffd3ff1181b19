import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import type { X12Profile } from '../../domain/partner-profile.ts';
import type { Database } from './connect.ts';

// The identities a partner sends under: its X12 ISA sender and receiver pairs, its cXML From
// credential (and ours in the cXML partnership, which it addresses and we send under).

/** One partnership: their ISA sender (ISA05/06 as they send it) and our ISA receiver (ISA07/08 as they address us). */
export interface X12Pair {
  qualifier: string;
  id: string;
  ourQualifier: string;
  ourId: string;
}

/** The partner's X12 identities, the first being the one our documents go out on when no order names one, and what holds for all of them. */
export interface PartnerX12 {
  identities: X12Pair[];
  version: string;
  map: string;
  endpointUrl?: string;
  /** What its implementation guide demands of our 856 and 810. */
  profile?: X12Profile;
}

/** A cXML Credential: domain (NetworkID, DUNS...) and identity. */
export interface CxmlCredential {
  domain: string;
  identity: string;
}

export interface PartnerCxml {
  fromDomain: string;
  fromIdentity: string;
  confirmationUrl?: string;
  /** Ours in this partnership, as the buyer's network knows us; its shared secret is never read back here. */
  ourCredential?: CxmlCredential;
}

/** Our credential as given: with the shared secret we present, sealed before it is stored. */
export type NewOurCredential = CxmlCredential & { sharedSecret: string };

/** Seals our shared secret at rest (adapters/webhook/secret-box.ts). */
export interface SecretSealer {
  seal(secret: string, context: string): string;
}

/** What our sealed shared secret is bound to: the partner, so that a value copied to another partner's row does not open. */
export const ourCxmlSecretContext = (partnerId: string): string => `partner-cxml-ours:${partnerId}`;

/** A new X12 identity: a list of pairs, or one pair given flat (the single-identity shape). */
export type NewX12 = ({ identities: X12Pair[] } | X12Pair) & Partial<Pick<PartnerX12, 'version' | 'map' | 'endpointUrl' | 'profile'>>;
export type NewCxml = Omit<PartnerCxml, 'ourCredential'> & { sharedSecret: string; ourCredential?: NewOurCredential };

/** The pairs of a new identity, whichever shape it came in. */
export const pairsOf = (x12: NewX12): X12Pair[] =>
  'identities' in x12 ? x12.identities : [{ qualifier: x12.qualifier, id: x12.id, ourQualifier: x12.ourQualifier, ourId: x12.ourId }];

/** partner_x12 with the partner's pairs, in order, as JSON. */
interface X12Row {
  partner_id: string;
  version: string;
  map: string;
  endpoint_url: string | null;
  profile: X12Profile | null;
  identities: PairRow[];
}

interface PairRow {
  qualifier: string;
  identifier: string;
  our_qualifier: string;
  our_identifier: string;
}

const toPair = (row: PairRow): X12Pair => ({
  qualifier: row.qualifier,
  id: row.identifier,
  ourQualifier: row.our_qualifier,
  ourId: row.our_identifier,
});

const toX12 = (row: X12Row): PartnerX12 => ({
  identities: row.identities.map(toPair),
  version: row.version,
  map: row.map,
  ...(row.endpoint_url === null ? {} : { endpointUrl: row.endpoint_url }),
  ...(row.profile === null ? {} : { profile: row.profile }),
});

/** partner_x12's columns and the pairs gathered in one statement. */
const selectX12 = (db: Knex | Knex.Transaction) =>
  db('partner_x12 as x').select(
    'x.partner_id',
    'x.version',
    'x.map',
    'x.endpoint_url',
    'x.profile',
    db.raw(`coalesce((
      SELECT json_agg(json_build_object('qualifier', i.qualifier, 'identifier', i.identifier, 'our_qualifier', i.our_qualifier,
                                        'our_identifier', i.our_identifier) ORDER BY i.position)
        FROM partner_x12_identities i WHERE i.partner_id = x.partner_id), '[]') AS identities`),
  );

/** Another partner's claim on one of these pairs: the index of the first pair taken. */
export async function pairTakenAt(db: Knex | Knex.Transaction, partnerId: string | null, pairs: X12Pair[]): Promise<number | undefined> {
  if (pairs.length === 0) return undefined;
  const query = db('partner_x12_identities')
    .whereIn(
      ['qualifier', 'identifier', 'our_qualifier', 'our_identifier'],
      pairs.map((p) => [p.qualifier, p.id, p.ourQualifier, p.ourId]),
    )
    .select('qualifier', 'identifier', 'our_qualifier', 'our_identifier');
  if (partnerId !== null) query.whereNot({ partner_id: partnerId });
  const taken = (await query) as PairRow[];
  const index = pairs.findIndex((p) => taken.some((t) => samePair(p, toPair(t))));
  return index < 0 ? undefined : index;
}

const samePair = (a: X12Pair, b: X12Pair): boolean =>
  a.qualifier === b.qualifier && a.id === b.id && a.ourQualifier === b.ourQualifier && a.ourId === b.ourId;

/**
 * Writes the partner's X12 identity whole, in place of the one it had (if any): its settings and
 * its pairs, in order. A pair another partner holds fails on the unique index (23505).
 */
export async function saveX12(
  trx: Knex.Transaction,
  partnerId: string,
  x12: { identities: X12Pair[]; version?: string; map?: string; endpointUrl?: string; profile?: X12Profile },
): Promise<PartnerX12> {
  const settings = {
    partner_id: partnerId,
    version: x12.version ?? '004010',
    map: x12.map ?? 'default',
    endpoint_url: x12.endpointUrl ?? null,
    profile: x12.profile === undefined ? null : JSON.stringify(x12.profile),
  };
  await trx('partner_x12').insert(settings).onConflict('partner_id').merge();
  await trx('partner_x12_identities').where({ partner_id: partnerId }).delete();
  await trx('partner_x12_identities').insert(
    x12.identities.map((pair, position) => ({
      partner_id: partnerId,
      position,
      qualifier: pair.qualifier,
      identifier: pair.id,
      our_qualifier: pair.ourQualifier,
      our_identifier: pair.ourId,
    })),
  );
  return {
    identities: x12.identities.map((pair) => ({
      qualifier: pair.qualifier,
      id: pair.id,
      ourQualifier: pair.ourQualifier,
      ourId: pair.ourId,
    })),
    version: settings.version,
    map: settings.map,
    ...(x12.endpointUrl === undefined ? {} : { endpointUrl: x12.endpointUrl }),
    ...(x12.profile === undefined ? {} : { profile: x12.profile }),
  };
}

export const insertX12 = (trx: Knex.Transaction, partnerId: string, x12: NewX12): Promise<PartnerX12> =>
  saveX12(trx, partnerId, {
    identities: pairsOf(x12),
    ...(x12.version === undefined ? {} : { version: x12.version }),
    ...(x12.map === undefined ? {} : { map: x12.map }),
    ...(x12.endpointUrl === undefined ? {} : { endpointUrl: x12.endpointUrl }),
    ...(x12.profile === undefined ? {} : { profile: x12.profile }),
  });

export async function getPartnerX12(db: Database, partnerId: string): Promise<PartnerX12 | undefined> {
  const row = (await selectX12(db).where('x.partner_id', partnerId).first()) as X12Row | undefined;
  return row === undefined ? undefined : toX12(row);
}

const hashSecret = (salt: string, secret: string): Buffer => createHash('sha256').update(salt).update('\u0000').update(secret).digest();

/** Our credential's columns: the secret sealed under the partner's id; null clears them all. */
function ourColumns(partnerId: string, ours: NewOurCredential | null, sealer: SecretSealer | undefined): Record<string, string | null> {
  if (ours === null) return { our_domain: null, our_identity: null, our_secret_sealed: null };
  if (sealer === undefined) throw new Error('our cXML shared secret cannot be stored without a sealer');
  return {
    our_domain: ours.domain,
    our_identity: ours.identity,
    our_secret_sealed: sealer.seal(ours.sharedSecret, ourCxmlSecretContext(partnerId)),
  };
}

/** A new identity as it is shown: our credential without its secret. */
const shown = (cxml: NewCxml): PartnerCxml => ({
  fromDomain: cxml.fromDomain,
  fromIdentity: cxml.fromIdentity,
  ...(cxml.confirmationUrl === undefined ? {} : { confirmationUrl: cxml.confirmationUrl }),
  ...(cxml.ourCredential === undefined
    ? {}
    : { ourCredential: { domain: cxml.ourCredential.domain, identity: cxml.ourCredential.identity } }),
});

export async function insertCxml(trx: Knex.Transaction, partnerId: string, cxml: NewCxml, sealer?: SecretSealer): Promise<PartnerCxml> {
  const salt = randomBytes(16).toString('hex');
  await trx('partner_cxml').insert({
    partner_id: partnerId,
    from_domain: cxml.fromDomain,
    from_identity: cxml.fromIdentity,
    secret_salt: salt,
    secret_hash: hashSecret(salt, cxml.sharedSecret).toString('hex'),
    confirmation_url: cxml.confirmationUrl ?? null,
    ...(cxml.ourCredential === undefined ? {} : ourColumns(partnerId, cxml.ourCredential, sealer)),
  });
  return shown(cxml);
}

/**
 * Writes the partner's cXML identity in place of the one it had. Without a new shared secret the
 * stored hash stays (the identity must then exist already); with one, a new salt and hash. Our
 * credential stays as it is unless given (null removes it).
 */
export async function saveCxml(
  trx: Knex.Transaction,
  partnerId: string,
  cxml: Omit<PartnerCxml, 'ourCredential'> & { sharedSecret?: string; ourCredential?: NewOurCredential | null },
  sealer?: SecretSealer,
): Promise<void> {
  const fields = {
    from_domain: cxml.fromDomain,
    from_identity: cxml.fromIdentity,
    confirmation_url: cxml.confirmationUrl ?? null,
    ...(cxml.ourCredential === undefined ? {} : ourColumns(partnerId, cxml.ourCredential, sealer)),
  };
  if (cxml.sharedSecret === undefined) {
    const changed = await trx('partner_cxml').where({ partner_id: partnerId }).update(fields);
    if (changed !== 1) throw new Error(`partner ${partnerId} has no cXML identity whose secret could be kept`);
  } else {
    const salt = randomBytes(16).toString('hex');
    await trx('partner_cxml')
      .insert({ partner_id: partnerId, ...fields, secret_salt: salt, secret_hash: hashSecret(salt, cxml.sharedSecret).toString('hex') })
      .onConflict('partner_id')
      .merge();
  }
}

/** The X12 and cXML identities of many partners at once (for a page of partners). */
export async function identitiesOf(db: Database, partnerIds: string[]): Promise<Map<string, { x12?: PartnerX12; cxml?: PartnerCxml }>> {
  const found = new Map<string, { x12?: PartnerX12; cxml?: PartnerCxml }>();
  if (partnerIds.length === 0) return found;
  const [x12Rows, cxmlRows] = await Promise.all([
    selectX12(db).whereIn('x.partner_id', partnerIds) as Promise<X12Row[]>,
    db<CxmlRow>('partner_cxml').whereIn('partner_id', partnerIds),
  ]);
  for (const row of x12Rows) found.set(row.partner_id, { ...found.get(row.partner_id), x12: toX12(row) });
  for (const row of cxmlRows) found.set(row.partner_id, { ...found.get(row.partner_id), cxml: toCxml(row) });
  return found;
}

interface CxmlRow {
  partner_id: string;
  from_domain: string;
  from_identity: string;
  secret_salt: string;
  secret_hash: string;
  confirmation_url: string | null;
  our_domain: string | null;
  our_identity: string | null;
  our_secret_sealed: string | null;
}

const toCxml = (row: CxmlRow): PartnerCxml => ({
  fromDomain: row.from_domain,
  fromIdentity: row.from_identity,
  ...(row.confirmation_url === null ? {} : { confirmationUrl: row.confirmation_url }),
  ...(row.our_domain === null || row.our_identity === null
    ? {}
    : { ourCredential: { domain: row.our_domain, identity: row.our_identity } }),
});

/** The partner's cXML identity as the answers need it: with our shared secret, still sealed (ourCxmlSecretContext). */
export async function getCxmlChannel(
  db: Database,
  partnerId: string,
): Promise<(PartnerCxml & { ourCredential?: CxmlCredential & { sealedSecret: string } }) | undefined> {
  const row = await db<CxmlRow>('partner_cxml').where({ partner_id: partnerId }).first();
  if (row === undefined) return undefined;
  const { ourCredential, ...cxml } = toCxml(row);
  return ourCredential === undefined || row.our_secret_sealed === null
    ? cxml
    : { ...cxml, ourCredential: { ...ourCredential, sealedSecret: row.our_secret_sealed } };
}

export async function getPartnerCxml(db: Database, partnerId: string): Promise<PartnerCxml | undefined> {
  const row = await db<CxmlRow>('partner_cxml').where({ partner_id: partnerId }).first();
  return row === undefined ? undefined : toCxml(row);
}

/**
 * The partner a cXML sender claims to be, if its shared secret matches (compared in constant
 * time). Credential domains are case-insensitive in practice ("NetworkId" / "NetworkID").
 */
export async function authenticateCxml(
  db: Database,
  fromDomain: string,
  fromIdentity: string,
  sharedSecret: string,
): Promise<{ partnerId: string; cxml: PartnerCxml } | undefined> {
  const row = await db<CxmlRow>('partner_cxml')
    .whereRaw('lower(from_domain) = lower(?)', [fromDomain])
    .andWhere({ from_identity: fromIdentity })
    .first();
  if (row === undefined) return undefined;
  const expected = Buffer.from(row.secret_hash, 'hex');
  const actual = hashSecret(row.secret_salt, sharedSecret);
  return timingSafeEqual(expected, actual) ? { partnerId: row.partner_id, cxml: toCxml(row) } : undefined;
}

/**
 * A webhook source: a shop platform account (or any Standard Webhooks sender) posting orders for a
 * partner. The database only ever holds its secret sealed (see adapters/webhook/secret-box.ts).
 */
export interface WebhookSource {
  id: string;
  partnerId: string;
  kind: string;
  /** The sender's account as its header names it (a Shopify shop domain), lower case. */
  account?: string;
  map: string;
  createdAt: string;
}

interface WebhookSourceRow {
  id: string;
  partner_id: string;
  kind: string;
  account: string | null;
  map: string;
  secret_sealed: string;
  created_at: Date;
}

const toWebhookSource = (row: WebhookSourceRow): WebhookSource => ({
  id: row.id,
  partnerId: row.partner_id,
  kind: row.kind,
  ...(row.account === null ? {} : { account: row.account }),
  map: row.map,
  createdAt: new Date(row.created_at).toISOString(),
});

export type NewWebhookSource = Omit<WebhookSource, 'createdAt'> & { sealedSecret: string };

/** The source, or 'account-taken' when another source of the same kind already has this account. */
export async function insertWebhookSource(db: Database, source: NewWebhookSource): Promise<WebhookSource | 'account-taken'> {
  const account = source.account?.toLowerCase() ?? null;
  const [row] = await db<WebhookSourceRow>('webhook_sources')
    .insert({
      id: source.id,
      partner_id: source.partnerId,
      kind: source.kind,
      account,
      map: source.map,
      secret_sealed: source.sealedSecret,
    })
    .onConflict(['kind', 'account'])
    .ignore()
    .returning('*');
  return row === undefined ? 'account-taken' : toWebhookSource(row);
}

/** By its id (sources posting to their own URL) or by kind and account (Shopify's shop domain). */
export async function findWebhookSource(
  db: Database,
  by: { id: string } | { kind: string; account: string },
): Promise<(WebhookSource & { sealedSecret: string }) | undefined> {
  const query = db<WebhookSourceRow>('webhook_sources');
  if ('id' in by) query.where({ id: by.id });
  else query.where({ kind: by.kind, account: by.account.toLowerCase() });
  const row = await query.first();
  return row === undefined ? undefined : { ...toWebhookSource(row), sealedSecret: row.secret_sealed };
}
