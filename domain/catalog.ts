import type { Problem } from './problem.ts';
import { itemCodeKey, type ItemCodeKind } from './item-codes.ts';
import { amountLimit } from './order.ts';
import { err, ok, type Result } from './result.ts';
import type { WorkingCalendar } from './working-calendar.ts';

/**
 * The fulfillment catalog: per SKU, the plan of tasks it takes (mappings/catalog/*.yaml).
 * checkCatalog turns a parsed YAML document into a Catalog, or lists every problem in it.
 */

export const taskTypes = ['ship', 'activate', 'install', 'schedule', 'configure', 'customer-action'] as const;
export type TaskType = (typeof taskTypes)[number];

export interface Vendor {
  name: string;
}

export interface TaskSpec {
  /** Unique within its plan; the task's key in an order is `${lineNumber}:${name}`. */
  name: string;
  type: TaskType;
  /** A key of Catalog.vendors; set exactly when the task is not a person's. */
  vendor?: string;
  person: boolean;
  /** Names of tasks of the same plan. */
  dependsOn: string[];
  /** The ISO-8601 duration as written (P2D, PT4H, P1DT12H). */
  sla: string;
  /** In calendar time; the due time counts in `calendar`'s working hours when there is one. */
  slaMinutes: number;
  /** The working calendar the SLA counts in (a day is a working day there). */
  calendar?: WorkingCalendar;
  /** A person's task: the role whose list it goes on (operations when not said). */
  role?: string;
  /** Bundle plans: the component SKU whose order line gets this task. */
  component?: string;
  /** With component: the task exists only when the bundle has that component line. */
  optional: boolean;
}

export interface PlanSpec {
  description?: string;
  tasks: TaskSpec[];
}

export interface Catalog {
  vendors: Record<string, Vendor>;
  skus: Record<string, PlanSpec>;
  /** The plan for SKUs not listed; without it an unlisted SKU is an error. */
  default?: PlanSpec;
  /** Product codes that name a SKU (`gtin:<14 digits>`, `ndc:<11 digits>` → SKU), from the catalog's items. */
  references?: Record<string, string>;
  /** SKU → currency → list price per unit (the `listPrices` section); approval policies compare unit prices with it. */
  listPrices?: Record<string, Record<string, number>>;
}

export type CatalogProblemCode =
  | 'not-yaml'
  | 'wrong-type'
  | 'missing-field'
  | 'unknown-field'
  | 'bad-name'
  | 'unknown-task-type'
  | 'missing-vendor'
  | 'unknown-vendor'
  | 'vendor-on-person-task'
  | 'bad-duration'
  | 'duplicate-task-name'
  | 'unknown-dependency'
  | 'cycle'
  | 'empty-plan'
  | 'component-in-default'
  | 'optional-without-component'
  | 'bad-item-code'
  | 'duplicate-item-code'
  | 'bad-currency'
  | 'bad-price'
  | 'unknown-calendar'
  | 'role-on-vendor-task';

export interface CatalogProblem extends Problem {
  /** JSON pointer into the catalog document. */
  pointer: string;
  code: CatalogProblemCode;
}

/** Looks a key up in a record without ever reaching the prototype ("constructor", "__proto__"). */
export const lookup = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/**
 * SLA durations are ISO-8601 durations in days, hours and minutes: P2D, PT4H, P1DT12H, PT90M.
 * Years and months vary in length, weeks are left out so there is one way to write seven days,
 * and seconds are below any SLA we keep. Returns minutes, or undefined for anything else.
 */
