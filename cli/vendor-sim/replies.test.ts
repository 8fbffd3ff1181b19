import { describe, expect, it } from 'vitest';
import { checkMessage } from '../../adapters/contract/messages.ts';
import type { FulfillmentRequest } from '../../domain/fulfillment-request.ts';
import type { VendorReply } from '../../domain/vendor-reply.ts';
import { partialModes, repliesFor, type PartialMode, type SimulatedReply } from './replies.ts';

const at = new Date('2026-12-01T10:00:00Z');

function request(quantity: number, changes: Partial<FulfillmentRequest> = {}, unitPrice: number | null = 49.5): FulfillmentRequest {
  return {
    taskId: '3c8d2e71-6a4f-4b19-8e05-9f1a7b2c4d60',
    orderId: '7f3e9a52-1c4b-4e8d-b6a0-5d2f8c9e1a34',
    partnerId: '0b7c4a52-6f1e-4d7a-9a43-2f8e1c9d5b10',
    externalRef: 'PO-7001',
    vendorId: 'vendor-a',
    taskType: 'ship',
    taskName: 'ship',
    line: {
      lineId: '5d2f8c9e-1a34-4e8d-b6a0-7f3e9a521c4b',
      lineNumber: '1',
      sku: 'MODEM-X1',
      quantity,
      uom: 'EA',
      ...(unitPrice === null ? {} : { unitPrice }),
    },
    items: [{ lineNumber: '1', sku: 'MODEM-X1', quantity, uom: 'EA' }],
    dueAt: '2026-12-01T00:00:00Z',
    ...changes,
  };
}

type Of<T extends VendorReply['type']> = Extract<VendorReply, { type: T }>['body'];
const bodies = <T extends VendorReply['type']>(replies: SimulatedReply[], type: T): Of<T>[] =>
  replies.filter((r) => r.reply.type === type).map((r) => r.reply.body as Of<T>);

/** [status, quantity] of each portion of the ack. */
const portions = (replies: SimulatedReply[]): [string, number][] =>
  bodies(replies, 'fulfillment.ack.v1').flatMap((ack) => ack.lines.map((l): [string, number] => [l.status, l.quantity]));
/** The quantity of each shipment, in the order sent. */
const shipped = (replies: SimulatedReply[]) =>
  bodies(replies, 'fulfillment.ship.v1').map((s) => s.packages.flatMap((p) => p.items).reduce((sum, item) => sum + item.quantity, 0));

