import type { Knex } from 'knex';
import type { PartnerFacts, TotalMismatchSetting } from '../../domain/approval-policy.ts';
import type { Database } from './connect.ts';

// What approval policies ask of a partner, read in one statement inside the order's transaction.

/** Terminal order states (domain/order-status.ts); the partial index orders_open_by_partner (017) holds the others. */
const terminal = `('rejected', 'billed', 'cancelled', 'failed')`;

export const totalMismatchOf = (value: string | null | undefined): TotalMismatchSetting =>
  value === 'refuse' || value === 'accept' ? value : 'hold';

interface FactsRow {
  trusted: boolean;
  credit_limit: string | null;
  credit_limit_currency: string | null;
  total_mismatch: string;
  orders_so_far: string | number;
  open_value: string | number;
  prices: Record<string, string | number>;
}

/**
 * The partner's facts for an order in `currency` of these SKUs: its orders stored before this one
 * (counted up to `countUpTo`, the most a policy's firstOrders asks: a partner with a million orders
 * costs no more), the computed totals of its other open orders in that currency (through the
 * partial index of open orders), its credit limit, trusted flag, stated-total setting and contract
 * prices in that currency. `orderId`, the order being evaluated when it is stored already, is left
 * out of both counts. Undefined: no such partner.
 */
export async function approvalFacts(
  trx: Knex.Transaction | Database,
  partnerId: string,
  skus: readonly string[],
  currency: string,
  options: { orderId?: string; countUpTo?: number } = {},
): Promise<PartnerFacts | undefined> {
  const orderId = options.orderId ?? '';
  const result = await trx.raw(
    `SELECT p.trusted, p.credit_limit, p.credit_limit_currency, p.total_mismatch,
       (SELECT count(*) FROM (SELECT 1 FROM orders o WHERE o.partner_id = p.id AND o.id <> ? LIMIT ?) AS earlier) AS orders_so_far,
       (SELECT coalesce(sum((o.totals->>'amount')::numeric), 0) FROM orders o
         WHERE o.partner_id = p.id AND o.currency = ? AND o.status NOT IN ${terminal} AND o.id <> ?) AS open_value,
       (SELECT coalesce(jsonb_object_agg(c.sku, c.unit_price), '{}'::jsonb) FROM partner_prices c
         WHERE c.partner_id = p.id AND c.currency = ? AND c.sku IN (SELECT jsonb_array_elements_text(?::jsonb))) AS prices
     FROM partners p WHERE p.id = ?`,
    [orderId, options.countUpTo ?? 1000, currency, orderId, currency, JSON.stringify(skus), partnerId],
  );
  const row = (result.rows as FactsRow[])[0];
  if (row === undefined) return undefined;
  return {
    ordersSoFar: Number(row.orders_so_far),
    openOrderValue: Number(row.open_value),
    trusted: row.trusted,
    totalMismatch: totalMismatchOf(row.total_mismatch),
    contractPrices: new Map(Object.entries(row.prices).map(([sku, price]) => [sku, Number(price)])),
    ...(row.credit_limit === null || row.credit_limit_currency === null
      ? {}
      : { creditLimit: { amount: Number(row.credit_limit), currency: row.credit_limit_currency } }),
  };
}

/** The partner's stated-total setting alone, for the channel that judges an order before its transaction (domain/stated-total.ts). */
export async function partnerTotalMismatch(db: Knex.Transaction | Database, partnerId: string): Promise<TotalMismatchSetting> {
  const row: { total_mismatch: string } | undefined = await db('partners').where({ id: partnerId }).first('total_mismatch');
  return totalMismatchOf(row?.total_mismatch);
}
