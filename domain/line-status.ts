import { defineMachine } from './state-machine.ts';

export const lineStatuses = [
  'open',
  'accepted',
  'rejected',
  'backordered',
  'changed',
  'partially_shipped',
  'shipped',
  'delivered',
  'completed',
  'cancelled',
] as const;

export type LineStatus = (typeof lineStatuses)[number];

const acknowledged = ['accepted', 'backordered', 'changed'] as const;

/**
 * Every legal line transition, listed once. A backordered or changed line may still be shipped. A
 * service line (a port turned on, an installation) is completed without ever being shipped.
 */
export const lineTransitions: Readonly<Record<LineStatus, readonly LineStatus[]>> = {
  open: ['accepted', 'rejected', 'backordered', 'changed', 'cancelled'],
  accepted: ['partially_shipped', 'shipped', 'completed', 'cancelled'],
  backordered: ['accepted', 'partially_shipped', 'shipped', 'completed', 'cancelled'],
  changed: ['accepted', 'partially_shipped', 'shipped', 'completed', 'cancelled'],
  partially_shipped: ['shipped'],
  shipped: ['delivered', 'completed'],
  delivered: ['completed'],
  rejected: [],
  completed: [],
  cancelled: [],
};

export const lineMachine = defineMachine('a line', lineStatuses, lineTransitions);

export const isAcknowledged = (status: LineStatus): boolean =>
  status === 'rejected' || (acknowledged as readonly string[]).includes(status);