export function durationMinutes(text: string): number | undefined {
  const match = /^P(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(text);
  if (match === null) return undefined;
  const [, days, hours, minutes] = match;
  if (days === undefined && hours === undefined && minutes === undefined) return undefined;
  const total = Number(days ?? 0) * 1440 + Number(hours ?? 0) * 60 + Number(minutes ?? 0);
  return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Every cycle in a dependency graph (node → the nodes it depends on), each once, as the path
 * that closes it: ['a', 'b', 'a']. Edges to nodes not in the graph are ignored.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'closed'>();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      const nextState = state.get(next);
      if (nextState === 'open') {
        const cycle = path.slice(path.indexOf(next));
        const id = [...cycle].sort().join('\n');
        if (!seen.has(id)) {
          seen.add(id);
          cycles.push([...cycle, next]);
        }
      } else if (nextState === undefined) visit(next);
    }
    path.pop();
    state.set(node, 'closed');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

type Raw = Record<string, unknown>;
type Add = (pointer: string, code: CatalogProblemCode, detail: string) => void;

const isRecord = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);
const escape = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');
const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const taskFields = ['name', 'type', 'vendor', 'person', 'role', 'dependsOn', 'sla', 'calendar', 'component', 'optional'];

function unknownFields(raw: Raw, allowed: readonly string[], pointer: string, add: Add): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) add(`${pointer}/${escape(key)}`, 'unknown-field', `unknown field "${key}"; allowed: ${allowed.join(', ')}`);
  }
}

function checkVendors(raw: unknown, add: Add): Record<string, Vendor> {
  if (raw === undefined) {
    add('/vendors', 'missing-field', 'the catalog needs a vendors mapping (vendor key → { name })');
    return {};
  }
  if (!isRecord(raw)) {
    add('/vendors', 'wrong-type', 'vendors must be a mapping of vendor key → { name }');
    return {};
  }
  const vendors: [string, Vendor][] = [];
  for (const [key, vendor] of Object.entries(raw)) {
    const pointer = `/vendors/${escape(key)}`;
    if (!isRecord(vendor) || typeof vendor.name !== 'string' || vendor.name === '') {
      add(isRecord(vendor) ? `${pointer}/name` : pointer, 'wrong-type', `vendor "${key}" needs a name`);
      continue;
    }
    unknownFields(vendor, ['name'], pointer, add);
    vendors.push([key, { name: vendor.name }]);
  }
  return Object.fromEntries(vendors);
}

interface PlanContext {
  vendors: Record<string, Vendor>;
  calendars: ReadonlyMap<string, WorkingCalendar>;
  /** The default plan stands for a single SKU, so it has no components. */
  isDefault: boolean;
  add: Add;
  /** The problems added so far, so that a checker can tell whether its part was clean. */
  problems: readonly CatalogProblem[];
}

