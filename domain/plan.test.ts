import { describe, expect, it } from 'vitest';
import { checkCatalog, type Catalog } from './catalog.ts';
import { validateOrder, type CanonicalOrder, type LineDraft } from './order.ts';
import { planOrder, type PlannedTask, type PlanProblem, type TaskPlan } from './plan.ts';

/** The demo catalog (mappings/catalog/demo.yaml), as data; adapters/catalog checks the file plans the same. */
const demo = {
  vendors: { 'vendor-a': { name: 'A' }, 'vendor-b': { name: 'B' }, 'vendor-c': { name: 'C' } },
  default: { tasks: [{ name: 'ship', type: 'ship', vendor: 'vendor-a', sla: 'P5D' }] },
  skus: {
    'INTERNET-100': {
      tasks: [
        { name: 'ship-modem', type: 'ship', vendor: 'vendor-a', component: 'MODEM-X1', sla: 'P3D' },
        { name: 'activate-port', type: 'activate', vendor: 'vendor-b', component: 'PORT-ACT', sla: 'P2D' },
        { name: 'truck-roll', type: 'install', vendor: 'vendor-c', component: 'TRUCK-ROLL', optional: true, sla: 'P5D' },
        { name: 'customer-activation', type: 'customer-action', person: true, dependsOn: ['ship-modem', 'activate-port'], sla: 'P7D' },
      ],
    },
    'MODEM-X1': { tasks: [{ name: 'ship', type: 'ship', vendor: 'vendor-a', sla: 'P3D' }] },
  },
};

function catalogOf(data: unknown): Catalog {
  const result = checkCatalog(data);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}
const withDefault = catalogOf(demo);
const { default: _default, ...noDefault } = demo;
const withoutDefault = catalogOf(noDefault);

const line = (lineNumber: string, sku: string | undefined, parentLineNumber?: string): LineDraft => ({
  lineNumber,
  ...(sku === undefined ? {} : { sku }),
  ...(parentLineNumber === undefined ? {} : { parentLineNumber }),
  quantity: 1,
  uom: 'EA',
  origin: `/lines/${lineNumber}`,
});

