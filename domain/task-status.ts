import type { PlannedTask } from './plan.ts';
import { defineMachine } from './state-machine.ts';

/**
 * A task: blocked (waiting on its dependencies) → ready → dispatched → acknowledged →
 * in_progress → done | failed | cancelled. A person's task is "dispatched" when it is put on
 * that person's task list, and "acknowledged" when they take it.
 */
export const taskStatuses = ['blocked', 'ready', 'dispatched', 'acknowledged', 'in_progress', 'done', 'failed', 'cancelled'] as const;

export type TaskStatus = (typeof taskStatuses)[number];

/**
 * Every legal task transition, listed once. Terminal states have no entry.
 * A vendor may answer `complete` right after its `ack` (no `progress` in between), hence
 * acknowledged → done; nothing fails before it has been sent, and anything open can be cancelled.
 * A retryable failure puts a sent task back to ready, to be sent again later.
 */
export const taskTransitions: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  blocked: ['ready', 'cancelled'],
  ready: ['dispatched', 'cancelled'],
  dispatched: ['ready', 'acknowledged', 'failed', 'cancelled'],
  acknowledged: ['ready', 'in_progress', 'done', 'failed', 'cancelled'],
  in_progress: ['ready', 'done', 'failed', 'cancelled'],
  done: [],
  failed: [],
  cancelled: [],
};

export const taskMachine = defineMachine('a task', taskStatuses, taskTransitions);

type Node = Pick<PlannedTask, 'key' | 'dependsOn'>;

/** A new task is ready when it depends on nothing, blocked otherwise. */
export const initialTaskStatus = (task: Node): TaskStatus => (task.dependsOn.length === 0 ? 'ready' : 'blocked');

/** The tasks not yet done whose dependencies are all done, in plan order. */
export function readyTasks<T extends Node>(plan: { tasks: readonly T[] }, doneKeys: Iterable<string>): T[] {
  const done = new Set(doneKeys);
  return plan.tasks.filter((task) => !done.has(task.key) && task.dependsOn.every((key) => done.has(key)));
}

/**
 * The keys of the blocked tasks that may now become ready: every dependency is done.
 * A task with no entry in `statuses` counts as not done; only tasks whose status is blocked are returned.
 */
export function unblock(plan: { tasks: readonly Node[] }, statuses: ReadonlyMap<string, TaskStatus>): string[] {
  const done = [...statuses].filter(([, status]) => status === 'done').map(([key]) => key);
  return readyTasks(plan, done)
    .filter((task) => statuses.get(task.key) === 'blocked')
    .map((task) => task.key);
}