function checkTask(raw: unknown, pointer: string, context: PlanContext): TaskSpec | undefined {
  const { add } = context;
  if (!isRecord(raw)) {
    add(pointer, 'wrong-type', 'a task must be a mapping with name, type, sla and vendor (or person: true)');
    return undefined;
  }
  unknownFields(raw, taskFields, pointer, add);
  const before = context.problems.length;
  const { name, type, vendor, person = false, role, dependsOn = [], sla, calendar, component, optional = false } = raw;

  if (name === undefined) add(`${pointer}/name`, 'missing-field', 'a task needs a name');
  else if (typeof name !== 'string' || !namePattern.test(name)) {
    add(
      `${pointer}/name`,
      'bad-name',
      `task name ${JSON.stringify(name)} must be letters, digits, "-", "_" or "." (it becomes part of the task key)`,
    );
  }
  const label = typeof name === 'string' ? `task "${name}"` : 'the task';

  if (type === undefined) add(`${pointer}/type`, 'missing-field', `${label} needs a type (${taskTypes.join(', ')})`);
  else if (!(taskTypes as readonly unknown[]).includes(type)) {
    add(`${pointer}/type`, 'unknown-task-type', `${label} has type ${JSON.stringify(type)}; known types: ${taskTypes.join(', ')}`);
  }

  if (typeof person !== 'boolean') add(`${pointer}/person`, 'wrong-type', `${label}: person must be true or false`);
  if (person === true) {
    if (vendor !== undefined)
      add(
        `${pointer}/vendor`,
        'vendor-on-person-task',
        `${label} is a person's task and cannot also name vendor ${JSON.stringify(vendor)}`,
      );
  } else if (vendor === undefined) {
    add(
      `${pointer}/vendor`,
      'missing-vendor',
      `${label} needs a vendor (one of ${Object.keys(context.vendors).join(', ') || 'none declared'}), or person: true`,
    );
  } else if (typeof vendor !== 'string' || lookup(context.vendors, vendor) === undefined) {
    add(
      `${pointer}/vendor`,
      'unknown-vendor',
      `${label} names vendor ${JSON.stringify(vendor)}, which vendors does not declare; declared: ${Object.keys(context.vendors).join(', ') || 'none'}`,
    );
  }

  let slaMinutes: number | undefined;
  if (sla === undefined) add(`${pointer}/sla`, 'missing-field', `${label} needs an sla (ISO-8601 duration such as PT4H, P2D, P1DT12H)`);
  else {
    slaMinutes = typeof sla === 'string' ? durationMinutes(sla) : undefined;
    if (slaMinutes === undefined) {
      add(
        `${pointer}/sla`,
        'bad-duration',
        `${label} has sla ${JSON.stringify(sla)}; expected a non-zero ISO-8601 duration in days, hours and minutes such as PT4H, P2D or P1DT12H`,
      );
    }
  }

  const workingCalendar = typeof calendar === 'string' ? context.calendars.get(calendar) : undefined;
  if (calendar !== undefined && workingCalendar === undefined)
    add(
      `${pointer}/calendar`,
      'unknown-calendar',
      `${label} counts its sla in calendar ${JSON.stringify(calendar)}, which is not one of the working calendars (${[...context.calendars.keys()].join(', ') || 'none'})`,
    );
  if (role !== undefined && person !== true)
    add(`${pointer}/role`, 'role-on-vendor-task', `${label}: only a person's task goes on a role's task list`);
  else if (role !== undefined && (typeof role !== 'string' || role === ''))
    add(`${pointer}/role`, 'wrong-type', `${label}: role must be the name of a role`);

  if (!Array.isArray(dependsOn) || !dependsOn.every((item) => typeof item === 'string')) {
    add(`${pointer}/dependsOn`, 'wrong-type', `${label}: dependsOn must be a list of task names`);
  }

  if (component !== undefined) {
    if (context.isDefault)
      add(`${pointer}/component`, 'component-in-default', `${label}: the default plan stands for one unlisted SKU and has no components`);
    else if (typeof component !== 'string' || component === '')
      add(`${pointer}/component`, 'wrong-type', `${label}: component must be a SKU`);
  }
  if (typeof optional !== 'boolean') add(`${pointer}/optional`, 'wrong-type', `${label}: optional must be true or false`);
  else if (optional && component === undefined) {
    add(
      `${pointer}/optional`,
      'optional-without-component',
      `${label} is optional, but only a component task can be (it exists when the bundle has the component line)`,
    );
  }

  if (context.problems.length !== before) return undefined;
  const task: TaskSpec = {
    name: name as string,
    type: type as TaskType,
    person: person as boolean,
    dependsOn: [...(dependsOn as string[])],
    sla: sla as string,
    slaMinutes: slaMinutes as number,
    optional: optional as boolean,
  };
  if (vendor !== undefined) task.vendor = vendor as string;
  if (component !== undefined) task.component = component as string;
  if (workingCalendar !== undefined) task.calendar = workingCalendar;
  if (role !== undefined) task.role = role as string;
  return task;
}

