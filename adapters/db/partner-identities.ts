import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import type { Database } from './connect.ts';

// The identities a partner sends under: its X12 ISA sender, its cXML From credential.

export interface PartnerX12 {
  qualifier: string;
  id: string;
  ourQualifier: string;
  ourId: string;
  version: string;
  map: string;
  endpointUrl?: string;
}

export interface PartnerCxml {
  fromDomain: string;
  fromIdentity: string;
  confirmationUrl?: string;
}

export type NewX12 = Omit<PartnerX12, 'version' | 'map'> & Partial<Pick<PartnerX12, 'version' | 'map'>>;
export type NewCxml = PartnerCxml & { sharedSecret: string };

interface X12Row {
  partner_id: string;
  qualifier: string;
  identifier: string;
  our_qualifier: string;
  our_identifier: string;
  version: string;
  map: string;
  endpoint_url: string | null;
}

const toX12 = (row: X12Row): PartnerX12 => ({
  qualifier: row.qualifier,
  id: row.identifier,
  ourQualifier: row.our_qualifier,
  ourId: row.our_identifier,
  version: row.version,
  map: row.map,
  ...(row.endpoint_url === null ? {} : { endpointUrl: row.endpoint_url }),
});

const toX12Row = (partnerId: string, x12: NewX12): X12Row => ({
  partner_id: partnerId,
  qualifier: x12.qualifier,
  identifier: x12.id,
  our_qualifier: x12.ourQualifier,
  our_identifier: x12.ourId,
  version: x12.version ?? '004010',
  map: x12.map ?? 'default',
  endpoint_url: x12.endpointUrl ?? null,
});

export async function insertX12(trx: Knex.Transaction, partnerId: string, x12: NewX12): Promise<PartnerX12> {
  const row = toX12Row(partnerId, x12);
  await trx('partner_x12').insert(row);
  return toX12(row);
}

/** Writes the partner's X12 identity whole, in place of the one it had (if any). */
export async function saveX12(trx: Knex.Transaction, partnerId: string, x12: NewX12): Promise<PartnerX12> {
  const row = toX12Row(partnerId, x12);
  await trx('partner_x12').insert(row).onConflict('partner_id').merge();
  return toX12(row);
}

export async function getPartnerX12(db: Database, partnerId: string): Promise<PartnerX12 | undefined> {
  const row = await db<X12Row>('partner_x12').where({ partner_id: partnerId }).first();
  return row === undefined ? undefined : toX12(row);
}

const hashSecret = (salt: string, secret: string): Buffer => createHash('sha256').update(salt).update('\u0000').update(secret).digest();

export async function insertCxml(trx: Knex.Transaction, partnerId: string, cxml: NewCxml): Promise<PartnerCxml> {
  const salt = randomBytes(16).toString('hex');
  await trx('partner_cxml').insert({
    partner_id: partnerId,
    from_domain: cxml.fromDomain,
    from_identity: cxml.fromIdentity,
    secret_salt: salt,
    secret_hash: hashSecret(salt, cxml.sharedSecret).toString('hex'),
    confirmation_url: cxml.confirmationUrl ?? null,
  });
  return {
    fromDomain: cxml.fromDomain,
    fromIdentity: cxml.fromIdentity,
    ...(cxml.confirmationUrl === undefined ? {} : { confirmationUrl: cxml.confirmationUrl }),
  };
}

/**
 * Writes the partner's cXML identity in place of the one it had. Without a new shared secret the
 * stored hash stays (the identity must then exist already); with one, a new salt and hash.
 */
export async function saveCxml(
  trx: Knex.Transaction,
  partnerId: string,
  cxml: PartnerCxml & { sharedSecret?: string },
): Promise<PartnerCxml> {
  const fields = { from_domain: cxml.fromDomain, from_identity: cxml.fromIdentity, confirmation_url: cxml.confirmationUrl ?? null };
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
  return {
    fromDomain: cxml.fromDomain,
    fromIdentity: cxml.fromIdentity,
    ...(cxml.confirmationUrl === undefined ? {} : { confirmationUrl: cxml.confirmationUrl }),
  };
}

/** The X12 and cXML identities of many partners at once (for a page of partners). */
export async function identitiesOf(db: Database, partnerIds: string[]): Promise<Map<string, { x12?: PartnerX12; cxml?: PartnerCxml }>> {
  const found = new Map<string, { x12?: PartnerX12; cxml?: PartnerCxml }>();
  if (partnerIds.length === 0) return found;
  const [x12Rows, cxmlRows] = await Promise.all([
    db<X12Row>('partner_x12').whereIn('partner_id', partnerIds),
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
}

const toCxml = (row: CxmlRow): PartnerCxml => ({
  fromDomain: row.from_domain,
  fromIdentity: row.from_identity,
  ...(row.confirmation_url === null ? {} : { confirmationUrl: row.confirmation_url }),
});

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
