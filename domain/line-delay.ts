import type { LineAck } from './acknowledgment.ts';
import type { OrderLine, StoredOrder } from './order.ts';

// When a vendor moves a line's date later, the partner is told (order.delayed.v1). "Later" is
// against what the partner was last given for that date, like with like:
//   - when the line ships: the latest date of its answer's portions (the 855 / ConfirmationRequest
//     carried them), and before any answer, the date the partner asked it to ship by (line, then
//     order). A backorder with nothing promised before is a delay with no previous date.
//   - when it arrives: the latest estimate of the line's earlier shipments (the 856 carried it),
//     and before any, the delivery date the partner asked for (line, then order). An estimate with
//     nothing to compare is no delay.
// The task's due time is not a date the partner was given (it is our SLA with the vendor), so it
// is never the previous date.

export interface LineDelay {
  lineNumber: string;
  /** Which date moved: when the line ships, or when it arrives. */
  dateType: 'ship' | 'delivery';
  /** What the partner had for that date (YYYY-MM-DD), or null when nothing was promised or asked. */
  previousDate: string | null;
  expectedDate: string;
  reason: 'backordered' | 'ship-date-later' | 'delivery-date-later';
}

const day = (date: string): string => date.slice(0, 10);

/** The latest ship date among the portions that will ship, and the portion giving it. */
function latest(portions: readonly LineAck[]): LineAck | undefined {
  return portions
    .filter((portion) => portion.status !== 'rejected' && portion.expectedDate !== undefined)
    .reduce<LineAck | undefined>(
      (best, portion) => (best === undefined || day(portion.expectedDate as string) > day(best.expectedDate as string) ? portion : best),
      undefined,
    );
}

type Line = Pick<OrderLine, 'lineNumber' | 'requestedShipDate' | 'requestedDeliveryDate'>;
type Order = Pick<StoredOrder, 'requestedShipDate' | 'requestedDeliveryDate'>;

const asked = (date: string | undefined): string | null => (date === undefined ? null : day(date));

/** An acknowledgment's portions against the line's answer before (none: its first answer). */
export function ackDelay(
  order: Order,
  line: Line,
  before: readonly LineAck[] | undefined,
  portions: readonly LineAck[],
): LineDelay | undefined {
  const moved = latest(portions);
  if (moved === undefined) return undefined;
  const expectedDate = day(moved.expectedDate as string);
  const given = before === undefined ? undefined : latest(before);
  const previousDate = given !== undefined ? day(given.expectedDate as string) : asked(line.requestedShipDate ?? order.requestedShipDate);
  if (previousDate === null ? moved.status !== 'backordered' : expectedDate <= previousDate) return undefined;
  return {
    lineNumber: line.lineNumber,
    dateType: 'ship',
    previousDate,
    expectedDate,
    reason: moved.status === 'backordered' ? 'backordered' : 'ship-date-later',
  };
}

/** A shipment's delivery estimate against the line's earlier estimate (none: its first shipment). */
export function shipmentDelay(order: Order, line: Line, before: string | undefined, estimate: string | undefined): LineDelay | undefined {
  if (estimate === undefined) return undefined;
  const previousDate = before !== undefined ? day(before) : asked(line.requestedDeliveryDate ?? order.requestedDeliveryDate);
  const expectedDate = day(estimate);
  if (previousDate === null || expectedDate <= previousDate) return undefined;
  return { lineNumber: line.lineNumber, dateType: 'delivery', previousDate, expectedDate, reason: 'delivery-date-later' };
}

/** Whether `portions` restate `before` with nothing but dates moved: the same portions, in order, at the same quantities and prices. */
export function onlyDatesMoved(before: readonly LineAck[], portions: readonly LineAck[]): boolean {
  const same = (a: LineAck, b: LineAck) =>
    a.status === b.status && a.quantity === b.quantity && a.uom === b.uom && a.unitPrice === b.unitPrice;
  return before.length === portions.length && before.every((portion, index) => same(portion, portions[index] as LineAck));
}
