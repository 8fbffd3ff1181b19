import type { Problem } from '../../domain/problem.ts';
import { err, ok, type Result } from '../../domain/result.ts';
import { Reader, type Field } from './reader.ts';

// How a shop platform marks bundles, one small function per way. Each places the payload's line
// items (and bundle groups) as canonical lines: the line number, and the parent line of a component.
// Shops do not number their lines, so lines are numbered in the order sent: 1, 2, ..., and a
// bundle's components N.1, N.2 under the bundle's own line N.

export interface Placement {
  from: 'item' | 'group';
  /** Position in the payload's line items or bundle groups. */
  index: number;
  lineNumber: string;
  parentLineNumber?: string;
}

export interface BundleSpec {
  groupId: Field;
  memberOf: Field;
}

/** Problems point into the line items list ("/2/..."); the caller prefixes where the list is. */
export type BundleStyle = (items: unknown[], groups: unknown[], spec: BundleSpec | undefined) => Result<Placement[], Problem[]>;

const none: BundleStyle = (items) => ok(items.map((_item, index) => ({ from: 'item', index, lineNumber: String(index + 1) })));

/**
 * Shopify Bundles (Admin API 2025-01 on): the bundle is listed once in `line_item_groups`; each
 * component line item names it in `sales_line_item_group_id`. The group becomes the parent line,
 * placed where its first component stands.
 */
const groups: BundleStyle = (items, groupList, spec) => {
  if (spec === undefined) return none(items, groupList, spec);
  const groupIndex = new Map(groupList.map((group, index) => [new Reader(group).text(spec.groupId), index]));
  const placements: Placement[] = [];
  const problems: Problem[] = [];
  const bundleLine = new Map<string, { lineNumber: string; components: number }>();
  let next = 0;
  items.forEach((item, index) => {
    const reader = new Reader(item);
    const group = reader.text(spec.memberOf);
    if (group === undefined) {
      placements.push({ from: 'item', index, lineNumber: String(++next) });
      return;
    }
    let bundle = bundleLine.get(group);
    if (bundle === undefined) {
      const at = groupIndex.get(group);
      if (at === undefined) {
        problems.push({
          pointer: `/${index}${reader.where(spec.memberOf)}`,
          code: 'unknown-bundle-group',
          detail: `line item names bundle group ${group}, which the order does not list`,
        });
        return;
      }
      bundle = { lineNumber: String(++next), components: 0 };
      bundleLine.set(group, bundle);
      placements.push({ from: 'group', index: at, lineNumber: bundle.lineNumber });
    }
    placements.push({
      from: 'item',
      index,
      lineNumber: `${bundle.lineNumber}.${++bundle.components}`,
      parentLineNumber: bundle.lineNumber,
    });
  });
  // A group without components is still something the customer bought: a line of its own.
  groupList.forEach((group, index) => {
    if (!bundleLine.has(new Reader(group).text(spec.groupId) as string))
      placements.push({ from: 'group', index, lineNumber: String(++next) });
  });
  return problems.length > 0 ? err(problems) : ok(placements);
};

export const bundleStyles: Record<string, BundleStyle> = { none, groups };
