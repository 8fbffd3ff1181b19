import { validateOrder, type CanonicalOrder, type OrderDraft } from '../domain/order.ts';
import type { Problem } from '../domain/problem.ts';
import type { Result } from '../domain/result.ts';

/** A channel's own parse + map, then the rules every order obeys whatever its channel. */
export function validate<P>(payload: P, translate: (payload: P) => Result<OrderDraft, Problem[]>): Result<CanonicalOrder, Problem[]> {
  const draft = translate(payload);
  return draft.ok ? validateOrder(draft.value) : draft;
}
