import type { ApprovalLevel, ApprovalReason, Assignee } from './approval.ts';

// Approval policies as data (mappings/approvals/*.yaml, checked by approval-policy-check.ts) and
// their evaluation: which policies catch an order, why, and who decides in which order. Pure.

/** Currency code (ISO 4217) → amount; `*` stands for every currency not named. */
export type AmountsByCurrency = Readonly<Record<string, number>>;

/** What a partner's stated total that does not match its lines comes to (partner setting, default hold). */
export type TotalMismatchSetting = 'refuse' | 'hold' | 'accept';

/** The conditions of a policy; any one met catches the order, each met one is a reason. */
export interface PolicyConditions {
  /** The computed total at or above the amount of the order's currency. */
  totalAtLeast?: AmountsByCurrency;
  /** A line's unit price off its reference price (the partner's contract price, else the catalog list price) by more than `percent`. */
  priceDeviation?: { percent: number };
  /** The stated total is not the lines' total (and the partner's setting is not accept). */
  statedTotalMismatch?: boolean;
  /** Lines whose item resolved to no SKU. */
  unresolvedItems?: boolean;
  /** Lines of these SKUs. */
  restrictedSkus?: readonly string[];
  /** A line's quantity above this. */
  quantityAbove?: number;
  /** The partner's first N orders (this one among them). */
  firstOrders?: number;
  /** The partner's open orders with this one above its credit limit. */
  overCreditLimit?: boolean;
}

/** A rule that lets the order through without anyone deciding; every field given must hold. */
export interface AutoApproveRule {
  /** The computed total below the amount of the order's currency. */
  totalBelow?: AmountsByCurrency;
  /** The partner is trusted (its flag, or the policy's override for it). */
  trusted?: boolean;
}

/** How a policy treats one partner: off, other amounts, or trusted whatever the partner's flag says. */
export interface PartnerOverride {
  disabled?: boolean;
  /** Replaces the policy's conditions field by field. */
  conditions?: PolicyConditions;
  trusted?: boolean;
}

export interface ApprovalPolicy {
  name: string;
  description?: string;
  conditions: PolicyConditions;
  /** Numbered 1..n within the policy; renumbered when policies are combined. */
  levels: ApprovalLevel[];
  autoApprove: AutoApproveRule[];
  /** By partner id. */
  partners: Readonly<Record<string, PartnerOverride>>;
}

/** One line as evaluation needs it: from the canonical order after item resolution. */
export interface ContextLine {
  lineNumber: string;
  parentLineNumber?: string;
  sku?: string;
  quantity: number;
  unitPrice?: number;
  /** The line's item resolved to no SKU. */
  unresolved?: boolean;
}

/** What the gateway knows of the partner when the order comes (adapters/db/approval-facts.ts reads it). */
export interface PartnerFacts {
  /** The partner's orders stored before this one. */
  ordersSoFar: number;
  /** Sum of the computed totals of the partner's other orders in this order's currency that are not in a terminal state. */
  openOrderValue: number;
  creditLimit?: { amount: number; currency: string };
  trusted: boolean;
  totalMismatch: TotalMismatchSetting;
  /** SKU → the partner's contract unit price in this order's currency. */
  contractPrices: ReadonlyMap<string, number>;
}

export interface ApprovalContext {
  partnerId: string;
  currency: string;
  /** The lines' total as domain/order.ts computes it (CanonicalOrder.totals.amount). */
  computedTotal: number;
  statedTotal?: number;
  lines: readonly ContextLine[];
  partner: PartnerFacts;
  /** SKU → the catalog's list price in this order's currency (domain/catalog.ts listPriceOf). */
  listPrices: ReadonlyMap<string, number>;
}

export type ApprovalVerdict =
  | {
      required: false;
      /** Policies that caught the order and let it through by an auto-approval rule (for its history). */
      autoApproved: string[];
    }
  | { required: true; reasons: ApprovalReason[]; levels: ApprovalLevel[]; autoApproved: string[] };

/** Who decides a stated total held by the partner's setting when no policy's condition caught it: the order desk, one of them. */
export const statedTotalFallback: ApprovalPolicy = {
  name: 'stated-total-mismatch',
  description: "The partner's setting holds a stated total that does not match the lines; no policy names who decides",
  conditions: { statedTotalMismatch: true },
  levels: [{ level: 1, name: 'order desk', assignees: [{ role: 'order-desk' }], mode: 'any', method: 'click' }],
  autoApprove: [],
  partners: {},
};

