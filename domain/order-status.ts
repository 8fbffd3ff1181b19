import { defineMachine } from './state-machine.ts';

export const orderStatuses = [
  'received',
  'held',
  'pending_approval',
  'approved',
  'rejected',
  'decomposed',
  'in_fulfillment',
  'partially_shipped',
  'fulfilled',
  'ready_for_billing',
  'billed',
  'cancelled',
  'failed',
] as const;

export type OrderStatus = (typeof orderStatuses)[number];

/** Cancelling is possible until something has shipped. */
const cancellable = ['received', 'held', 'pending_approval', 'approved', 'decomposed', 'in_fulfillment'] as const;

/** Every legal transition, listed once. Terminal states have no entry. */
export const orderTransitions: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  // Held: items nobody could resolve yet wait for a cross-reference (or a person's decision).
  received: ['held', 'pending_approval', 'decomposed', 'rejected', 'cancelled', 'failed'],
  held: ['pending_approval', 'decomposed', 'rejected', 'cancelled', 'failed'],
  pending_approval: ['approved', 'rejected', 'cancelled', 'failed'],
  approved: ['decomposed', 'cancelled', 'failed'],
  decomposed: ['in_fulfillment', 'cancelled', 'failed'],
  in_fulfillment: ['partially_shipped', 'fulfilled', 'cancelled', 'failed'],
  partially_shipped: ['fulfilled', 'failed'],
  fulfilled: ['ready_for_billing', 'failed'],
  ready_for_billing: ['billed', 'failed'],
  rejected: [],
  billed: [],
  cancelled: [],
  failed: [],
};

export const orderMachine = defineMachine('an order', orderStatuses, orderTransitions);

export const canCancel = (status: OrderStatus): boolean => (cancellable as readonly string[]).includes(status);
