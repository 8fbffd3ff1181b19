import { layoutTaskGraph, type GraphLayout } from '../../domain/task-graph-layout.ts';
import type { components } from '../openapi.gen.ts';

// What the order pages show, shaped from the API's answers: the lines as a tree flattened into
// rows with their depth, parties and money in words, and the task graph placed for drawing.

type OrderLineJson = components['schemas']['OrderLine'];
type Party = components['schemas']['Party'];
export type TaskJson = components['schemas']['Task'];

export interface LineRow {
  line: OrderLineJson;
  /** 1 for a line of the order, 2 for a bundle's component. */
  level: number;
  parentLineNumber?: string;
}

/** Each line followed by its components, depth first, as the partner nested them. */
export function lineRows(lines: readonly OrderLineJson[], level = 1, parentLineNumber?: string): LineRow[] {
  return lines.flatMap((line) => [
    { line, level, ...(parentLineNumber === undefined ? {} : { parentLineNumber }) },
    ...lineRows(line.components ?? [], level + 1, line.lineNumber),
  ]);
}

export const money = (amount: number | undefined, currency: string): string =>
  amount === undefined ? '' : `${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 })} ${currency}`;

/** A party as lines of text: name (and code), address lines, city line, contact. */
export function partyLines(party: Party | undefined): string[] {
  if (party === undefined) return [];
  const address = party.address;
  const cityLine = [address?.postalCode, address?.city, address?.region, address?.country].filter((p) => p !== undefined && p !== '');
  const contact = [party.contact?.name, party.contact?.email, party.contact?.phone].filter((p) => p !== undefined && p !== '');
  return [
    party.code === undefined ? party.name : `${party.name} (${party.code})`,
    ...(address?.lines ?? []),
    ...(cityLine.length > 0 ? [cityLine.join(' ')] : []),
    ...(contact.length > 0 ? [contact.join(', ')] : []),
  ];
}

export interface GraphTask extends TaskJson {
  /** The task's name in its plan (its key without the line number). */
  name: string;
  /** Who does it: the vendor, or a person. */
  doer: string;
}

const clip = (text: string, length: number): string => (text.length <= length ? text : `${text.slice(0, length - 1)}…`);

export interface TaskGraphView {
  layout: GraphLayout<GraphTask & { label: { name: string; kind: string; status: string } }>;
  /** Each task with what it waits for, in plan order, for the text under the drawing. */
  list: { task: GraphTask; waitsFor: string[] }[];
}

export function taskGraph(tasks: readonly TaskJson[]): TaskGraphView {
  const named = tasks.map((task) => ({
    ...task,
    name: task.key.startsWith(`${task.lineNumber}:`) ? task.key.slice(task.lineNumber.length + 1) : task.key,
    doer: task.vendorId ?? 'a person',
  }));
  const layout = layoutTaskGraph(
    named.map((task) => ({
      ...task,
      label: {
        name: clip(`${task.lineNumber} · ${task.name}`, 28),
        kind: clip(`${task.type} · ${task.doer}`, 30),
        status: task.status.replace(/_/g, ' '),
      },
    })),
  );
  const titles = new Map(named.map((task) => [task.key, `${task.lineNumber} · ${task.name}`]));
  return { layout, list: named.map((task) => ({ task, waitsFor: task.dependsOn.map((key) => titles.get(key) ?? key) })) };
}
