import type { ApprovalContext, PartnerFacts } from './approval-policy.ts';
import { listPriceOf, type Catalog } from './catalog.ts';
import type { CanonicalOrder } from './order.ts';

/**
 * The context policies are evaluated in, from the canonical order (after item resolution: a line
 * still without a SKU the catalog plans is named in `unresolvedLines`), the partner's facts and the
 * catalog's list prices in the order's currency.
 */
export function approvalContext(
  order: CanonicalOrder,
  partnerId: string,
  partner: PartnerFacts,
  catalog: Catalog,
  unresolvedLines: readonly string[] = [],
): ApprovalContext {
  const unresolved = new Set(unresolvedLines);
  const listPrices = new Map<string, number>();
  const lines = order.lines.map((line) => {
    if (line.sku !== undefined) {
      const price = listPriceOf(catalog, line.sku, order.currency);
      if (price !== undefined) listPrices.set(line.sku, price);
    }
    return {
      lineNumber: line.lineNumber,
      quantity: line.quantity,
      ...(line.parentLineNumber === undefined ? {} : { parentLineNumber: line.parentLineNumber }),
      ...(line.sku === undefined ? {} : { sku: line.sku }),
      ...(line.unitPrice === undefined ? {} : { unitPrice: line.unitPrice }),
      ...(unresolved.has(line.lineNumber) ? { unresolved: true } : {}),
    };
  });
  return {
    partnerId,
    currency: order.currency,
    computedTotal: order.totals.amount,
    ...(order.statedTotal === undefined ? {} : { statedTotal: order.statedTotal }),
    lines,
    partner,
    listPrices,
  };
}
