/**
 * The shape every state machine shares (order, line, task): its states, the legal moves out of
 * each, listed once, and the checks derived from them. A state with no move out is terminal.
 */
export interface StateMachine<S extends string> {
  readonly states: readonly S[];
  readonly transitions: Readonly<Record<S, readonly S[]>>;
  canMove(from: S, to: S): boolean;
  /** Returns `to`, or throws IllegalTransitionError. */
  assertMove(from: S, to: S): S;
  isTerminal(state: S): boolean;
}

export class IllegalTransitionError extends Error {
  constructor(
    /** What moves: "an order", "a task", "a line". */
    readonly subject: string,
    readonly from: string,
    readonly to: string,
    allowed: readonly string[],
  ) {
    super(`${subject} in state "${from}" cannot become "${to}"; allowed: ${allowed.join(', ') || 'none (terminal)'}`);
    this.name = 'IllegalTransitionError';
  }
}

export function defineMachine<S extends string>(
  subject: string,
  states: readonly S[],
  transitions: Readonly<Record<S, readonly S[]>>,
): StateMachine<S> {
  const canMove = (from: S, to: S): boolean => transitions[from].includes(to);
  return {
    states,
    transitions,
    canMove,
    assertMove(from, to) {
      if (!canMove(from, to)) throw new IllegalTransitionError(subject, from, to, transitions[from]);
      return to;
    },
    isTerminal: (state) => transitions[state].length === 0,
  };
}
