import type { LineDraft, OrderDraft, StoredOrder } from '../domain/order.ts';
import type { Problem } from '../domain/problem.ts';
import { ok, type Result } from '../domain/result.ts';
import type { components } from './openapi.gen.ts';

// The JSON channel: the API's order shape to the canonical draft and back.

type OrderCreate = components['schemas']['OrderCreate'];
type LineCreate = components['schemas']['LineCreate'];
export type OrderJson = components['schemas']['Order'];
type OrderLineJson = components['schemas']['OrderLine'];

function flattenLine(line: LineCreate, origin: string, parentLineNumber: string | undefined, into: LineDraft[]): void {
  const { components: children, parentLineNumber: statedParent, ...fields } = line;
  const parent = parentLineNumber ?? statedParent;
  // Spread last: adding properties after a spread is slow on Node 20, and this runs per line.
  into.push(parent === undefined ? { origin, ...fields } : { origin, parentLineNumber: parent, ...fields });
  children?.forEach((child, index) => flattenLine(child, `${origin}/components/${index}`, line.lineNumber, into));
}

export function translateOrderJson(body: OrderCreate, envelope: Record<string, string>): Result<OrderDraft, Problem[]> {
  const { lines, total, orderType, extras, ...header } = body;
  const flat: LineDraft[] = [];
  lines.forEach((line, index) => flattenLine(line, `/lines/${index}`, undefined, flat));
  return ok({
    ...header,
    channel: 'api',
    orderType: orderType ?? 'new',
    envelope,
    lines: flat,
    ...(total === undefined ? {} : { statedTotal: total }),
    ...(extras === undefined ? {} : { extras }),
  });
}

/** Components go back under their parent, as the partner sent them. */
export function presentOrder(order: StoredOrder): OrderJson {
  const { lines, ...header } = order;
  const toJson = ({ parentLineId: _p, ...line }: StoredOrder['lines'][number]): OrderLineJson => line;
  const top = lines.filter((l) => l.parentLineId === undefined).map(toJson);
  const byParent = new Map<string, OrderLineJson[]>();
  for (const line of lines) {
    if (line.parentLineId !== undefined) byParent.set(line.parentLineId, [...(byParent.get(line.parentLineId) ?? []), toJson(line)]);
  }
  for (const line of top) {
    const children = byParent.get(line.id);
    if (children !== undefined) line.components = children;
  }
  return Object.assign({}, header, { lines: top });
}
