import { describe, expect, it } from 'vitest';
import { depths, layoutTaskGraph, type Box } from './task-graph-layout.ts';

const box: Box = { width: 100, height: 40, gapX: 20, gapY: 10, margin: 5 };

/** The internet bundle of the demo catalog: a modem shipped and a port activated, then the customer's activation. */
const bundle = [
  { key: '1:ship', dependsOn: [] },
  { key: '2.1:ship-modem', dependsOn: [] },
  { key: '2.2:activate-port', dependsOn: [] },
  { key: '2:customer-activation', dependsOn: ['2.1:ship-modem', '2.2:activate-port'] },
];

describe('task graph layout', () => {
  it('puts each task one column right of its deepest dependency', () => {
    const chain = [
      { key: 'c', dependsOn: ['a', 'b'] },
      { key: 'a', dependsOn: [] },
      { key: 'b', dependsOn: ['a'] },
    ];
    expect(Object.fromEntries(depths(chain))).toEqual({ a: 0, b: 1, c: 2 });
  });

  it('ignores a dependency outside the graph and ends on a cycle', () => {
    expect(Object.fromEntries(depths([{ key: 'a', dependsOn: ['gone'] }]))).toEqual({ a: 0 });
    const cycle = depths([
      { key: 'a', dependsOn: ['b'] },
      { key: 'b', dependsOn: ['a'] },
    ]);
    expect([...cycle.keys()].sort()).toEqual(['a', 'b']);
  });

  it('places the tasks in plan order down their column and sizes the drawing to hold them', () => {
    const layout = layoutTaskGraph(bundle, box);
    expect(layout.tasks.map(({ task, column, row, x, y }) => [task.key, column, row, x, y])).toEqual([
      ['1:ship', 0, 0, 5, 5],
      ['2.1:ship-modem', 0, 1, 5, 55],
      ['2.2:activate-port', 0, 2, 5, 105],
      ['2:customer-activation', 1, 0, 125, 5],
    ]);
    expect(layout.width).toBe(5 + 100 + 20 + 100 + 5);
    expect(layout.height).toBe(5 + 3 * 40 + 2 * 10 + 5);
  });

  it('draws an arrow from each dependency’s right edge to its dependent’s left edge', () => {
    const layout = layoutTaskGraph(bundle, box);
    expect(layout.arrows.map((a) => [a.from, a.to])).toEqual([
      ['2.1:ship-modem', '2:customer-activation'],
      ['2.2:activate-port', '2:customer-activation'],
    ]);
    expect(layout.arrows[0]?.d).toBe('M105 75 C115 75 115 25 125 25');
  });

  it('draws nothing for no tasks', () => {
    expect(layoutTaskGraph([], box)).toEqual({ tasks: [], arrows: [], width: 0, height: 0 });
  });
});