/** Amounts are compared in ten-thousandths, the precision of unit prices and of domain/order.ts's totals. */
const units = (value: number): number => Math.round(value * 10_000);

const format = (amount: number, currency: string): string =>
  `${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })} ${currency}`;

const amountFor = (amounts: AmountsByCurrency | undefined, currency: string): number | undefined =>
  amounts === undefined
    ? undefined
    : Object.hasOwn(amounts, currency)
      ? amounts[currency]
      : Object.hasOwn(amounts, '*')
        ? amounts['*']
        : undefined;

/** The stated total differs from the lines' by a cent or more, as domain/order.ts judges it. */
export const statedTotalDiffers = (stated: number | undefined, computed: number): stated is number =>
  stated !== undefined && Math.abs(units(stated) - units(computed)) >= 100;

export function statedTotalReason(policy: string, stated: number, computed: number, currency: string): ApprovalReason {
  return {
    code: 'stated-total-mismatch',
    policy,
    detail: `stated total ${format(stated, currency)} is not the lines' total ${format(computed, currency)} (off by ${format(Math.abs(stated - computed), currency)})`,
  };
}

const percentText = (value: number): string => `${value.toLocaleString('en-US', { maximumFractionDigits: 2 })}%`;

function priceReasons(policy: string, percent: number, context: ApprovalContext): ApprovalReason[] {
  const reasons: ApprovalReason[] = [];
  for (const line of context.lines) {
    if (line.sku === undefined || line.unitPrice === undefined) continue;
    const contract = context.partner.contractPrices.get(line.sku);
    const reference = contract ?? context.listPrices.get(line.sku);
    if (reference === undefined) continue;
    const price = units(line.unitPrice);
    const base = units(reference);
    if (price === base) continue;
    // |price - base| / base > percent / 100, without dividing (a reference of 0 deviates by any price).
    if (Math.abs(price - base) * 100 <= percent * base) continue;
    const off =
      base === 0 ? 'above a price of 0' : `${percentText((Math.abs(price - base) / base) * 100)} ${price > base ? 'above' : 'below'}`;
    const against = contract === undefined ? 'the catalog list price' : "the partner's contract price";
    reasons.push({
      code: 'price-deviation',
      policy,
      lineNumber: line.lineNumber,
      detail: `line ${line.lineNumber} (${line.sku}): unit price ${format(line.unitPrice, context.currency)} is ${off} ${against} ${format(reference, context.currency)}; more than ${percentText(percent)} is held`,
    });
  }
  return reasons;
}

/** Every condition of `conditions` the order meets, each as a reason. */
export function conditionReasons(policy: string, conditions: PolicyConditions, context: ApprovalContext): ApprovalReason[] {
  const { currency, computedTotal, partner } = context;
  const reasons: ApprovalReason[] = [];
  const threshold = amountFor(conditions.totalAtLeast, currency);
  if (threshold !== undefined && units(computedTotal) >= units(threshold))
    reasons.push({
      code: 'total-at-least',
      policy,
      detail: `computed total ${format(computedTotal, currency)} is at or above ${format(threshold, currency)}`,
    });
  if (conditions.priceDeviation !== undefined) reasons.push(...priceReasons(policy, conditions.priceDeviation.percent, context));
  if (
    conditions.statedTotalMismatch === true &&
    partner.totalMismatch !== 'accept' &&
    statedTotalDiffers(context.statedTotal, computedTotal)
  )
    reasons.push(statedTotalReason(policy, context.statedTotal as number, computedTotal, currency));
  for (const line of context.lines) {
    if (conditions.unresolvedItems === true && line.unresolved === true)
      reasons.push({
        code: 'unresolved-items',
        policy,
        lineNumber: line.lineNumber,
        detail: `line ${line.lineNumber}: its item resolves to no SKU of ours`,
      });
    if (line.sku !== undefined && conditions.restrictedSkus?.includes(line.sku) === true)
      reasons.push({
        code: 'restricted-sku',
        policy,
        lineNumber: line.lineNumber,
        detail: `line ${line.lineNumber}: SKU ${line.sku} is restricted`,
      });
    if (conditions.quantityAbove !== undefined && line.quantity > conditions.quantityAbove)
      reasons.push({
        code: 'quantity-above',
        policy,
        lineNumber: line.lineNumber,
        detail: `line ${line.lineNumber}: quantity ${line.quantity} is above the maximum of ${conditions.quantityAbove}`,
      });
  }
  if (conditions.firstOrders !== undefined && partner.ordersSoFar < conditions.firstOrders)
    reasons.push({
      code: 'first-orders',
      policy,
      detail: `order ${partner.ordersSoFar + 1} of the partner; its first ${conditions.firstOrders} are held`,
    });
  if (conditions.overCreditLimit === true && partner.creditLimit !== undefined) {
    const limit = partner.creditLimit;
    if (limit.currency !== currency)
      reasons.push({
        code: 'credit-limit',
        policy,
        detail: `the credit limit is ${format(limit.amount, limit.currency)} and the order is in ${currency}: they cannot be compared`,
      });
    else if (units(partner.openOrderValue) + units(computedTotal) > units(limit.amount))
      reasons.push({
        code: 'credit-limit',
        policy,
        detail: `open orders ${format(partner.openOrderValue, currency)} and this order ${format(computedTotal, currency)} come to ${format(partner.openOrderValue + computedTotal, currency)}, above the credit limit of ${format(limit.amount, currency)}`,
      });
  }
  return reasons;
}

