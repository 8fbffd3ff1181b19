import { describe, expect, it } from 'vitest';
import { checkCatalog, durationMinutes, findCycles, listPriceOf, lookup, type CatalogProblem } from './catalog.ts';

const vendors = { 'vendor-a': { name: 'Vendor A' }, 'vendor-b': { name: 'Vendor B' } };
const ship = { name: 'ship', type: 'ship', vendor: 'vendor-a', sla: 'P3D' };
/** A catalog with one SKU whose plan is `tasks`. */
const withTasks = (tasks: unknown[]) => ({ vendors, skus: { 'SKU-1': { tasks } } });
const problemsOf = (data: unknown): CatalogProblem[] => {
  const result = checkCatalog(data);
  if (result.ok) throw new Error('expected problems, the catalog passed');
  return result.error;
};

describe('SLA durations (ISO-8601, days/hours/minutes)', () => {
  it.each([
    ['PT4H', 240],
    ['P2D', 2880],
    ['P1DT12H', 2160],
    ['PT90M', 90],
    ['PT1H30M', 90],
    ['P1DT1H1M', 1501],
  ])('%s is %i minutes', (text, minutes) => expect(durationMinutes(text)).toBe(minutes));

  it.each(['2d', '4h', 'P', 'PT', 'P1DT', 'P0D', 'PT0M', 'P1W', 'P1M', 'P1Y', 'PT30S', 'pt4h', ' PT4H', 'PT4.5H', '-P1D', '', 'P1H'])(
    'rejects %j',
    (text) => {
      expect(durationMinutes(text)).toBeUndefined();
    },
  );
});

describe('findCycles', () => {
  it('names each cycle once, as the path that closes it', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', ['a', 'missing']],
    ]);
    expect(findCycles(graph)).toEqual([
      ['a', 'b', 'c', 'a'],
      ['d', 'd'],
    ]);
  });

  it('finds none in a diamond', () => {
    expect(
      findCycles(
        new Map([
          ['top', ['l', 'r']],
          ['l', ['bottom']],
          ['r', ['bottom']],
          ['bottom', []],
        ]),
      ),
    ).toEqual([]);
  });
});

