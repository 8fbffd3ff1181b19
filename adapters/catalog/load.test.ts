import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planOrder } from '../../domain/plan.ts';
import { loadCatalog } from './index.ts';

describe('the demo catalog (mappings/catalog/demo.yaml)', () => {
  const result = loadCatalog();

  it('loads and passes checkCatalog', () => {
    expect(result.ok ? [] : result.error).toEqual([]);
  });

  it('lists the demo SKUs, three vendors and a default plan at vendor A', () => {
    if (!result.ok) throw new Error('the demo catalog does not load');
    const catalog = result.value;
    expect(Object.keys(catalog.skus)).toEqual(['INTERNET-100', 'MODEM-X1']);
    expect(Object.keys(catalog.vendors)).toEqual(['vendor-a', 'vendor-b', 'vendor-c']);
    expect(catalog.default?.tasks.map((task) => [task.name, task.type, task.vendor])).toEqual([['ship', 'ship', 'vendor-a']]);
    expect(
      catalog.skus['INTERNET-100']?.tasks.map((task) => [
        task.name,
        task.type,
        task.vendor,
        task.component,
        task.optional,
        task.person,
        task.dependsOn,
      ]),
    ).toEqual([
      ['ship-modem', 'ship', 'vendor-a', 'MODEM-X1', false, false, []],
      ['activate-port', 'activate', 'vendor-b', 'PORT-ACT', false, false, []],
      ['truck-roll', 'install', 'vendor-c', 'TRUCK-ROLL', true, false, []],
      ['customer-activation', 'customer-action', undefined, undefined, false, true, ['ship-modem', 'activate-port']],
    ]);
  });

  it('gives every demo SKU a list price in USD and EUR', () => {
    if (!result.ok) throw new Error('the demo catalog does not load');
    expect(result.value.listPrices).toEqual({
      'INTERNET-100': { USD: 59, EUR: 55 },
      'MODEM-X1': { USD: 129, EUR: 119 },
      'PORT-ACT': { USD: 25, EUR: 23 },
      'TRUCK-ROLL': { USD: 99, EUR: 92 },
    });
  });

  it("plans the seed's internet bundle order, and the truck roll when asked for", () => {
    if (!result.ok) throw new Error('the demo catalog does not load');
    const lines = [
      { lineNumber: '1', sku: 'MODEM-X1' },
      { lineNumber: '2', sku: 'INTERNET-100' },
      { lineNumber: '2.1', sku: 'MODEM-X1', parentLineNumber: '2' },
      { lineNumber: '2.2', sku: 'PORT-ACT', parentLineNumber: '2' },
    ];
    const graph = (plan: ReturnType<typeof planOrder>) =>
      plan.ok ? plan.value.tasks.map((task) => [task.key, task.vendor ?? 'person', task.dependsOn]) : plan.error;
    expect(graph(planOrder({ lines }, result.value))).toEqual([
      ['1:ship', 'vendor-a', []],
      ['2:customer-activation', 'person', ['2.1:ship-modem', '2.2:activate-port']],
      ['2.1:ship-modem', 'vendor-a', []],
      ['2.2:activate-port', 'vendor-b', []],
    ]);
    expect(
      graph(planOrder({ lines: [...lines, { lineNumber: '2.3', sku: 'TRUCK-ROLL', parentLineNumber: '2' }] }, result.value)),
    ).toContainEqual(['2.3:truck-roll', 'vendor-c', []]);
  });
});

describe('loadCatalog', () => {
  const file = (text: string): string => {
    const path = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'catalog.yaml');
    writeFileSync(path, text);
    return path;
  };

  it('answers a file that is not YAML with a not-yaml problem', () => {
    const result = loadCatalog(file('vendors: [unclosed\n'));
    expect(result.ok ? [] : result.error.map((problem) => problem.code)).toEqual(['not-yaml']);
  });

  it("passes checkCatalog's problems on", () => {
    const result = loadCatalog(
      file('vendors: { a: { name: A } }\nskus:\n  X:\n    tasks:\n      - { name: ship, type: ship, vendor: a, sla: 2d }\n'),
    );
    expect(result.ok ? [] : result.error.map((problem) => [problem.pointer, problem.code])).toEqual([
      ['/skus/X/tasks/0/sla', 'bad-duration'],
    ]);
  });
});