/** The policy as it applies to this partner: undefined when the partner's override turns it off. */
export function policyFor(policy: ApprovalPolicy, partnerId: string): { conditions: PolicyConditions; trusted?: boolean } | undefined {
  const override = Object.hasOwn(policy.partners, partnerId) ? policy.partners[partnerId] : undefined;
  if (override?.disabled === true) return undefined;
  return {
    conditions: { ...policy.conditions, ...override?.conditions },
    ...(override?.trusted === undefined ? {} : { trusted: override.trusted }),
  };
}

function autoApproved(rules: readonly AutoApproveRule[], trusted: boolean, context: ApprovalContext): boolean {
  return rules.some((rule) => {
    if (rule.trusted !== undefined && rule.trusted !== trusted) return false;
    if (rule.totalBelow !== undefined) {
      const below = amountFor(rule.totalBelow, context.currency);
      if (below === undefined || units(context.computedTotal) >= units(below)) return false;
    }
    return true;
  });
}

const assigneeKey = (assignee: Assignee): string => ('role' in assignee ? `role:${assignee.role}` : `person:${assignee.person}`);

/** Same people deciding the same way: asked once. */
const levelKey = (level: ApprovalLevel): string =>
  JSON.stringify([[...new Set(level.assignees.map(assigneeKey))].sort(), level.mode, level.method, level.signatureProvider ?? null]);

/**
 * The levels of the policies that caught the order, in policy order, each policy's in its own order;
 * a level asked of the same assignees (as a set) in the same mode and method as an earlier one is
 * not asked again (the earlier keeps its place, SLA and escalation). Numbered 1..n.
 */
export function combineLevels(caught: readonly ApprovalPolicy[]): ApprovalLevel[] {
  const seen = new Set<string>();
  const levels: ApprovalLevel[] = [];
  for (const policy of caught) {
    for (const level of policy.levels) {
      const key = levelKey(level);
      if (seen.has(key)) continue;
      seen.add(key);
      levels.push({ ...level, level: levels.length + 1 });
    }
  }
  return levels;
}

/**
 * Which policies catch the order and why. A policy catches it when one of its conditions (as the
 * partner's override leaves them) is met and none of its auto-approval rules holds. Reasons come in
 * policy order, then condition order. A stated total the partner's setting holds is never let
 * through: when no policy caught it for that reason, `statedTotalFallback` does (auto-approval
 * rules do not apply to it).
 */
export function evaluateApprovals(policies: readonly ApprovalPolicy[], context: ApprovalContext): ApprovalVerdict {
  const caught: ApprovalPolicy[] = [];
  const reasons: ApprovalReason[] = [];
  const passed: string[] = [];
  for (const policy of policies) {
    const applied = policyFor(policy, context.partnerId);
    if (applied === undefined) continue;
    const found = conditionReasons(policy.name, applied.conditions, context);
    if (found.length === 0) continue;
    if (autoApproved(policy.autoApprove, applied.trusted ?? context.partner.trusted, context)) {
      passed.push(policy.name);
      continue;
    }
    caught.push(policy);
    reasons.push(...found);
  }
  const heldByPartner =
    context.partner.totalMismatch === 'hold' &&
    statedTotalDiffers(context.statedTotal, context.computedTotal) &&
    !reasons.some((reason) => reason.code === 'stated-total-mismatch');
  if (heldByPartner) {
    caught.push(statedTotalFallback);
    reasons.push(statedTotalReason(statedTotalFallback.name, context.statedTotal as number, context.computedTotal, context.currency));
  }
  if (caught.length === 0) return { required: false, autoApproved: passed };
  return { required: true, reasons, levels: combineLevels(caught), autoApproved: passed };
}