describe('checkCatalog', () => {
  it('turns a good document into a catalog, with defaults filled in and durations in minutes', () => {
    const result = checkCatalog({
      vendors,
      default: { tasks: [{ name: 'ship', type: 'ship', vendor: 'vendor-b', sla: 'P5D' }] },
      skus: {
        BUNDLE: {
          description: 'a bundle',
          tasks: [
            { name: 'ship-part', type: 'ship', vendor: 'vendor-a', component: 'PART', sla: 'PT4H' },
            { name: 'install', type: 'install', vendor: 'vendor-b', component: 'INSTALL', optional: true, sla: 'P1DT12H' },
            { name: 'accept', type: 'customer-action', person: true, dependsOn: ['ship-part'], sla: 'P7D' },
          ],
        },
      },
    });
    expect(result).toEqual({
      ok: true,
      value: {
        vendors,
        default: {
          tasks: [
            { name: 'ship', type: 'ship', vendor: 'vendor-b', person: false, dependsOn: [], sla: 'P5D', slaMinutes: 7200, optional: false },
          ],
        },
        skus: {
          BUNDLE: {
            description: 'a bundle',
            tasks: [
              {
                name: 'ship-part',
                type: 'ship',
                vendor: 'vendor-a',
                person: false,
                dependsOn: [],
                sla: 'PT4H',
                slaMinutes: 240,
                component: 'PART',
                optional: false,
              },
              {
                name: 'install',
                type: 'install',
                vendor: 'vendor-b',
                person: false,
                dependsOn: [],
                sla: 'P1DT12H',
                slaMinutes: 2160,
                component: 'INSTALL',
                optional: true,
              },
              {
                name: 'accept',
                type: 'customer-action',
                person: true,
                dependsOn: ['ship-part'],
                sla: 'P7D',
                slaMinutes: 10080,
                optional: false,
              },
            ],
          },
        },
      },
    });
  });

  it('makes the default plan optional', () => {
    const result = checkCatalog(withTasks([ship]));
    expect(result.ok && result.value.default).toBeUndefined();
    expect(result.ok && Object.keys(result.value.skus)).toEqual(['SKU-1']);
  });

  it('names an unknown dependency', () => {
    expect(problemsOf(withTasks([ship, { ...ship, name: 'b', dependsOn: ['ship', 'shipp'] }]))).toEqual([
      {
        pointer: '/skus/SKU-1/tasks/1/dependsOn/1',
        code: 'unknown-dependency',
        detail: 'task "b" depends on "shipp", which this plan does not have; its tasks: ship, b',
      },
    ]);
  });

  it('names the tasks of a cycle in order', () => {
    const tasks = [
      { ...ship, name: 'a', dependsOn: ['c'] },
      { ...ship, name: 'b', dependsOn: ['a'] },
      { ...ship, name: 'c', dependsOn: ['b'] },
      { ...ship, name: 'd', dependsOn: ['a'] },
    ];
    expect(problemsOf(withTasks(tasks))).toEqual([
      { pointer: '/skus/SKU-1/tasks', code: 'cycle', detail: 'tasks depend on each other in a cycle: a → c → b → a' },
    ]);
  });

  it('counts a task depending on itself as a cycle', () => {
    expect(problemsOf(withTasks([{ ...ship, dependsOn: ['ship'] }]))).toEqual([
      { pointer: '/skus/SKU-1/tasks', code: 'cycle', detail: 'tasks depend on each other in a cycle: ship → ship' },
    ]);
  });

  it("wants a vendor for every task that is not a person's, and a declared one", () => {
    const { vendor: _vendor, ...noVendor } = ship;
    expect(problemsOf(withTasks([noVendor, { ...ship, name: 'b', vendor: 'vendor-z' }]))).toEqual([
      {
        pointer: '/skus/SKU-1/tasks/0/vendor',
        code: 'missing-vendor',
        detail: 'task "ship" needs a vendor (one of vendor-a, vendor-b), or person: true',
      },
      {
        pointer: '/skus/SKU-1/tasks/1/vendor',
        code: 'unknown-vendor',
        detail: 'task "b" names vendor "vendor-z", which vendors does not declare; declared: vendor-a, vendor-b',
      },
    ]);
  });

  it("does not let a person's task name a vendor", () => {
    expect(problemsOf(withTasks([{ ...ship, type: 'customer-action', person: true }])).map((p) => [p.pointer, p.code])).toEqual([
      ['/skus/SKU-1/tasks/0/vendor', 'vendor-on-person-task'],
    ]);
  });

  it.each(['2d', 'PT4', 'P1M', 4, 'P0D'])('rejects the SLA %j, saying what it expects', (sla) => {
    expect(problemsOf(withTasks([{ ...ship, sla }]))).toEqual([
      {
        pointer: '/skus/SKU-1/tasks/0/sla',
        code: 'bad-duration',
        detail: `task "ship" has sla ${JSON.stringify(sla)}; expected a non-zero ISO-8601 duration in days, hours and minutes such as PT4H, P2D or P1DT12H`,
      },
    ]);
  });

  it('lists every problem of a bad task at once, each at its field', () => {
    const bad = {
      name: 'has space',
      type: 'teleport',
      vendor: 'vendor-a',
      person: 'yes',
      sla: 'PT4H',
      dependsOn: 'ship',
      optional: true,
      colour: 'red',
    };
    expect(problemsOf(withTasks([bad])).map((p) => [p.pointer, p.code])).toEqual([
      ['/skus/SKU-1/tasks/0/colour', 'unknown-field'],
      ['/skus/SKU-1/tasks/0/name', 'bad-name'],
      ['/skus/SKU-1/tasks/0/type', 'unknown-task-type'],
      ['/skus/SKU-1/tasks/0/person', 'wrong-type'],
      ['/skus/SKU-1/tasks/0/dependsOn', 'wrong-type'],
      ['/skus/SKU-1/tasks/0/optional', 'optional-without-component'],
    ]);
  });

  it('rejects a task name that would break the task key', () => {
    expect(problemsOf(withTasks([{ ...ship, name: 'a:b' }])).map((p) => p.code)).toEqual(['bad-name']);
  });

  it('finds duplicate task names, missing fields and empty plans', () => {
    expect(
      problemsOf({ vendors, skus: { A: { tasks: [ship, ship] }, B: { tasks: [] }, C: { tasks: [{ name: 'x' }] }, D: {} } }).map((p) => [
        p.pointer,
        p.code,
      ]),
    ).toEqual([
      ['/skus/A/tasks/1/name', 'duplicate-task-name'],
      ['/skus/B/tasks', 'empty-plan'],
      ['/skus/C/tasks/0/type', 'missing-field'],
      ['/skus/C/tasks/0/vendor', 'missing-vendor'],
      ['/skus/C/tasks/0/sla', 'missing-field'],
      ['/skus/D/tasks', 'missing-field'],
    ]);
  });

  it('keeps components out of the default plan', () => {
    expect(problemsOf({ vendors, skus: {}, default: { tasks: [{ ...ship, component: 'PART' }] } })).toEqual([
      {
        pointer: '/default/tasks/0/component',
        code: 'component-in-default',
        detail: 'task "ship": the default plan stands for one unlisted SKU and has no components',
      },
    ]);
  });

  it("checks the document's shape and escapes keys in pointers", () => {
    expect(problemsOf(null)).toEqual([
      { pointer: '', code: 'wrong-type', detail: 'a catalog must be a mapping with vendors, skus and (optionally) default' },
    ]);
    expect(problemsOf({ sku: {} }).map((p) => [p.pointer, p.code])).toEqual([
      ['/sku', 'unknown-field'],
      ['/vendors', 'missing-field'],
      ['/skus', 'missing-field'],
    ]);
    expect(problemsOf({ vendors: { v: {} }, skus: { 'A/B~C': [] } }).map((p) => [p.pointer, p.code])).toEqual([
      ['/vendors/v/name', 'wrong-type'],
      ['/skus/A~1B~0C', 'wrong-type'],
    ]);
  });

  it('never takes a SKU from the object prototype', () => {
    const result = checkCatalog(withTasks([ship]));
    expect(result.ok && lookup(result.value.skus, 'constructor')).toBeUndefined();
    expect(result.ok && lookup(result.value.skus, 'SKU-1')?.tasks[0]?.name).toBe('ship');
  });
});

