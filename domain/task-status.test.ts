import { describe, expect, it } from 'vitest';
import { IllegalTransitionError } from './state-machine.ts';
import { initialTaskStatus, readyTasks, taskMachine, taskStatuses, taskTransitions, unblock, type TaskStatus } from './task-status.ts';

const { assertMove, isTerminal } = taskMachine;

const pairs = taskStatuses.flatMap((from) => taskStatuses.map((to) => [from, to] as [TaskStatus, TaskStatus]));

describe('task state machine', () => {
  it.each(pairs)('%s → %s', (from, to) => {
    if (taskTransitions[from].includes(to)) expect(assertMove(from, to)).toBe(to);
    else expect(() => assertMove(from, to)).toThrow(IllegalTransitionError);
  });

  it('walks the happy path of DESIGN.md, and ends in done, failed or cancelled', () => {
    const path: TaskStatus[] = ['blocked', 'ready', 'dispatched', 'acknowledged', 'in_progress', 'done'];
    path.slice(1).forEach((to, index) => expect(assertMove(path[index] as TaskStatus, to)).toBe(to));
    expect(taskStatuses.filter(isTerminal)).toEqual(['done', 'failed', 'cancelled']);
  });

  it('lets every open task be cancelled, and nothing fail before it was sent', () => {
    const open = taskStatuses.filter((status) => !isTerminal(status));
    expect(open.filter((status) => taskTransitions[status].includes('cancelled'))).toEqual(open);
    expect(taskStatuses.filter((status) => taskTransitions[status].includes('failed'))).toEqual([
      'dispatched',
      'acknowledged',
      'in_progress',
    ]);
  });

  it('allows exactly the transitions decided on (a changed table must change this test)', () => {
    expect(taskTransitions).toEqual({
      blocked: ['ready', 'cancelled'],
      ready: ['dispatched', 'cancelled'],
      dispatched: ['ready', 'acknowledged', 'failed', 'cancelled'],
      acknowledged: ['ready', 'in_progress', 'done', 'failed', 'cancelled'],
      in_progress: ['ready', 'done', 'failed', 'cancelled'],
      done: [],
      failed: [],
      cancelled: [],
    });
  });

  it('lists each transition once', () => {
    for (const status of taskStatuses) expect(new Set(taskTransitions[status]).size, status).toBe(taskTransitions[status].length);
  });

  it('says what is allowed instead', () => {
    expect(() => assertMove('blocked', 'dispatched')).toThrow(
      'a task in state "blocked" cannot become "dispatched"; allowed: ready, cancelled',
    );
    expect(() => assertMove('done', 'ready')).toThrow('a task in state "done" cannot become "ready"; allowed: none (terminal)');
  });
});

// The seed's internet bundle order, as domain/plan.test.ts plans it.
const plan = {
  tasks: [
    { key: '1:ship', dependsOn: [] },
    { key: '2:customer-activation', dependsOn: ['2.1:ship-modem', '2.2:activate-port'] },
    { key: '2.1:ship-modem', dependsOn: [] },
    { key: '2.2:activate-port', dependsOn: [] },
  ],
};
const keys = (tasks: { key: string }[]): string[] => tasks.map((task) => task.key);

describe('readiness', () => {
  it('starts tasks without dependencies ready and the others blocked', () => {
    expect(plan.tasks.map(initialTaskStatus)).toEqual(['ready', 'blocked', 'ready', 'ready']);
  });

  it('makes a task ready once all of its dependencies are done, and never a done one', () => {
    expect(keys(readyTasks(plan, []))).toEqual(['1:ship', '2.1:ship-modem', '2.2:activate-port']);
    expect(keys(readyTasks(plan, ['2.1:ship-modem']))).toEqual(['1:ship', '2.2:activate-port']);
    expect(keys(readyTasks(plan, ['2.1:ship-modem', '2.2:activate-port']))).toEqual(['1:ship', '2:customer-activation']);
    expect(
      keys(
        readyTasks(
          plan,
          plan.tasks.map((task) => task.key),
        ),
      ),
    ).toEqual([]);
  });

  it('unblocks only blocked tasks whose dependencies are all done', () => {
    const statuses = (entries: [string, TaskStatus][]) => new Map<string, TaskStatus>(entries);
    expect(
      unblock(
        plan,
        statuses([
          ['1:ship', 'dispatched'],
          ['2:customer-activation', 'blocked'],
          ['2.1:ship-modem', 'done'],
          ['2.2:activate-port', 'in_progress'],
        ]),
      ),
    ).toEqual([]);
    expect(
      unblock(
        plan,
        statuses([
          ['1:ship', 'ready'],
          ['2:customer-activation', 'blocked'],
          ['2.1:ship-modem', 'done'],
          ['2.2:activate-port', 'done'],
        ]),
      ),
    ).toEqual(['2:customer-activation']);
    expect(
      unblock(
        plan,
        statuses([
          ['2:customer-activation', 'cancelled'],
          ['2.1:ship-modem', 'done'],
          ['2.2:activate-port', 'done'],
        ]),
      ),
    ).toEqual([]);
    expect(
      unblock(
        plan,
        statuses([
          ['2:customer-activation', 'blocked'],
          ['2.1:ship-modem', 'done'],
          ['2.2:activate-port', 'failed'],
        ]),
      ),
    ).toEqual([]);
  });
});