/** A canonical order through the real validation, so lines carry bundleLineNumber as stored ones do. */
function order(...lines: LineDraft[]): CanonicalOrder {
  const result = validateOrder({
    channel: 'api',
    externalRef: 'PO-1001',
    orderType: 'new',
    orderDate: '2026-11-27',
    currency: 'USD',
    lines,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

/** test/support/app.ts sampleOrder: MODEM-X1 × 2, and INTERNET-100 with its modem and port. */
const sampleLines = (): LineDraft[] => [
  { ...line('1', 'MODEM-X1'), quantity: 2 },
  line('2', 'INTERNET-100'),
  line('2.1', 'MODEM-X1', '2'),
  line('2.2', 'PORT-ACT', '2'),
];

function planned(result: ReturnType<typeof planOrder>): TaskPlan {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}
function problems(result: ReturnType<typeof planOrder>): PlanProblem[] {
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.value)}`);
  return result.error;
}
const keys = (plan: TaskPlan): string[] => plan.tasks.map((task) => task.key);

const sampleGraph: PlannedTask[] = [
  {
    key: '1:ship',
    name: 'ship',
    type: 'ship',
    vendor: 'vendor-a',
    person: false,
    dependsOn: [],
    slaMinutes: 4320,
    sla: 'P3D',
    lineNumber: '1',
  },
  {
    key: '2:customer-activation',
    name: 'customer-activation',
    type: 'customer-action',
    person: true,
    dependsOn: ['2.1:ship-modem', '2.2:activate-port'],
    slaMinutes: 10080,
    sla: 'P7D',
    lineNumber: '2',
    bundleLineNumber: '2',
  },
  {
    key: '2.1:ship-modem',
    name: 'ship-modem',
    type: 'ship',
    vendor: 'vendor-a',
    person: false,
    dependsOn: [],
    slaMinutes: 4320,
    sla: 'P3D',
    lineNumber: '2.1',
    bundleLineNumber: '2',
  },
  {
    key: '2.2:activate-port',
    name: 'activate-port',
    type: 'activate',
    vendor: 'vendor-b',
    person: false,
    dependsOn: [],
    slaMinutes: 2880,
    sla: 'P2D',
    lineNumber: '2.2',
    bundleLineNumber: '2',
  },
];

describe('planOrder', () => {
  it("plans the seed's internet bundle order into the exact task graph", () => {
    expect(planOrder(order(...sampleLines()), withDefault)).toEqual({ ok: true, value: { tasks: sampleGraph } });
    expect(planOrder(order(...sampleLines()), withoutDefault)).toEqual({ ok: true, value: { tasks: sampleGraph } });
  });

  it('does not give a bundled MODEM-X1 its stand-alone plan as well', () => {
    const plan = planned(planOrder(order(...sampleLines()), withDefault));
    expect(plan.tasks.filter((task) => task.lineNumber === '2.1').map((task) => task.key)).toEqual(['2.1:ship-modem']);
    expect(plan.tasks.filter((task) => task.type === 'ship')).toHaveLength(2);
  });

  it('adds the truck roll when the bundle has a TRUCK-ROLL component line (professional installation)', () => {
    const plan = planned(planOrder(order(...sampleLines(), line('2.3', 'TRUCK-ROLL', '2')), withoutDefault));
    expect(plan.tasks).toEqual([
      ...sampleGraph,
      {
        key: '2.3:truck-roll',
        name: 'truck-roll',
        type: 'install',
        vendor: 'vendor-c',
        person: false,
        dependsOn: [],
        slaMinutes: 7200,
        sla: 'P5D',
        lineNumber: '2.3',
        bundleLineNumber: '2',
      },
    ]);
  });

  it('puts every task of a bundle, component or parent, under the bundle line number', () => {
    const canonical = order(
      ...sampleLines(),
      line('2.3', 'TRUCK-ROLL', '2'),
      line('3', 'INTERNET-100'),
      line('3.1', 'PORT-ACT', '3'),
      line('3.2', 'ROUTER-Z', '3'),
    );
    const plan = planned(planOrder(canonical, withDefault));
    const bundleOf = new Map(canonical.lines.map((orderLine) => [orderLine.lineNumber, orderLine.bundleLineNumber]));
    expect(plan.tasks.filter((task) => task.lineNumber.includes('.')).map((task) => [task.key, task.bundleLineNumber])).toEqual([
      ['2.1:ship-modem', '2'],
      ['2.2:activate-port', '2'],
      ['2.3:truck-roll', '2'],
      ['3.1:activate-port', '3'],
      ['3.2:ship', '3'],
    ]);
    for (const task of plan.tasks) expect(task.bundleLineNumber, task.key).toBe(bundleOf.get(task.lineNumber));
  });

  it('puts a component task on the bundle line when the order does not list that component, and leaves optional ones out', () => {
    const plan = planned(planOrder(order(line('7', 'INTERNET-100')), withoutDefault));
    expect(plan.tasks.map((task) => [task.key, task.dependsOn, task.bundleLineNumber])).toEqual([
      ['7:ship-modem', [], undefined],
      ['7:activate-port', [], undefined],
      ['7:customer-activation', ['7:ship-modem', '7:activate-port'], undefined],
    ]);
  });

  it('gives a component no bundle task claims its own plan, inside the bundle', () => {
    const plan = planned(
      planOrder(
        order(line('2', 'INTERNET-100'), line('2.1', 'MODEM-X1', '2'), line('2.2', 'PORT-ACT', '2'), line('2.3', 'ROUTER-Z', '2')),
        withDefault,
      ),
    );
    expect(plan.tasks.find((task) => task.lineNumber === '2.3')).toEqual({
      key: '2.3:ship',
      name: 'ship',
      type: 'ship',
      vendor: 'vendor-a',
      person: false,
      dependsOn: [],
      slaMinutes: 7200,
      sla: 'P5D',
      lineNumber: '2.3',
      bundleLineNumber: '2',
    });
  });

  it('plans the components of a bundle the catalog does not list, and nothing for its parent line', () => {
    const plan = planned(planOrder(order(line('1', 'KIT-9'), line('1.1', 'MODEM-X1', '1'), line('1.2', 'CABLE', '1')), withDefault));
    expect(plan.tasks.map((task) => [task.key, task.slaMinutes, task.bundleLineNumber])).toEqual([
      ['1.1:ship', 4320, '1'],
      ['1.2:ship', 7200, '1'],
    ]);
  });

  it('gives an unlisted SKU the default plan', () => {
    const plan = planned(planOrder(order(line('1', 'CABLE-5M')), withDefault));
    expect(plan.tasks).toEqual([
      {
        key: '1:ship',
        name: 'ship',
        type: 'ship',
        vendor: 'vendor-a',
        person: false,
        dependsOn: [],
        slaMinutes: 7200,
        sla: 'P5D',
        lineNumber: '1',
      },
    ]);
  });

  it('names every unlisted SKU when the catalog has no default', () => {
    expect(
      problems(
        planOrder(
          order(line('1', 'MODEM-X1'), line('2', 'CABLE-5M'), line('3', 'INTERNET-100'), line('3.1', 'ROUTER-Z', '3')),
          withoutDefault,
        ),
      ),
    ).toEqual([
      {
        pointer: '/lines/1/sku',
        code: 'unknown-sku',
        detail: 'line 2: SKU "CABLE-5M" is not in the catalog, and the catalog has no default plan',
      },
      {
        pointer: '/lines/3/sku',
        code: 'unknown-sku',
        detail: 'line 3.1: SKU "ROUTER-Z" is not in the catalog, and the catalog has no default plan',
      },
    ]);
  });

  it('refuses a line without a SKU, default or not', () => {
    const expected = [
      { pointer: '/lines/1/sku', code: 'missing-sku', detail: 'line 2 has no SKU, so the catalog cannot say what work it takes' },
    ];
    expect(problems(planOrder(order(line('1', 'MODEM-X1'), line('2', undefined)), withDefault))).toEqual(expected);
    expect(problems(planOrder(order(line('1', 'MODEM-X1'), line('2', undefined)), withoutDefault))).toEqual(expected);
  });

  it('names a cycle in the task graph (a catalog that was never checked)', () => {
    const task = { type: 'ship' as const, vendor: 'vendor-a', person: false, sla: 'P1D', slaMinutes: 1440, optional: false };
    const cyclic: Catalog = {
      vendors: demo.vendors,
      skus: {
        ...withoutDefault.skus,
        LOOP: {
          tasks: [
            { ...task, name: 'a', dependsOn: ['b'] },
            { ...task, name: 'b', dependsOn: ['a'] },
          ],
        },
      },
    };
    expect(problems(planOrder(order(line('1', 'MODEM-X1'), line('2', 'LOOP')), cyclic))).toEqual([
      { pointer: '/lines', code: 'cycle', detail: 'tasks depend on each other in a cycle: 2:a → 2:b → 2:a' },
    ]);
  });

  it('drops a dependency on an optional task the order did not ask for, and keeps it when it did', () => {
    const tasks = demo.skus['INTERNET-100'].tasks.map((task) =>
      task.name === 'customer-activation' ? { ...task, dependsOn: [...(task.dependsOn ?? []), 'truck-roll'] } : task,
    );
    const catalog = catalogOf({ ...demo, skus: { ...demo.skus, 'INTERNET-100': { tasks } } });
    const activation = (plan: TaskPlan) => plan.tasks.find((task) => task.name === 'customer-activation')?.dependsOn;
    expect(activation(planned(planOrder(order(...sampleLines()), catalog)))).toEqual(['2.1:ship-modem', '2.2:activate-port']);
    expect(activation(planned(planOrder(order(...sampleLines(), line('2.3', 'TRUCK-ROLL', '2')), catalog)))).toEqual([
      '2.1:ship-modem',
      '2.2:activate-port',
      '2.3:truck-roll',
    ]);
  });

  it('gives each of two component lines with the same SKU the task, and makes dependents wait for both', () => {
    const plan = planned(
      planOrder(
        order(line('2', 'INTERNET-100'), line('2.1', 'MODEM-X1', '2'), line('2.2', 'MODEM-X1', '2'), line('2.3', 'PORT-ACT', '2')),
        withDefault,
      ),
    );
    expect(keys(plan)).toEqual(['2:customer-activation', '2.1:ship-modem', '2.2:ship-modem', '2.3:activate-port']);
    expect(plan.tasks[0]?.dependsOn).toEqual(['2.1:ship-modem', '2.2:ship-modem', '2.3:activate-port']);
  });

  it('keeps task keys unique and every dependency inside the plan', () => {
    const plan = planned(
      planOrder(order(...sampleLines(), line('2.3', 'TRUCK-ROLL', '2'), line('3', 'CABLE'), line('4', 'INTERNET-100')), withDefault),
    );
    const all = keys(plan);
    expect(new Set(all).size).toBe(all.length);
    for (const task of plan.tasks) for (const dependency of task.dependsOn) expect(all).toContain(dependency);
  });
});
