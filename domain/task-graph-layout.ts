// Where each task of an order's plan goes in a drawing of its dependencies: one column per depth
// (a task stands one column right of the deepest task it waits for), tasks in plan order down
// each column, and a curve from each dependency's right edge to its dependent's left edge. Pure
// geometry: the console draws it as SVG, and the same numbers serve any other drawing.

export interface GraphTask {
  key: string;
  dependsOn: readonly string[];
}

export interface Box {
  width: number;
  height: number;
  /** Between columns (the arrows run there). */
  gapX: number;
  /** Between the boxes of a column. */
  gapY: number;
  margin: number;
}

export const defaultBox: Box = { width: 210, height: 76, gapX: 56, gapY: 16, margin: 8 };

export interface PlacedTask<T extends GraphTask> {
  task: T;
  column: number;
  row: number;
  x: number;
  y: number;
}

export interface GraphArrow {
  from: string;
  to: string;
  /** An SVG path: a cubic curve from the dependency to the dependent. */
  d: string;
}

export interface GraphLayout<T extends GraphTask> {
  tasks: PlacedTask<T>[];
  arrows: GraphArrow[];
  width: number;
  height: number;
}

/**
 * Each task's depth: 0 when it waits for nothing in the graph, else one more than its deepest
 * dependency. A dependency that is not in the graph is ignored; a cycle (which a checked catalog
 * never makes) is cut where it closes, so the function always ends.
 */
export function depths(tasks: readonly GraphTask[]): Map<string, number> {
  const byKey = new Map(tasks.map((t) => [t.key, t]));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (key: string): number => {
    const known = depth.get(key);
    if (known !== undefined) return known;
    if (visiting.has(key)) return -1;
    visiting.add(key);
    const task = byKey.get(key);
    let deepest = -1;
    for (const dependency of task?.dependsOn ?? []) if (byKey.has(dependency)) deepest = Math.max(deepest, visit(dependency));
    visiting.delete(key);
    depth.set(key, deepest + 1);
    return deepest + 1;
  };
  for (const task of tasks) visit(task.key);
  return depth;
}

export function layoutTaskGraph<T extends GraphTask>(tasks: readonly T[], box: Box = defaultBox): GraphLayout<T> {
  const depth = depths(tasks);
  const rows: number[] = [];
  const placed = tasks.map((task) => {
    const column = depth.get(task.key) ?? 0;
    const row = rows[column] ?? 0;
    rows[column] = row + 1;
    return {
      task,
      column,
      row,
      x: box.margin + column * (box.width + box.gapX),
      y: box.margin + row * (box.height + box.gapY),
    };
  });
  const at = new Map(placed.map((p) => [p.task.key, p]));
  const arrows: GraphArrow[] = [];
  for (const to of placed)
    for (const key of to.task.dependsOn) {
      const from = at.get(key);
      if (from === undefined || from === to) continue;
      const x1 = from.x + box.width;
      const y1 = from.y + box.height / 2;
      const x2 = to.x;
      const y2 = to.y + box.height / 2;
      const bend = Math.max(box.gapX / 2, (x2 - x1) / 2);
      arrows.push({ from: key, to: to.task.key, d: `M${x1} ${y1} C${x1 + bend} ${y1} ${x2 - bend} ${y2} ${x2} ${y2}` });
    }
  const columns = rows.length;
  const tallest = Math.max(0, ...rows);
  return {
    tasks: placed,
    arrows,
    width: columns === 0 ? 0 : 2 * box.margin + columns * box.width + (columns - 1) * box.gapX,
    height: tallest === 0 ? 0 : 2 * box.margin + tallest * box.height + (tallest - 1) * box.gapY,
  };
}