function checkPlan(raw: unknown, pointer: string, context: PlanContext): PlanSpec | undefined {
  const { add } = context;
  if (!isRecord(raw)) {
    add(pointer, 'wrong-type', 'a plan must be a mapping with a tasks list');
    return undefined;
  }
  unknownFields(raw, ['description', 'tasks'], pointer, add);
  if (raw.description !== undefined && typeof raw.description !== 'string')
    add(`${pointer}/description`, 'wrong-type', 'description must be text');
  if (raw.tasks === undefined) {
    add(`${pointer}/tasks`, 'missing-field', 'a plan needs a tasks list');
    return undefined;
  }
  if (!Array.isArray(raw.tasks)) {
    add(`${pointer}/tasks`, 'wrong-type', 'tasks must be a list');
    return undefined;
  }
  const rawTasks: unknown[] = raw.tasks;
  const before = context.problems.length;
  if (rawTasks.length === 0) add(`${pointer}/tasks`, 'empty-plan', 'a plan needs at least one task');

  const tasks = rawTasks.map((task, index) => checkTask(task, `${pointer}/tasks/${index}`, context));
  const byName = new Map<string, number>();
  tasks.forEach((task, index) => {
    if (task === undefined) return;
    const first = byName.get(task.name);
    if (first !== undefined)
      add(
        `${pointer}/tasks/${index}/name`,
        'duplicate-task-name',
        `task name "${task.name}" is already used by task ${first} of this plan`,
      );
    else byName.set(task.name, index);
  });
  tasks.forEach((task, index) => {
    task?.dependsOn.forEach((dependency, at) => {
      if (byName.has(dependency)) return;
      // A task that failed its own checks still has a name worth not reporting as unknown.
      const named = rawTasks.some((other) => isRecord(other) && other.name === dependency);
      if (!named)
        add(
          `${pointer}/tasks/${index}/dependsOn/${at}`,
          'unknown-dependency',
          `task "${task.name}" depends on "${dependency}", which this plan does not have; its tasks: ${[...byName.keys()].join(', ')}`,
        );
    });
  });
  const graph = new Map(tasks.flatMap((task) => (task === undefined ? [] : [[task.name, task.dependsOn] as const])));
  for (const cycle of findCycles(graph)) {
    add(`${pointer}/tasks`, 'cycle', `tasks depend on each other in a cycle: ${cycle.join(' → ')}`);
  }
  if (context.problems.length !== before) return undefined;
  const plan: PlanSpec = { tasks: tasks as TaskSpec[] };
  if (typeof raw.description === 'string') plan.description = raw.description;
  return plan;
}

const itemCodeKinds: readonly ItemCodeKind[] = ['gtin', 'ndc'];

/**
 * `items`: SKU → { gtin: [...], ndc: [...] }, the codes partners may order a SKU by. The SKU needs
 * no plan of its own when the default plan covers it. One code names one SKU.
 */
function checkItems(raw: unknown, add: Add): Record<string, string> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) {
    add('/items', 'wrong-type', 'items must be a mapping of SKU → { gtin: [...], ndc: [...] }');
    return {};
  }
  const references = new Map<string, string>();
  for (const [sku, codes] of Object.entries(raw)) {
    const pointer = `/items/${escape(sku)}`;
    if (!isRecord(codes)) {
      add(pointer, 'wrong-type', `item "${sku}" must be a mapping with gtin and/or ndc lists`);
      continue;
    }
    unknownFields(codes, itemCodeKinds, pointer, add);
    for (const kind of itemCodeKinds) {
      const list = codes[kind];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        add(`${pointer}/${kind}`, 'wrong-type', `${kind} must be a list of codes`);
        continue;
      }
      list.forEach((code: unknown, index) => {
        const at = `${pointer}/${kind}/${index}`;
        const key = typeof code === 'string' || typeof code === 'number' ? itemCodeKey(kind, String(code)) : undefined;
        if (key === undefined) {
          const shape =
            kind === 'gtin' ? '8, 12, 13 or 14 digits with a right check digit' : '11 digits, or 10 with hyphens (4-4-2, 5-3-2, 5-4-1)';
          add(at, 'bad-item-code', `${JSON.stringify(code)} is not a ${kind.toUpperCase()} (${shape}); write it quoted`);
          return;
        }
        const owner = references.get(key);
        if (owner !== undefined && owner !== sku)
          add(at, 'duplicate-item-code', `${kind.toUpperCase()} ${String(code)} already names SKU "${owner}"`);
        else references.set(key, sku);
      });
    }
  }
  return Object.fromEntries(references);
}

