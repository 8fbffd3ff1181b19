import { approvalContext } from '../domain/approval-context.ts';
import {
  evaluateApprovals,
  statedTotalDiffers,
  type ApprovalPolicy,
  type PartnerFacts,
  type PolicyConditions,
} from '../domain/approval-policy.ts';
import type { Catalog } from '../domain/catalog.ts';
import type { ApprovalGate } from './approvals.ts';

// The approval policies as the order flow's gate: the partner's facts read only when a policy (or
// a stated total that is not the lines') needs them, so that with policies on totals alone, as
// the demo's, an order costs no extra statement.

/** Facts that stand in when no policy asks for any: nothing about them can catch an order. */
const noFacts: PartnerFacts = {
  ordersSoFar: Number.MAX_SAFE_INTEGER,
  openOrderValue: 0,
  trusted: false,
  totalMismatch: 'hold',
  contractPrices: new Map(),
};

const conditionsOf = (policy: ApprovalPolicy): PolicyConditions[] => [
  policy.conditions,
  ...Object.values(policy.partners).flatMap((override) => (override.conditions === undefined ? [] : [override.conditions])),
];

/** Whether any policy reads the partner's facts: its contract prices, orders so far, open orders, or trust. */
export function policiesNeedFacts(policies: readonly ApprovalPolicy[]): boolean {
  return policies.some(
    (policy) =>
      policy.autoApprove.some((rule) => rule.trusted !== undefined) ||
      conditionsOf(policy).some(
        (conditions) =>
          conditions.priceDeviation !== undefined ||
          conditions.firstOrders !== undefined ||
          conditions.overCreditLimit === true ||
          conditions.statedTotalMismatch === true,
      ),
  );
}

/** The gate `pipeline/approvals.ts` asks about every stored order (Parts.approvals.gate). */
export function policyGate(policies: readonly ApprovalPolicy[], catalog: Catalog): ApprovalGate {
  const needFacts = policiesNeedFacts(policies);
  const countUpTo = Math.max(1, ...policies.flatMap((policy) => conditionsOf(policy).map((conditions) => conditions.firstOrders ?? 0)));
  return async (tx, order) => {
    let facts = noFacts;
    if (needFacts || statedTotalDiffers(order.statedTotal, order.totals.amount)) {
      const skus = [...new Set(order.lines.flatMap((line) => (line.sku === undefined ? [] : [line.sku])))];
      facts = (await tx.approvalFacts(order.partnerId, skus, order.currency, { orderId: order.id, countUpTo })) ?? noFacts;
    }
    // Lines still without a SKU never get here (the order is held for the order desk first).
    const unresolved = order.lines.flatMap((line) => (line.sku === undefined ? [line.lineNumber] : []));
    const verdict = evaluateApprovals(policies, approvalContext(order, order.partnerId, facts, catalog, unresolved));
    return verdict.required ? { required: true, reasons: verdict.reasons, levels: verdict.levels } : { required: false };
  };
}