describe('list prices: SKU → currency → price', () => {
  const base = { vendors, skus: { 'SKU-1': { tasks: [ship] } } };
  it('are kept per currency, and looked up by SKU and currency', () => {
    const result = checkCatalog({ ...base, listPrices: { 'SKU-1': { USD: 10.5, EUR: 9 }, 'NO-PLAN': { USD: 0 } } });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(listPriceOf(result.value, 'SKU-1', 'EUR')).toBe(9);
    expect(listPriceOf(result.value, 'NO-PLAN', 'USD')).toBe(0);
    expect(listPriceOf(result.value, 'SKU-1', 'GBP')).toBeUndefined();
    expect(listPriceOf(result.value, 'constructor', 'USD')).toBeUndefined();
  });
  it('a bad currency or price is named at its place', () => {
    expect(problemsOf({ ...base, listPrices: { 'SKU-1': { usd: 1, EUR: -1, GBP: '3' }, 'SKU-2': 5 } })).toEqual([
      {
        pointer: '/listPrices/SKU-1/usd',
        code: 'bad-currency',
        detail: '"usd" is not a currency code (three capital letters, ISO 4217: USD, EUR)',
      },
      {
        pointer: '/listPrices/SKU-1/EUR',
        code: 'bad-price',
        detail: 'the list price of "SKU-1" in EUR is -1; expected a number from 0 to 1000000000',
      },
      {
        pointer: '/listPrices/SKU-1/GBP',
        code: 'bad-price',
        detail: 'the list price of "SKU-1" in GBP is "3"; expected a number from 0 to 1000000000',
      },
      {
        pointer: '/listPrices/SKU-2',
        code: 'wrong-type',
        detail: 'the list prices of "SKU-2" must be a mapping of currency → price, e.g. { USD: 89.00 }',
      },
    ]);
  });
});

describe('business-hours SLAs and person roles', () => {
  const office = {
    id: 'office',
    timeZone: 'America/New_York',
    days: [1, 2, 3, 4, 5],
    startMinute: 540,
    endMinute: 1020,
    holidays: new Set<string>(),
  };
  const calendars = new Map([['office', office]]);
  const survey = { name: 'survey', type: 'customer-action', person: true, role: 'field-desk', sla: 'PT2H', calendar: 'office' };

  it('a task counts its SLA in a known calendar, and a person task names the role whose list it goes on', () => {
    const result = checkCatalog(withTasks([survey]), calendars);
    const task = result.ok ? result.value.skus['SKU-1']?.tasks[0] : undefined;
    expect(task).toMatchObject({ role: 'field-desk', calendar: office, slaMinutes: 120 });
  });

  it('names an unknown calendar, and a role on a vendor task', () => {
    const result = checkCatalog(
      withTasks([
        { ...survey, calendar: 'moon' },
        { ...ship, role: 'operations' },
      ]),
      calendars,
    );
    expect(result.ok ? [] : result.error.map((p) => [p.pointer, p.code])).toEqual([
      ['/skus/SKU-1/tasks/0/calendar', 'unknown-calendar'],
      ['/skus/SKU-1/tasks/1/role', 'role-on-vendor-task'],
    ]);
  });
});
