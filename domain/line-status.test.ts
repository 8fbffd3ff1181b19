import { describe, expect, it } from 'vitest';
import { isAcknowledged, lineMachine, lineStatuses, lineTransitions, type LineStatus } from './line-status.ts';
import { IllegalTransitionError } from './state-machine.ts';

const { assertMove } = lineMachine;

const pairs = lineStatuses.flatMap((from) => lineStatuses.map((to) => [from, to] as [LineStatus, LineStatus]));

describe('line state machine', () => {
  it.each(pairs)('%s → %s', (from, to) => {
    if (lineTransitions[from].includes(to)) expect(assertMove(from, to)).toBe(to);
    else expect(() => assertMove(from, to)).toThrow(IllegalTransitionError);
  });

  it('knows which states are acknowledgements (the 855 reports them)', () => {
    expect(lineStatuses.filter(isAcknowledged)).toEqual(['accepted', 'rejected', 'backordered', 'changed']);
    expect(lineTransitions.open).toEqual(expect.arrayContaining(['accepted', 'rejected', 'backordered', 'changed']));
  });
});
