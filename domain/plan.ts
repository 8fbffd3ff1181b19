import { findCycles, lookup, type Catalog, type PlanSpec, type TaskType } from './catalog.ts';
import type { OrderLine } from './order.ts';
import type { Problem } from './problem.ts';
import { err, ok, type Result } from './result.ts';
import type { WorkingCalendar } from './working-calendar.ts';

/**
 * Decomposition: an order and the catalog → the task graph of its fulfillment.
 *
 * - One plan per line (not per unit): a line of MODEM-X1 × 2 is one ship task for two modems.
 * - A task's key is `${lineNumber}:${taskName}`; line numbers are unique in an order and task
 *   names in a plan, and a line gets at most one plan, so keys are unique and stable.
 * - A bundle line (one with component lines) whose SKU the catalog lists gets its SKU's plan.
 *   A task with `component: SKU` goes on the bundle's component line(s) with that SKU; when the
 *   bundle has no such line it goes on the bundle line itself, unless it is `optional`, in which
 *   case the order did not ask for it and it is left out (with any dependency on it).
 *   Tasks without a component go on the bundle line.
 * - Professional installation is asked for by the order's bundle having a TRUCK-ROLL component
 *   line: the catalog's truck-roll task is an optional component task of TRUCK-ROLL.
 * - A component line a bundle plan claims gets only the bundle plan's tasks, never its own
 *   SKU's stand-alone plan (the modem inside INTERNET-100 is not shipped twice). A component
 *   line no bundle task claims, or whose bundle SKU the catalog does not list, gets its own
 *   SKU's plan. A bundle line the catalog does not list gets no tasks of its own: its work is
 *   in its components.
 * - Every task on a bundle's lines, parent or component, carries the bundle's line number.
 * - A SKU the catalog does not list gets the default plan; without a default it is an
 *   `unknown-sku` problem. A line with no SKU is a `missing-sku` problem, default or not.
 */

export interface PlannedTask {
  key: string;
  name: string;
  type: TaskType;
  vendor?: string;
  person: boolean;
  /** Keys of tasks of this plan. */
  dependsOn: string[];
  slaMinutes: number;
  /** The SLA as written, and the calendar it counts in when it does. */
  sla: string;
  calendar?: WorkingCalendar;
  /** A person's task: the role whose list it goes on. */
  role?: string;
  lineNumber: string;
  /** The bundle's line number, on the tasks of the bundle line and of its components. */
  bundleLineNumber?: string;
}

export interface TaskPlan {
  /** In the order's line order, each line's tasks in catalog order. */
  tasks: PlannedTask[];
}

export interface PlanProblem extends Problem {
  /** JSON pointer into the canonical order (`/lines/<index>/sku`), or `/lines` for the graph. */
  pointer: string;
  code: 'missing-sku' | 'unknown-sku' | 'unknown-dependency' | 'cycle';
}

type Line = Pick<OrderLine, 'lineNumber' | 'parentLineNumber' | 'sku'>;

interface Target {
  line: Line;
  bundleLineNumber: string | undefined;
}

