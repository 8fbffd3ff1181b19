import { describe, expect, it } from 'vitest';
import type { components as schemas } from '../openapi.gen.ts';
import { lineRows, partyLines, taskGraph, type TaskJson } from './order-view.ts';

type OrderLine = schemas['schemas']['OrderLine'];

const line = (lineNumber: string, components?: OrderLine[]): OrderLine => ({
  id: lineNumber,
  lineNumber,
  quantity: 1,
  uom: 'EA',
  status: 'open',
  ...(components === undefined ? {} : { components }),
});

const task = (key: string, dependsOn: string[] = []): TaskJson => ({
  id: key,
  key,
  type: 'ship',
  vendorId: key.startsWith('2:') ? null : 'vendor-a',
  person: key.startsWith('2:'),
  dependsOn,
  lineNumber: key.split(':')[0] ?? '',
  bundleLineNumber: null,
  status: 'ready',
  dueAt: '2026-12-09T00:00:00Z',
});

describe("an order's page, shaped", () => {
  it('lists each line followed by its components, one level deeper, naming the bundle', () => {
    const rows = lineRows([line('1'), line('2', [line('2.1'), line('2.2')])]);
    expect(rows.map((r) => [r.line.lineNumber, r.level, r.parentLineNumber])).toEqual([
      ['1', 1, undefined],
      ['2', 1, undefined],
      ['2.1', 2, '2'],
      ['2.2', 2, '2'],
    ]);
  });

  it('writes a party as lines of text', () => {
    expect(
      partyLines({
        name: 'Acme DC',
        code: '0042',
        address: { lines: ['1 Main St'], city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
        contact: { name: 'Pat', email: 'pat@example.com' },
      }),
    ).toEqual(['Acme DC (0042)', '1 Main St', '62701 Springfield IL US', 'Pat, pat@example.com']);
    expect(partyLines(undefined)).toEqual([]);
  });

  it('names each task by its plan name and who does it, and what it waits for by those names', () => {
    const graph = taskGraph([task('2.1:ship-modem'), task('2:customer-activation', ['2.1:ship-modem'])]);
    expect(graph.list.map(({ task, waitsFor }) => [task.name, task.doer, waitsFor])).toEqual([
      ['ship-modem', 'vendor-a', []],
      ['customer-activation', 'a person', ['2.1 · ship-modem']],
    ]);
    expect(graph.layout.tasks.map((p) => [p.task.label.name, p.column])).toEqual([
      ['2.1 · ship-modem', 0],
      ['2 · customer-activation', 1],
    ]);
  });
});
