import type { ApprovalReason } from './approval.ts';
import { statedTotalReason, statedTotalFallback, type TotalMismatchSetting } from './approval-policy.ts';
import { validateOrder, type CanonicalOrder, type OrderDraft, type OrderProblem } from './order.ts';

/**
 * A stated total that does not match the lines is a business discrepancy, not a broken document:
 * what it comes to is the partner's setting. `refuse` keeps today's answer (validateOrder's
 * `total-mismatch`, 422 / the channel's refusal); `hold` keeps the order, stated total and all,
 * for a person to decide (`evaluateApprovals` holds it, by a policy's statedTotalMismatch
 * condition or else `statedTotalFallback`); `accept` keeps it and lets it through.
 */
export type StatedTotalJudgement =
  | { kind: 'valid'; order: CanonicalOrder }
  | { kind: 'refused'; problems: OrderProblem[] }
  | { kind: 'held'; order: CanonicalOrder; reason: ApprovalReason }
  | { kind: 'accepted'; order: CanonicalOrder; detail: string };

/** validateOrder, with the stated total's mismatch judged by the partner's setting. Other problems refuse as before. */
export function judgeStatedTotal(
  draft: OrderDraft,
  setting: TotalMismatchSetting,
  options: { allowZeroQuantity?: boolean } = {},
): StatedTotalJudgement {
  const validated = validateOrder(draft, options);
  if (validated.ok) return { kind: 'valid', order: validated.value };
  const onlyMismatch = validated.error.every((problem) => problem.code === 'total-mismatch');
  if (!onlyMismatch || setting === 'refuse' || draft.statedTotal === undefined) return { kind: 'refused', problems: validated.error };
  const { statedTotal, ...rest } = draft;
  const lines = validateOrder(rest, options);
  if (!lines.ok) return { kind: 'refused', problems: validated.error };
  const order: CanonicalOrder = { ...lines.value, statedTotal };
  const reason = statedTotalReason(statedTotalFallback.name, statedTotal, order.totals.amount, order.currency);
  return setting === 'hold' ? { kind: 'held', order, reason } : { kind: 'accepted', order, detail: reason.detail };
}
