import { describe, expect, it } from 'vitest';
import { defineMachine, IllegalTransitionError } from './state-machine.ts';

const states = ['off', 'on', 'broken'] as const;
const lamp = defineMachine('a lamp', states, { off: ['on', 'broken'], on: ['off', 'broken'], broken: [] });

describe('state machine shape', () => {
  it('allows exactly the moves in its table', () => {
    expect(lamp.canMove('off', 'on')).toBe(true);
    expect(lamp.canMove('on', 'on')).toBe(false);
    expect(lamp.canMove('broken', 'off')).toBe(false);
    expect(lamp.assertMove('on', 'broken')).toBe('broken');
  });

  it('calls a state with no move out terminal', () => {
    expect(states.filter(lamp.isTerminal)).toEqual(['broken']);
  });

  it('refuses an illegal move with a typed error naming what moves, both states and what is allowed instead', () => {
    expect(() => lamp.assertMove('off', 'off')).toThrow(IllegalTransitionError);
    expect(() => lamp.assertMove('off', 'off')).toThrow(expect.objectContaining({ subject: 'a lamp', from: 'off', to: 'off' }));
    expect(() => lamp.assertMove('off', 'off')).toThrow('a lamp in state "off" cannot become "off"; allowed: on, broken');
    expect(() => lamp.assertMove('broken', 'on')).toThrow('a lamp in state "broken" cannot become "on"; allowed: none (terminal)');
  });

  it('keeps its table and states as given', () => {
    expect(lamp.states).toBe(states);
    expect(lamp.transitions.on).toEqual(['off', 'broken']);
  });
});
