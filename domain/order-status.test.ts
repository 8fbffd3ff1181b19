import { describe, expect, it } from 'vitest';
import { canCancel, orderMachine, orderStatuses, orderTransitions, type OrderStatus } from './order-status.ts';
import { IllegalTransitionError } from './state-machine.ts';

const { assertMove, isTerminal } = orderMachine;

const legal: [OrderStatus, OrderStatus][] = orderStatuses.flatMap((from) =>
  orderTransitions[from].map((to) => [from, to] as [OrderStatus, OrderStatus]),
);
const illegal: [OrderStatus, OrderStatus][] = orderStatuses.flatMap((from) =>
  orderStatuses.filter((to) => !orderTransitions[from].includes(to)).map((to) => [from, to] as [OrderStatus, OrderStatus]),
);

describe('order state machine', () => {
  it('follows DESIGN.md: the approval branch, the fulfilment chain, cancel and fail from open states', () => {
    expect(orderTransitions.received).toEqual(expect.arrayContaining(['pending_approval', 'decomposed']));
    expect(orderTransitions.pending_approval).toEqual(expect.arrayContaining(['approved', 'rejected']));
    const chain: OrderStatus[] = [
      'approved',
      'decomposed',
      'in_fulfillment',
      'partially_shipped',
      'fulfilled',
      'ready_for_billing',
      'billed',
    ];
    for (let i = 0; i < chain.length - 1; i++) expect(orderTransitions[chain[i] as OrderStatus]).toContain(chain[i + 1]);
    for (const status of orderStatuses.filter((s) => !isTerminal(s))) expect(orderTransitions[status]).toContain('failed');
    expect(orderStatuses.filter(isTerminal).sort()).toEqual(['billed', 'cancelled', 'failed', 'rejected']);
  });

  it.each(legal)('%s → %s is legal', (from, to) => {
    expect(assertMove(from, to)).toBe(to);
  });

  it.each(illegal)('%s → %s is a typed error', (from, to) => {
    const attempt = () => assertMove(from, to);
    expect(attempt).toThrow(IllegalTransitionError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ from, to });
      expect((error as Error).message).toContain(`"${from}"`);
    }
  });

  it('allows cancelling only until something has shipped', () => {
    expect(orderStatuses.filter(canCancel)).toEqual(['received', 'held', 'pending_approval', 'approved', 'decomposed', 'in_fulfillment']);
    for (const status of orderStatuses.filter(canCancel)) expect(orderTransitions[status]).toContain('cancelled');
  });
});
