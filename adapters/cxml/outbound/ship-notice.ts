import type { StoredOrder } from '../../../domain/order.ts';
import type { Problem } from '../../../domain/problem.ts';
import { err, ok, type Result } from '../../../domain/result.ts';
import type { ShippedItem, Shipment } from '../../../domain/shipment.ts';
import { envelopeLang, envelopeTime, fulfillRequest, type CxmlEnvelope } from './envelope.ts';
import { itemAttributes, orderReference, type StoredLine } from './order-lines.ts';
import { dateTime, decimal, isCxmlLineNumber, timestamp, units } from './values.ts';
import { el, type XmlElement } from './xml.ts';

// The cXML ShipNoticeRequest (Fulfill.dtd): one shipment of one order. ShipNoticeItems are per
// order line, not per package: the DTD lets a notice name a line only once, so a line split over
// packages is summed.

export interface ShipNoticeProblem extends Problem {
  code:
    | 'not-a-cxml-order'
    | 'empty-shipment'
    | 'incomplete-shipment'
    | 'unknown-line'
    | 'line-number-not-cxml'
    | 'invalid-quantity'
    | 'unit-mismatch'
    | 'invalid-date';
}

/** X12 service level codes (element 284), which the Shipment carries, in words for ServiceLevel. */
const serviceLevels: Readonly<Record<string, string>> = {
  SA: 'same day',
  ON: 'overnight',
  ND: 'next day',
  SC: 'second day',
  '3D': 'three day',
  CG: 'ground',
  G2: 'standard',
};

/** Calendar days of transit the service levels that promise one commit to. */
const committedTransitDays: Readonly<Record<string, number>> = { SA: 0, ON: 1, ND: 1, SC: 2, '3D': 3 };

const dayMs = 24 * 60 * 60 * 1000;

/**
 * ShipNoticeHeader@deliveryDate, which the DTD requires of every notice not deleting one: the
 * vendor's estimate; without one, the earliest the shipment can arrive, which is never invented
 * later than it may come: the shipped date plus the transit its service level commits to (next day:
 * one calendar day), else the shipped date itself (ground or no level: no transit is promised, and
 * a guessed one could tell the buyer to expect goods after they have arrived).
 */
function deliveryDateOf(shipment: Shipment, shipped: Date): string | undefined {
  if (shipment.estimatedDeliveryDate !== undefined) return dateTime(shipment.estimatedDeliveryDate);
  const days = shipment.serviceLevel === undefined ? 0 : (committedTransitDays[shipment.serviceLevel] ?? 0);
  return timestamp(new Date(shipped.getTime() + days * dayMs));
}

interface ShippedLine {
  line: StoredLine;
  quantity: number;
  uom: string;
}

/** Every item summed per order line, in the order's line order; or what is wrong with the items. */
function shippedLines(order: StoredOrder, shipment: Shipment): Result<ShippedLine[], ShipNoticeProblem[]> {
  const problems: ShipNoticeProblem[] = [];
  const lines = new Map(order.lines.map((l) => [l.lineNumber, l]));
  const shipped = new Map<string, { units: number; uom: string }>();
  const add = (item: ShippedItem, at: string) => {
    const line = lines.get(item.lineNumber);
    if (line === undefined)
      return problems.push({
        pointer: `${at}/lineNumber`,
        code: 'unknown-line',
        detail: `order ${order.externalRef} has no line "${item.lineNumber}"`,
      });
    if (!isCxmlLineNumber(line.lineNumber))
      return problems.push({
        pointer: `${at}/lineNumber`,
        code: 'line-number-not-cxml',
        detail: `line number "${line.lineNumber}" is not a cXML line number (a whole number from 1)`,
      });
    if (!Number.isFinite(item.quantity) || item.quantity <= 0)
      return problems.push({
        pointer: `${at}/quantity`,
        code: 'invalid-quantity',
        detail: `a shipped quantity must be greater than zero, got ${item.quantity}`,
      });
    const soFar = shipped.get(item.lineNumber);
    if (soFar !== undefined && soFar.uom !== item.uom)
      return problems.push({
        pointer: `${at}/uom`,
        code: 'unit-mismatch',
        detail: `line "${item.lineNumber}" is shipped in ${soFar.uom} and in ${item.uom}; one ShipNoticeItem has one unit`,
      });
    return shipped.set(item.lineNumber, { units: (soFar?.units ?? 0) + units(item.quantity), uom: item.uom });
  };
  shipment.packages.forEach((pack, p) => pack.items.forEach((item, i) => add(item, `/packages/${p}/items/${i}`)));
  // A portion without items means "the entire order" to the DTD: never say that by accident.
  if (shipped.size === 0 && problems.length === 0)
    problems.push({ pointer: '/packages', code: 'empty-shipment', detail: 'the shipment holds no items' });
  if (problems.length > 0) return err(problems);
  return ok(
    order.lines.flatMap((line) => {
      const s = shipped.get(line.lineNumber);
      return s === undefined ? [] : [{ line, quantity: s.units / 10_000, uom: s.uom }];
    }),
  );
}

