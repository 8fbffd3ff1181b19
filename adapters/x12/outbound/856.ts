// The 856 ship notice (X12 4010): one shipment of one order, as shipment > order > pack > item levels.
import type { OrderLine, StoredOrder } from '../../../domain/order.ts';
import type { Package, ShippedItem, Shipment } from '../../../domain/shipment.ts';
import { ccyymmdd, hhmm, seg, type OutSegment } from '../serialize.ts';
import type { X12Profile } from '../../../domain/partner-profile.ts';
import { date8, decimal, itemIds, orderLines, partnerLine, partyLoop, profilePartyLoop } from './segments.ts';

type Level = 'S' | 'O' | 'P' | 'I';

/**
 * The set body, BSN to CTT. Every package is a pack level under the order and holds its items. A
 * bundle's components are items of their own (they may travel in different packages); each names its
 * bundle through a PL pair in its LIN (see itemIds) and itself by the SLN01 the partner gave it, so
 * the buyer can put the bundle together again. The partner's guide profile adds the packaging code
 * and the ship-from party; the caller has checked its cartons against the profile's SSCC policy.
 * Throws when an item names a line the order does not have.
 */
export function build856(order: StoredOrder, shipment: Shipment, asnDate: Date, profile?: X12Profile): OutSegment[] {
  const lineFor = orderLines(order, 'shipment');
  const body: OutSegment[] = [
    // BSN01 purpose (00 original), BSN02 shipment id, BSN03/BSN04 creation date and time, BSN05 0001 = shipment, order, packaging, item.
    seg('BSN', '00', shipment.shipmentId, ccyymmdd(asnDate), hhmm(asnDate), '0001'),
  ];
  let count = 0;
  // HL01 this level's number, HL02 its parent's, HL03 the level code, HL04 1 when levels follow under it.
  const level = (code: Level, parent: number | undefined, hasChildren: boolean): number => {
    count += 1;
    body.push(seg('HL', count, parent, code, hasChildren ? '1' : '0'));
    return count;
  };

  const shipmentLevel = level('S', undefined, true);
  body.push(...shipmentDetails(order, shipment, profile));
  const orderLevel = level('O', shipmentLevel, shipment.packages.length > 0);
  // PRF01 PO number, PRF04 PO date.
  body.push(seg('PRF', order.externalRef, undefined, undefined, date8(order.orderDate)));
  for (const pack of shipment.packages) {
    const packLevel = level('P', orderLevel, pack.items.length > 0);
    body.push(...packageMarks(pack));
    for (const item of pack.items) {
      level('I', packLevel, false);
      body.push(...shippedItem(lineFor(item.lineNumber), item));
    }
  }
  // CTT01: the number of HL segments, as 856 guides count line items.
  body.push(seg('CTT', count));
  return body;
}

/**
 * TD1 packaging code (the profile's) and lading quantity (packages) with gross weight in kg when
 * every package has one (a partial sum would understate it); TD5 routing: 2 = SCAC, the carrier's
 * name as routing, TD512 service level; REF CN carrier's reference (the tracking number); DTM 011
 * shipped, in UTC; DTM 017 the estimated delivery, when the vendor gave one; the ship-to party, and
 * the ship-from party of the profile.
 */
function shipmentDetails(order: StoredOrder, shipment: Shipment, profile: X12Profile | undefined): OutSegment[] {
  const weights = shipment.packages.map((p) => p.weightKg);
  const known = weights.filter((w): w is number => w !== undefined);
  const weight = known.length === weights.length && known.length > 0 ? ['G', decimal(known.reduce((a, b) => a + b, 0)), 'KG'] : [];
  const shippedAt = new Date(shipment.shippedAt);
  return [
    seg('TD1', profile?.packagingCode, shipment.packages.length, undefined, undefined, undefined, ...weight),
    seg(
      'TD5',
      undefined,
      '2',
      shipment.carrier.scac,
      undefined,
      shipment.carrier.name,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      shipment.serviceLevel,
    ),
    seg('REF', 'CN', shipment.trackingNumber),
    seg('DTM', '011', ccyymmdd(shippedAt), hhmm(shippedAt), 'UT'),
    ...(shipment.estimatedDeliveryDate === undefined ? [] : [seg('DTM', '017', date8(shipment.estimatedDeliveryDate))]),
    ...(order.shipTo === undefined ? [] : partyLoop('ST', order.shipTo)),
    ...(profile?.shipFrom === undefined ? [] : profilePartyLoop('SF', profile.shipFrom)),
  ];
}

/** MAN GM: the SSCC with its application identifier 00; MAN SM: marks the shipper assigned. */
function packageMarks(pack: Package): OutSegment[] {
  const marks: OutSegment[] = [];
  if (pack.sscc !== undefined) marks.push(seg('MAN', 'GM', `00${pack.sscc}`));
  if (pack.marks !== undefined) marks.push(seg('MAN', 'SM', pack.marks));
  return marks;
}

/** LIN01 the partner's number for the line, LIN02.. product ID pairs; SN102 units shipped, SN103 unit. */
function shippedItem(line: OrderLine, item: ShippedItem): OutSegment[] {
  return [seg('LIN', partnerLine(line).number, ...itemIds(line)), seg('SN1', undefined, decimal(item.quantity), item.uom)];
}
