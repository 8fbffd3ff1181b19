import type { CxmlTree } from './parse.ts';

// Reading the parsed tree: elements, their text and attributes, whatever shape one occurrence took.

export type Node = CxmlTree | string | undefined;

export const child = (node: Node, name: string): Node => {
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node[name];
  return (Array.isArray(value) ? value[0] : value) as Node;
};

export const children = (node: Node, name: string): Node[] => {
  if (node === undefined || typeof node === 'string') return [];
  const value = node[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as Node[];
};

export const path = (node: Node, ...names: string[]): Node => names.reduce<Node>((n, name) => child(n, name), node);

export const text = (node: Node): string | undefined => {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  const value = node['#text'];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
};

export const attr = (node: Node, name: string): string | undefined => {
  if (node === undefined || typeof node === 'string') return undefined;
  const value = node[`@${name}`];
  return typeof value === 'string' ? value : undefined;
};