/** ShipNoticeItem: the shipped quantity of one line, with its bundle place (a component keeps its parentLineNumber). */
const shipNoticeItem = ({ line, quantity, uom }: ShippedLine): XmlElement =>
  el('ShipNoticeItem', { quantity: decimal(quantity), ...itemAttributes(line) }, el('UnitOfMeasure', {}, uom));

/** ShipControl: the carrier by SCAC and by name, and its tracking number. */
const shipControl = (shipment: Shipment): XmlElement =>
  el(
    'ShipControl',
    {},
    el('CarrierIdentifier', { domain: 'SCAC' }, shipment.carrier.scac),
    shipment.carrier.name === undefined || shipment.carrier.name === ''
      ? undefined
      : el('CarrierIdentifier', { domain: 'companyName' }, shipment.carrier.name),
    el('ShipmentIdentifier', {}, shipment.trackingNumber),
  );

export function buildShipNoticeRequest(
  order: StoredOrder,
  shipment: Shipment,
  envelope: CxmlEnvelope,
): Result<string, ShipNoticeProblem[]> {
  const problems: ShipNoticeProblem[] = [];
  const orderPayloadId = order.envelope?.payloadId;
  if (orderPayloadId === undefined)
    problems.push({
      pointer: '/order/envelope/payloadId',
      code: 'not-a-cxml-order',
      detail: `order ${order.externalRef} did not come as a cXML OrderRequest; there is no payloadID to refer to`,
    });
  if (shipment.carrier.scac === '' || shipment.trackingNumber === '')
    problems.push({
      pointer: '/carrier',
      code: 'incomplete-shipment',
      detail: 'a ship notice needs the carrier SCAC and the tracking number',
    });
  const shipmentDate = dateTime(shipment.shippedAt);
  if (shipmentDate === undefined)
    problems.push({ pointer: '/shippedAt', code: 'invalid-date', detail: `"${shipment.shippedAt}" is not an ISO date-time` });
  const deliveryDate = shipmentDate === undefined ? undefined : deliveryDateOf(shipment, new Date(shipmentDate));
  if (shipment.estimatedDeliveryDate !== undefined && deliveryDate === undefined)
    problems.push({
      pointer: '/estimatedDeliveryDate',
      code: 'invalid-date',
      detail: `"${shipment.estimatedDeliveryDate}" is neither a YYYY-MM-DD date nor an ISO date-time`,
    });
  const lines = shippedLines(order, shipment);
  if (!lines.ok) problems.push(...lines.error);
  if (!lines.ok || problems.length > 0 || orderPayloadId === undefined || deliveryDate === undefined) return err(problems);

  const level = shipment.serviceLevel;
  const request = el(
    'ShipNoticeRequest',
    {},
    el(
      'ShipNoticeHeader',
      {
        shipmentID: shipment.shipmentId,
        noticeDate: timestamp(envelopeTime(envelope)),
        shipmentDate,
        deliveryDate,
        shipmentType: 'actual',
      },
      level === undefined ? undefined : el('ServiceLevel', { 'xml:lang': envelopeLang(envelope) }, serviceLevels[level] ?? level),
    ),
    shipControl(shipment),
    el('ShipNoticePortion', {}, orderReference(order, orderPayloadId), lines.value.map(shipNoticeItem)),
  );
  return ok(fulfillRequest(envelope, request));
}