/** An ISO 4217 code as orders carry it. */
export const currencyPattern = /^[A-Z]{3}$/;

/** `listPrices`: SKU → { <currency>: price per unit }, a price per currency the SKU is sold in (no conversion). */
function checkListPrices(raw: unknown, add: Add): Record<string, Record<string, number>> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) {
    add('/listPrices', 'wrong-type', 'listPrices must be a mapping of SKU → { <currency>: price }, e.g. MODEM-X1: { USD: 89.00 }');
    return {};
  }
  const prices: [string, Record<string, number>][] = [];
  for (const [sku, byCurrency] of Object.entries(raw)) {
    const pointer = `/listPrices/${escape(sku)}`;
    if (!isRecord(byCurrency)) {
      add(pointer, 'wrong-type', `the list prices of "${sku}" must be a mapping of currency → price, e.g. { USD: 89.00 }`);
      continue;
    }
    const entries: [string, number][] = [];
    for (const [currency, price] of Object.entries(byCurrency)) {
      const at = `${pointer}/${escape(currency)}`;
      if (!currencyPattern.test(currency))
        add(at, 'bad-currency', `"${currency}" is not a currency code (three capital letters, ISO 4217: USD, EUR)`);
      else if (typeof price !== 'number' || !(price >= 0 && price <= amountLimit))
        add(
          at,
          'bad-price',
          `the list price of "${sku}" in ${currency} is ${JSON.stringify(price)}; expected a number from 0 to ${amountLimit}`,
        );
      else entries.push([currency, price]);
    }
    prices.push([sku, Object.fromEntries(entries)]);
  }
  return Object.fromEntries(prices);
}

/** The SKU's list price in `currency`, if the catalog gives one. */
export const listPriceOf = (catalog: Catalog, sku: string, currency: string): number | undefined => {
  const prices = catalog.listPrices === undefined ? undefined : lookup(catalog.listPrices, sku);
  return prices === undefined ? undefined : lookup(prices, currency);
};

/** Checks a parsed catalog document; every problem is listed with a JSON pointer to it. */
export function checkCatalog(
  data: unknown,
  calendars: ReadonlyMap<string, WorkingCalendar> = new Map(),
): Result<Catalog, CatalogProblem[]> {
  const problems: CatalogProblem[] = [];
  const add: Add = (pointer, code, detail) => {
    problems.push({ pointer, code, detail });
  };
  if (!isRecord(data))
    return err([{ pointer: '', code: 'wrong-type', detail: 'a catalog must be a mapping with vendors, skus and (optionally) default' }]);
  unknownFields(data, ['vendors', 'skus', 'default', 'items', 'listPrices'], '', add);

  const vendors = checkVendors(data.vendors, add);
  const skus: [string, PlanSpec][] = [];
  if (data.skus === undefined) add('/skus', 'missing-field', 'the catalog needs a skus mapping (SKU → plan)');
  else if (!isRecord(data.skus)) add('/skus', 'wrong-type', 'skus must be a mapping of SKU → plan');
  else {
    for (const [sku, raw] of Object.entries(data.skus)) {
      const plan = checkPlan(raw, `/skus/${escape(sku)}`, { vendors, calendars, isDefault: false, add, problems });
      if (plan !== undefined) skus.push([sku, plan]);
    }
  }
  const fallback =
    data.default === undefined ? undefined : checkPlan(data.default, '/default', { vendors, calendars, isDefault: true, add, problems });

  const references = checkItems(data.items, add);
  const listPrices = checkListPrices(data.listPrices, add);

  if (problems.length > 0) return err(problems);
  const catalog: Catalog = { vendors, skus: Object.fromEntries(skus) };
  if (fallback !== undefined) catalog.default = fallback;
  if (Object.keys(references).length > 0) catalog.references = references;
  if (Object.keys(listPrices).length > 0) catalog.listPrices = listPrices;
  return ok(catalog);
}
