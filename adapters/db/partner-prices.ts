import type { Knex } from 'knex';
import type { Database } from './connect.ts';

/** A partner's contract price of one SKU in one currency. */
export interface ContractPrice {
  sku: string;
  currency: string;
  unitPrice: number;
  updatedAt: string;
}

interface PriceRow {
  sku: string;
  currency: string;
  unit_price: string;
  updated_at: Date;
}

const toPrice = (row: PriceRow): ContractPrice => ({
  sku: row.sku,
  currency: row.currency,
  unitPrice: Number(row.unit_price),
  updatedAt: new Date(row.updated_at).toISOString(),
});

/** A page of the partner's contract prices by SKU then currency, after `after`, optionally of one SKU. */
export async function listContractPrices(
  db: Database,
  partnerId: string,
  page: { after?: { sku: string; currency: string }; limit: number; sku?: string },
): Promise<ContractPrice[]> {
  const query = db('partner_prices').where('partner_id', partnerId);
  if (page.after !== undefined) query.andWhereRaw('(sku, currency) > (?, ?)', [page.after.sku, page.after.currency]);
  if (page.sku !== undefined) query.andWhere('sku', page.sku);
  const rows: PriceRow[] = await query.orderBy(['sku', 'currency']).limit(page.limit).select('sku', 'currency', 'unit_price', 'updated_at');
  return rows.map(toPrice);
}

/** Adds or replaces contract prices (by SKU and currency) in one transaction, in slices that keep each statement's parameters bounded. */
export async function putContractPrices(
  db: Database,
  partnerId: string,
  prices: readonly { sku: string; currency: string; unitPrice: number }[],
): Promise<void> {
  const now = new Date();
  const rows = prices.map((price) => ({
    partner_id: partnerId,
    sku: price.sku,
    currency: price.currency,
    unit_price: price.unitPrice,
    updated_at: now,
  }));
  await db.transaction(async (trx: Knex.Transaction) => {
    for (let start = 0; start < rows.length; start += 1_000)
      await trx('partner_prices')
        .insert(rows.slice(start, start + 1_000))
        .onConflict(['partner_id', 'sku', 'currency'])
        .merge(['unit_price', 'updated_at']);
  });
}
