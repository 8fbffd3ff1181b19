import { createHash } from 'node:crypto';
import type { FulfillmentRequest } from '../../domain/fulfillment-request.ts';
import type { VendorLineAck, VendorReply } from '../../domain/vendor-reply.ts';

// What a well-behaved vendor answers to one request: ack, then (for a ship task) a shipment, then
// complete. Message ids are derived from the task and the step, so a simulator that answers the
// same request twice sends the same ids and the gateway drops the repeat, as a real vendor would.

export interface SimulatedReply {
  messageId: string;
  reply: VendorReply;
}

/**
 * How much of its line a vendor does not take as ordered (asyncapi.yaml FulfillmentAck: a line may
 * be answered in portions that add up to its quantity), so that a demo shows every kind of answer.
 */
export const partialModes = ['backorder', 'reject', 'change-quantity', 'change-price', 'mixed'] as const;
export type PartialMode = (typeof partialModes)[number];

export const isPartialMode = (value: string): value is PartialMode => (partialModes as readonly string[]).includes(value);

export interface ReplyOptions {
  at?: Date;
  /** Fail the task instead of doing it: retryable or for good. */
  fail?: 'retryable' | 'final';
  /** Answer the line in portions instead of accepting all of it (see portionsFor). */
  partial?: PartialMode;
}

