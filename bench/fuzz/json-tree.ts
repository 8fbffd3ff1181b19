import fc from 'fast-check';
import { nastyString } from './mutate.ts';
import type { Random } from './random.ts';

// Mutations of a JSON document as a tree (orders for the API, shop payloads for webhooks): a value of
// the wrong type, a key removed or added, hostile text, deep nesting, an array item repeated many
// times. Deep nesting and huge repeats are written as a marker string and expanded after
// JSON.stringify, so that building them needs neither recursion nor the whole tree in memory twice.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const expansions = new Map<string, (text: string) => string>();
let markerCount = 0;

function marker(expand: (quoted: string) => string): string {
  markerCount += 1;
  const name = `\u0007fuzz-marker-${markerCount}\u0007`;
  expansions.set(JSON.stringify(name), expand);
  return name;
}

/** JSON text of the tree with its markers expanded. */
export function serialize(tree: unknown): string {
  let text = JSON.stringify(tree);
  for (const [quoted, expand] of expansions) {
    // Every copy (an item repeated after it was marked): one left as a marker would carry the
    // marker's number, which depends on the inputs built before this one.
    if (text.includes(quoted)) text = text.replaceAll(quoted, () => expand(quoted));
    expansions.delete(quoted);
  }
  return text;
}

/** Every path into the tree (breadth first, at most `limit`), the root included. */
function paths(tree: Json, limit = 5000): Path[] {
  const out: Path[] = [[]];
  const queue: [Json, Path][] = [[tree, []]];
  while (queue.length > 0 && out.length < limit) {
    const [node, path] = queue.shift() as [Json, Path];
    if (node === null || typeof node !== 'object') continue;
    const entries: [string | number, Json][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
    for (const [key, value] of entries) {
      out.push([...path, key]);
      queue.push([value, [...path, key]]);
    }
  }
  return out;
}

function get(tree: Json, path: Path): Json {
  let node: Json = tree;
  for (const key of path) node = (node as Record<string | number, Json>)[key] as Json;
  return node;
}

function set(tree: Json, path: Path, value: Json | undefined): void {
  const parent = get(tree, path.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, Json>)[key];
  } else (parent as Record<string | number, Json>)[key] = value;
}

const oddValues: Json[] = [
  null,
  0,
  -1,
  1e308,
  -1e-308,
  1e21,
  0.1 + 0.2,
  2 ** 53 + 1,
  true,
  false,
  '',
  '0',
  'null',
  [],
  {},
  [[]],
  { '': null },
];

/** Any JSON value fast-check would think of, from the input's own generator. */
function arbitraryJson(rng: Random): Json {
  return fc.sample(fc.jsonValue({ maxDepth: 3 }), { seed: rng.next() | 0, numRuns: 1 })[0] as Json;
}

export interface TreeMutation {
  name: string;
}

/** One mutation of `tree` in place; `maxBytes` bounds the huge ones. Returns its name. */
export function mutateTree(rng: Random, tree: Json, maxBytes: number): TreeMutation {
  const all = paths(tree);
  const inner = all.filter((p) => p.length > 0);
  const strings = inner.filter((p) => typeof get(tree, p) === 'string');
  const containers = all.filter((p) => {
    const node = get(tree, p);
    return node !== null && typeof node === 'object';
  });
  const arrays = all.filter((p) => Array.isArray(get(tree, p)) && (get(tree, p) as Json[]).length > 0);
  const kind = rng.weighted([
    [strings.length > 0 ? 5 : 0, 'nasty'],
    [inner.length > 0 ? 4 : 0, 'wrong-type'],
    [inner.length > 0 ? 3 : 0, 'remove'],
    [2, 'add-key'],
    [1, 'deep'],
    [arrays.length > 0 ? 2 : 0, 'repeat-item'],
    [arrays.length > 0 ? 0.4 : 0, 'huge-array'],
    [strings.length > 0 ? 1 : 0, 'long-string'],
  ] as const);
  switch (kind) {
    case 'nasty': {
      const { value, name } = nastyString(rng);
      const path = rng.pick(strings);
      set(tree, path, value);
      return { name: `json:nasty(${name})@${pathName(path)}` };
    }
    case 'wrong-type': {
      const path = rng.pick(inner);
      // A copy: the same [] or {} put in twice, then grown, became a cycle (and an input that
      // depended on the ones before it).
      set(tree, path, rng.chance(0.6) ? structuredClone(rng.pick(oddValues)) : arbitraryJson(rng));
      return { name: `json:wrong-type@${pathName(path)}` };
    }
    case 'remove': {
      const path = rng.pick(inner);
      set(tree, path, undefined);
      return { name: `json:remove@${pathName(path)}` };
    }
    case 'add-key': {
      const path = rng.pick(containers);
      const node = get(tree, path);
      if (Array.isArray(node)) node.push(arbitraryJson(rng));
      else (node as Record<string, Json>)[rng.pick(['extra', '__proto__', 'constructor', rng.text(rng.int(1, 12))])] = arbitraryJson(rng);
      return { name: `json:add@${pathName(path)}` };
    }
    case 'deep': {
      const path = rng.pick(containers);
      const depth = rng.logInt(10, 200_000);
      const open = rng.chance(0.5) ? '[' : '{"a":';
      const close = open === '[' ? ']' : '}';
      const deep = marker(() => `${open.repeat(depth)}1${close.repeat(depth)}`);
      const node = get(tree, path);
      if (Array.isArray(node)) node.push(deep);
      else (node as Record<string, Json>)['nested'] = deep;
      return { name: `json:deep@${pathName(path)}` };
    }
    case 'repeat-item': {
      const path = rng.pick(arrays);
      const node = get(tree, path) as Json[];
      const item = rng.pick(node);
      const times = rng.int(1, 20);
      for (let i = 0; i < times; i += 1) node.splice(rng.int(0, node.length), 0, structuredClone(item));
      return { name: `json:repeat-item@${pathName(path)}` };
    }
    case 'huge-array': {
      const path = rng.pick(arrays);
      const node = get(tree, path) as Json[];
      const item = JSON.stringify(rng.pick(node));
      const times = Math.max(1, Math.floor(rng.logInt(10_000, maxBytes) / (item.length + 1)));
      node.push(marker((quoted) => Array.from({ length: times }, () => item).join(',') || quoted));
      return { name: `json:huge-array@${pathName(path)}` };
    }
    case 'long-string': {
      const path = rng.pick(strings);
      set(tree, path, (get(tree, path) as string) + 'X'.repeat(rng.logInt(50, maxBytes / 2)));
      return { name: `json:long-string@${pathName(path)}` };
    }
  }
}

/** A path as a label, array positions folded so that findings group by field: /lines/*\/sku. */
export function pathName(path: Path): string {
  return '/' + path.map((key) => (typeof key === 'number' ? '*' : key)).join('/');
}

export type { Json };
