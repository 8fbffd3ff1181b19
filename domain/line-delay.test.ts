import { describe, expect, it } from 'vitest';
import type { LineAck } from './acknowledgment.ts';
import { ackDelay, onlyDatesMoved, shipmentDelay } from './line-delay.ts';

const portion = (status: LineAck['status'], quantity: number, expectedDate?: string): LineAck => ({
  lineNumber: '1',
  status,
  quantity,
  uom: 'EA',
  ...(expectedDate === undefined ? {} : { expectedDate }),
});
const line = { lineNumber: '1' };
const noDates = {};

describe('a line date moved later', () => {
  it('takes a first answer later than the ship date the partner asked for (line, then order) as a delay', () => {
    const asked = { requestedShipDate: '2026-12-10' };
    expect(ackDelay(asked, line, undefined, [portion('accepted', 2, '2026-12-12')])).toEqual({
      lineNumber: '1',
      dateType: 'ship',
      previousDate: '2026-12-10',
      expectedDate: '2026-12-12',
      reason: 'ship-date-later',
    });
    expect(
      ackDelay(asked, { ...line, requestedShipDate: '2026-12-15' }, undefined, [portion('accepted', 2, '2026-12-12')]),
    ).toBeUndefined();
    expect(ackDelay(asked, line, undefined, [portion('accepted', 2, '2026-12-10')])).toBeUndefined();
  });

  it('takes a backorder with nothing asked as a delay with no previous date, a dated acceptance as none', () => {
    expect(ackDelay(noDates, line, undefined, [portion('accepted', 1), portion('backordered', 1, '2026-12-14')])).toEqual({
      lineNumber: '1',
      dateType: 'ship',
      previousDate: null,
      expectedDate: '2026-12-14',
      reason: 'backordered',
    });
    expect(ackDelay(noDates, line, undefined, [portion('accepted', 2, '2026-12-14')])).toBeUndefined();
  });

  it("measures a restated answer against the answer's own latest date, not the request; rejected portions ship nothing", () => {
    const before = [portion('accepted', 1, '2026-12-10'), portion('backordered', 1, '2026-12-14')];
    const later = [portion('accepted', 1, '2026-12-10'), portion('backordered', 1, '2026-12-18')];
    expect(ackDelay({ requestedShipDate: '2026-12-01' }, line, before, later)).toMatchObject({
      previousDate: '2026-12-14',
      expectedDate: '2026-12-18',
      reason: 'backordered',
    });
    expect(ackDelay(noDates, line, later, before)).toBeUndefined();
    expect(ackDelay(noDates, line, before, [portion('accepted', 1, '2026-12-10'), portion('rejected', 1, '2027-01-01')])).toBeUndefined();
  });

  it('takes a delivery estimate later than the earlier one, else than the delivery date asked for, as a delay; none with nothing to compare', () => {
    expect(shipmentDelay({ requestedDeliveryDate: '2026-12-12' }, line, undefined, '2026-12-13')).toEqual({
      lineNumber: '1',
      dateType: 'delivery',
      previousDate: '2026-12-12',
      expectedDate: '2026-12-13',
      reason: 'delivery-date-later',
    });
    expect(shipmentDelay({ requestedDeliveryDate: '2026-12-12' }, line, '2026-12-15', '2026-12-14')).toBeUndefined();
    expect(shipmentDelay(noDates, line, '2026-12-15', '2026-12-16')).toMatchObject({
      previousDate: '2026-12-15',
      expectedDate: '2026-12-16',
    });
    expect(shipmentDelay(noDates, line, undefined, '2026-12-16')).toBeUndefined();
    expect(shipmentDelay({ requestedDeliveryDate: '2026-12-12' }, line, undefined, undefined)).toBeUndefined();
  });

  it('knows a restatement that moves only dates from one that changes the answer', () => {
    const before = [portion('accepted', 1, '2026-12-10'), portion('backordered', 1, '2026-12-14')];
    expect(onlyDatesMoved(before, [portion('accepted', 1, '2026-12-11'), portion('backordered', 1, '2026-12-20')])).toBe(true);
    expect(onlyDatesMoved(before, [portion('accepted', 2, '2026-12-11')])).toBe(false);
    expect(onlyDatesMoved(before, [portion('accepted', 1), portion('rejected', 1)])).toBe(false);
  });
});