const stableId = (...parts: string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

/** An SSCC-18: extension digit, a GS1 company prefix and serial from the task, and the mod-10 check digit. */
export function sscc(seed: string): string {
  const digits = `0${BigInt(`0x${stableId(seed)}`)
    .toString()
    .padStart(16, '0')
    .slice(-16)}`;
  const sum = [...digits].reverse().reduce((total, digit, index) => total + Number(digit) * (index % 2 === 0 ? 3 : 1), 0);
  return `${digits}${(10 - (sum % 10)) % 10}`;
}

/** A backorder is expected a week after the answer. */
const backorderDays = 7;

const dayAfter = (at: Date, days: number): string => new Date(at.getTime() + days * 86_400_000).toISOString().slice(0, 10);

/**
 * A line cut into `parts` positive whole quantities adding up to it, the last ones about a third (and
 * a sixth) of it. A line that cannot be cut so (one unit, a fraction, fewer units than parts) goes
 * whole to the last part: a line of one is backordered or rejected outright. Unused parts are 0.
 */
function cut(quantity: number, parts: number): number[] {
  if (!Number.isInteger(quantity) || quantity < parts) return [...Array<number>(parts - 1).fill(0), quantity];
  const rest = [Math.max(1, Math.floor(quantity / 3)), Math.max(1, Math.floor(quantity / 6))].slice(0, parts - 1);
  return [quantity - rest.reduce((a, b) => a + b, 0), ...rest];
}

/** A price a tenth higher, in cents. */
const raised = (price: number): number => Math.round(price * 110) / 100;

/**
 * The ack's lines for the request's line:
 *   backorder        part accepted, the rest backordered until a week later;
 *   reject           part accepted, the rest rejected;
 *   change-quantity  part changed (the quantity the vendor will deliver), the rest rejected;
 *   change-price     all of it changed to a price a tenth higher (a line with no price, or a price
 *                    of 0, is accepted: there is no price to change);
 *   mixed            part accepted, part backordered, part rejected.
 */
export function portionsFor(request: FulfillmentRequest, partial: PartialMode | undefined, at: Date): VendorLineAck[] {
  const { lineNumber, quantity, uom, unitPrice } = request.line;
  const accepted = (q: number): VendorLineAck => ({ lineNumber, status: 'accepted', quantity: q, uom });
  const backordered = (q: number): VendorLineAck => ({
    lineNumber,
    status: 'backordered',
    quantity: q,
    uom,
    expectedDate: dayAfter(at, backorderDays),
    note: 'Out of stock; next delivery from the distributor expected.',
  });
  const rejected = (q: number): VendorLineAck => ({ lineNumber, status: 'rejected', quantity: q, uom, note: 'Discontinued.' });
  const changed = (q: number): VendorLineAck => ({ lineNumber, status: 'changed', quantity: q, uom, note: `Only ${q} available.` });
  const answer = (parts: number[], statuses: ((q: number) => VendorLineAck)[]): VendorLineAck[] =>
    statuses.flatMap((portion, i) => ((parts[i] ?? 0) > 0 ? [portion(parts[i] ?? 0)] : []));
  switch (partial) {
    case undefined:
      return [accepted(quantity)];
    case 'backorder':
      return answer(cut(quantity, 2), [accepted, backordered]);
    case 'reject':
      return answer(cut(quantity, 2), [accepted, rejected]);
    case 'change-quantity':
      return answer(cut(quantity, 2), [changed, rejected]);
    case 'change-price':
      if (unitPrice === undefined || unitPrice === 0) return [accepted(quantity)];
      return [{ lineNumber, status: 'changed', quantity, uom, unitPrice: raised(unitPrice), note: 'New price list.' }];
    case 'mixed':
      return answer(cut(quantity, 3), [accepted, backordered, rejected]);
  }
}

export function repliesFor(request: FulfillmentRequest, options: ReplyOptions = {}): SimulatedReply[] {
  const now = options.at ?? new Date();
  const at = now.toISOString();
  const base = { taskId: request.taskId, orderId: request.orderId, vendorId: request.vendorId };
  const id = (step: string) => stableId(request.vendorId, request.taskId, step);
  const { line } = request;
  if (options.fail !== undefined) {
    const retryable = options.fail === 'retryable';
    return [
      {
        messageId: id(`fail-${options.fail}`),
        reply: {
          type: 'fulfillment.fail.v1',
          body: {
            ...base,
            failedAt: at,
            code: retryable ? 'capacity' : 'not-serviceable',
            reason: retryable ? 'no capacity today; try again later' : 'the address cannot be served',
            retryable,
          },
        },
      },
    ];
  }
  const portions = portionsFor(request, options.partial, now);
  const replies: SimulatedReply[] = [
    { messageId: id('ack'), reply: { type: 'fulfillment.ack.v1', body: { ...base, ackedAt: at, lines: portions } } },
  ];
  if (request.taskType === 'ship') {
    const sum = (statuses: VendorLineAck['status'][]) =>
      portions.filter((p) => statuses.includes(p.status)).reduce((total, p) => total + p.quantity, 0);
    // What is due ships now; the backordered part in a second shipment, once it has come in. A
    // rejected part never ships. The first shipment keeps the step names a full acceptance has always had.
    const shipment = (step: string, quantity: number): SimulatedReply => ({
      messageId: id(step),
      reply: {
        type: 'fulfillment.ship.v1',
        body: {
          ...base,
          shipmentId: `SH-${id(step === 'ship' ? 'shipment' : `shipment-${step}`)
            .slice(0, 10)
            .toUpperCase()}`,
          shippedAt: at,
          carrier: { scac: 'UPSN', name: 'UPS' },
          trackingNumber: `1Z${id(step === 'ship' ? 'tracking' : `tracking-${step}`)
            .slice(0, 16)
            .toUpperCase()}`,
          serviceLevel: 'G2',
          // Second-day service: the buyer's ship notice carries the arrival it can plan for.
          estimatedDeliveryDate: new Date(now.getTime() + 2 * 86_400_000).toISOString().slice(0, 10),
          packages: [
            {
              sscc: sscc(step === 'ship' ? request.taskId : `${request.taskId}:${step}`),
              items: [{ lineNumber: line.lineNumber, quantity, uom: line.uom }],
            },
          ],
        },
      },
    });
    const due = sum(['accepted', 'changed']);
    const later = sum(['backordered']);
    if (due > 0) replies.push(shipment('ship', due));
    if (later > 0) replies.push(shipment('ship-backordered', later));
  }
  replies.push({ messageId: id('complete'), reply: { type: 'fulfillment.complete.v1', body: { ...base, completedAt: at } } });
  return replies;
}