/** The tasks of one plan laid onto the order's lines. */
function instantiate(
  plan: PlanSpec,
  owner: Target,
  components: readonly Line[],
  claimed: Set<string>,
  problems: PlanProblem[],
  pointer: string,
): PlannedTask[] {
  const keysByName = new Map<string, string[]>();
  const placed: { spec: PlanSpec['tasks'][number]; target: Target }[] = [];
  for (const spec of plan.tasks) {
    let targets: Target[] = [owner];
    if (spec.component !== undefined) {
      const lines = components.filter((line) => line.sku === spec.component);
      if (lines.length > 0) targets = lines.map((line) => ({ line, bundleLineNumber: owner.line.lineNumber }));
      else if (spec.optional) targets = [];
    }
    keysByName.set(
      spec.name,
      targets.map((target) => `${target.line.lineNumber}:${spec.name}`),
    );
    for (const target of targets) {
      if (target !== owner) claimed.add(target.line.lineNumber);
      placed.push({ spec, target });
    }
  }
  return placed.map(({ spec, target }) => {
    const dependsOn = spec.dependsOn.flatMap((name) => {
      const keys = keysByName.get(name);
      if (keys === undefined) {
        problems.push({
          pointer,
          code: 'unknown-dependency',
          detail: `task "${spec.name}" of line ${target.line.lineNumber} depends on "${name}", which its plan does not have`,
        });
        return [];
      }
      return keys;
    });
    const task: PlannedTask = {
      key: `${target.line.lineNumber}:${spec.name}`,
      name: spec.name,
      type: spec.type,
      person: spec.person,
      dependsOn,
      slaMinutes: spec.slaMinutes,
      sla: spec.sla,
      lineNumber: target.line.lineNumber,
    };
    if (spec.vendor !== undefined) task.vendor = spec.vendor;
    if (spec.calendar !== undefined) task.calendar = spec.calendar;
    if (spec.role !== undefined) task.role = spec.role;
    if (target.bundleLineNumber !== undefined) task.bundleLineNumber = target.bundleLineNumber;
    return task;
  });
}

/**
 * Decomposes an order into its task graph, or lists every line the catalog cannot plan.
 * Takes a CanonicalOrder or StoredOrder, or anything with their lines.
 */
export function planOrder(order: { lines: readonly Line[] }, catalog: Catalog): Result<TaskPlan, PlanProblem[]> {
  const problems: PlanProblem[] = [];
  const componentsOf = new Map<string, Line[]>();
  for (const line of order.lines) {
    if (line.parentLineNumber === undefined) continue;
    componentsOf.set(line.parentLineNumber, [...(componentsOf.get(line.parentLineNumber) ?? []), line]);
  }

  const tasksOf = new Map<string, PlannedTask[]>();
  const claimed = new Set<string>();
  const planLine = (line: Line, index: number): void => {
    const components = componentsOf.get(line.lineNumber) ?? [];
    const bundleLineNumber = line.parentLineNumber ?? (components.length > 0 ? line.lineNumber : undefined);
    const pointer = `/lines/${index}/sku`;
    const listed = line.sku === undefined ? undefined : lookup(catalog.skus, line.sku);
    if (listed === undefined && components.length > 0) return;
    if (line.sku === undefined || line.sku === '') {
      problems.push({
        pointer,
        code: 'missing-sku',
        detail: `line ${line.lineNumber} has no SKU, so the catalog cannot say what work it takes`,
      });
      return;
    }
    const plan = listed ?? catalog.default;
    if (plan === undefined) {
      problems.push({
        pointer,
        code: 'unknown-sku',
        detail: `line ${line.lineNumber}: SKU "${line.sku}" is not in the catalog, and the catalog has no default plan`,
      });
      return;
    }
    for (const task of instantiate(plan, { line, bundleLineNumber }, components, claimed, problems, pointer)) {
      tasksOf.set(task.lineNumber, [...(tasksOf.get(task.lineNumber) ?? []), task]);
    }
  };

  // Bundle lines first, so that their plans claim component lines before those are planned alone.
  order.lines.forEach((line, index) => {
    if (line.parentLineNumber === undefined) planLine(line, index);
  });
  order.lines.forEach((line, index) => {
    if (line.parentLineNumber !== undefined && !claimed.has(line.lineNumber)) planLine(line, index);
  });

  const tasks = order.lines.flatMap((line) => tasksOf.get(line.lineNumber) ?? []);
  for (const cycle of findCycles(new Map(tasks.map((task) => [task.key, task.dependsOn])))) {
    problems.push({ pointer: '/lines', code: 'cycle', detail: `tasks depend on each other in a cycle: ${cycle.join(' → ')}` });
  }
  return problems.length > 0 ? err(problems) : ok({ tasks });
}
