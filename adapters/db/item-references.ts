import type { Knex } from 'knex';
import type { Database } from './connect.ts';

/** One of a partner's cross-references: its item number → our SKU. */
export interface ItemReference {
  partnerItem: string;
  sku: string;
  description?: string;
  updatedAt: string;
}

interface ItemReferenceRow {
  partner_item: string;
  sku: string;
  description: string | null;
  updated_at: Date;
}

const toReference = (row: ItemReferenceRow): ItemReference => ({
  partnerItem: row.partner_item,
  sku: row.sku,
  ...(row.description === null ? {} : { description: row.description }),
  updatedAt: new Date(row.updated_at).toISOString(),
});

/** The partner's cross-references among `values`, as a lookup table. */
export async function partnerItems(trx: Knex.Transaction, partnerId: string, values: readonly string[]): Promise<Map<string, string>> {
  if (values.length === 0) return new Map();
  const rows: { partner_item: string; sku: string }[] = await trx('partner_item_references')
    .where({ partner_id: partnerId })
    // One parameter however many identifiers an order of 5,000 lines brings.
    .whereRaw('partner_item IN (SELECT jsonb_array_elements_text(?::jsonb))', [JSON.stringify(values)])
    .select('partner_item', 'sku');
  return new Map(rows.map((row) => [row.partner_item, row.sku]));
}

/** A page of the partner's cross-references in item order, after `after` (an item number), optionally those starting with `prefix`. */
export async function listItemReferences(
  db: Database,
  partnerId: string,
  page: { after?: string; limit: number; prefix?: string },
): Promise<ItemReference[]> {
  const query = db('partner_item_references').where('partner_id', partnerId);
  if (page.after !== undefined) query.andWhere('partner_item', '>', page.after);
  if (page.prefix !== undefined) query.andWhere('partner_item', 'like', `${page.prefix.replace(/[\\%_]/g, '\\$&')}%`);
  const rows: ItemReferenceRow[] = await query
    .orderBy('partner_item')
    .limit(page.limit)
    .select('partner_item', 'sku', 'description', 'updated_at');
  return rows.map(toReference);
}

/** Adds or replaces cross-references (by item number), in slices that keep each statement's parameters bounded. */
export async function putItemReferences(
  trx: Knex.Transaction,
  partnerId: string,
  references: readonly { partnerItem: string; sku: string; description?: string }[],
): Promise<void> {
  const now = new Date();
  const rows = references.map((reference) => ({
    partner_id: partnerId,
    partner_item: reference.partnerItem,
    sku: reference.sku,
    description: reference.description ?? null,
    updated_at: now,
  }));
  for (let start = 0; start < rows.length; start += 1_000) {
    await trx('partner_item_references')
      .insert(rows.slice(start, start + 1_000))
      .onConflict(['partner_id', 'partner_item'])
      .merge(['sku', 'description', 'updated_at']);
  }
}

/** Removes one cross-reference; false when there was none. */
export async function deleteItemReference(db: Database, partnerId: string, partnerItem: string): Promise<boolean> {
  return (await db('partner_item_references').where({ partner_id: partnerId, partner_item: partnerItem }).delete()) > 0;
}