describe('the simulated vendor', () => {
  it('accepts the whole line and ships it, under the message ids it has always used', () => {
    const replies = repliesFor(request(6), { at });
    // Ids computed by the simulator before partial answers existed: a vendor answering the same request again repeats them.
    expect(replies.map((r) => [r.reply.type, r.messageId])).toEqual([
      ['fulfillment.ack.v1', 'b196049008f3f29b10c02c57d0e1d6d4'],
      ['fulfillment.ship.v1', 'fb38524d530d724f3a000bff5e329f4b'],
      ['fulfillment.complete.v1', 'a3330a9a30c4aa8474d192ba0a533cce'],
    ]);
    const [shipment] = bodies(replies, 'fulfillment.ship.v1');
    expect(shipment).toMatchObject({
      shipmentId: 'SH-4FE871DDED',
      trackingNumber: '1Z9BCB13831F830614',
      packages: [{ sscc: '035415465911269081' }],
    });
    expect(portions(replies)).toEqual([['accepted', 6]]);
  });

  it.each([
    [
      'backorder',
      6,
      [
        ['accepted', 4],
        ['backordered', 2],
      ],
      [4, 2],
    ],
    [
      'reject',
      6,
      [
        ['accepted', 4],
        ['rejected', 2],
      ],
      [4],
    ],
    [
      'change-quantity',
      10,
      [
        ['changed', 7],
        ['rejected', 3],
      ],
      [7],
    ],
    ['change-price', 10, [['changed', 10]], [10]],
    [
      'mixed',
      6,
      [
        ['accepted', 3],
        ['backordered', 2],
        ['rejected', 1],
      ],
      [3, 2],
    ],
    [
      'mixed',
      3,
      [
        ['accepted', 1],
        ['backordered', 1],
        ['rejected', 1],
      ],
      [1, 1],
    ],
    // A line too small to cut goes whole to the last status.
    ['backorder', 1, [['backordered', 1]], [1]],
    ['reject', 1, [['rejected', 1]], []],
    ['change-quantity', 1, [['rejected', 1]], []],
    ['mixed', 2, [['rejected', 2]], []],
    ['backorder', 2.5, [['backordered', 2.5]], [2.5]],
  ] as const)('--partial %s of %d: portions %j, shipments %j', (mode, quantity, expected, shipments) => {
    const replies = repliesFor(request(quantity), { at, partial: mode });
    expect(portions(replies)).toEqual(expected);
    expect(portions(replies).reduce((sum, [, q]) => sum + q, 0)).toBe(quantity);
    expect(shipped(replies)).toEqual(shipments);
    expect(replies.at(-1)?.reply.type).toBe('fulfillment.complete.v1');
  });

  it('dates a backorder a week out, prices a change a tenth higher, and explains rejections', () => {
    const backorder = bodies(repliesFor(request(6), { at, partial: 'backorder' }), 'fulfillment.ack.v1')[0]?.lines[1];
    expect(backorder).toMatchObject({ status: 'backordered', expectedDate: '2026-12-08' });
    const change = bodies(repliesFor(request(10), { at, partial: 'change-price' }), 'fulfillment.ack.v1')[0]?.lines[0];
    expect(change).toMatchObject({ status: 'changed', quantity: 10, unitPrice: 54.45 });
    const rejected = bodies(repliesFor(request(6), { at, partial: 'reject' }), 'fulfillment.ack.v1')[0]?.lines[1];
    expect(rejected?.note).toBeTruthy();
    // No price to change: the line is accepted as it is.
    expect(portions(repliesFor(request(10, {}, null), { at, partial: 'change-price' }))).toEqual([['accepted', 10]]);
    expect(portions(repliesFor(request(10, {}, 0), { at, partial: 'change-price' }))).toEqual([['accepted', 10]]);
  });

  it('ships nothing for a task of another type, answers and completes it', () => {
    const replies = repliesFor(request(1, { taskType: 'activate', taskName: 'activate-port' }), { at, partial: 'backorder' });
    expect(replies.map((r) => r.reply.type)).toEqual(['fulfillment.ack.v1', 'fulfillment.complete.v1']);
  });

  it('keeps every message, shipment, tracking number and SSCC distinct and the same on every run', () => {
    const first = repliesFor(request(6), { at, partial: 'mixed' });
    const again = repliesFor(request(6), { at: new Date('2026-12-02T10:00:00Z'), partial: 'mixed' });
    expect(again.map((r) => r.messageId)).toEqual(first.map((r) => r.messageId));
    expect(new Set(first.map((r) => r.messageId)).size).toBe(first.length);
    const ships = bodies(first, 'fulfillment.ship.v1');
    for (const key of ['shipmentId', 'trackingNumber'] as const) expect(new Set(ships.map((s) => s[key])).size).toBe(2);
    expect(new Set(ships.map((s) => s.packages[0]?.sscc)).size).toBe(2);
    // The first shipment is the one a full acceptance sends.
    expect(ships[0]?.shipmentId).toBe('SH-4FE871DDED');
  });

  it('sends only what the message contract allows', () => {
    for (const mode of [undefined, ...partialModes] as (PartialMode | undefined)[])
      for (const quantity of [1, 2, 6, 2.5])
        for (const { reply } of repliesFor(request(quantity), { at, ...(mode === undefined ? {} : { partial: mode }) }))
          expect(checkMessage(reply.type, reply.body), `${mode} ${quantity} ${reply.type}`).toEqual([]);
  });
});
