import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Shipment } from '../../../domain/shipment.ts';
import { validateAgainstDtd } from '../../../test/support/dtd.ts';
import { parseCxml } from '../parse.ts';
import { attr, child, children, path, text, type Node } from '../tree.ts';
import { fixedEnvelope, inbound, storedOrderFrom } from './fixtures/orders.ts';
import { buildShipNoticeRequest } from './ship-notice.ts';

const composite = storedOrderFrom(inbound.composite);
const sample = storedOrderFrom(inbound.sample);

/** Two packages: the modems split over both, the bundle's components apart. */
const compositeShipment: Shipment = {
  shipmentId: 'SHP-9001',
  shippedAt: '2026-12-01T15:20:00Z',
  carrier: { scac: 'UPSN', name: 'UPS' },
  trackingNumber: '1Z999AA10123456784',
  serviceLevel: 'G2',
  estimatedDeliveryDate: '2026-12-03',
  packages: [
    {
      sscc: '006141411234567890',
      items: [
        { lineNumber: '1', quantity: 1, uom: 'EA' },
        { lineNumber: '2', quantity: 1, uom: 'EA' },
        { lineNumber: '3', quantity: 1, uom: 'EA' },
      ],
    },
    {
      marks: 'BOX 2 OF 2',
      items: [
        { lineNumber: '4', quantity: 1, uom: 'EA' },
        { lineNumber: '1', quantity: 1, uom: 'EA' },
      ],
    },
  ],
};

/** The public sample's shipment: FedEx, everything in one box. */
const sampleShipment: Shipment = {
  shipmentId: 'S2-123',
  shippedAt: '2000-10-14T08:30:19-08:00',
  carrier: { scac: 'FDE', name: 'Federal Express' },
  trackingNumber: '8202 8261 1194',
  packages: [
    {
      items: [
        { lineNumber: '1', quantity: 10, uom: 'EA' },
        { lineNumber: '2', quantity: 20, uom: 'EA' },
      ],
    },
  ],
};

function built(...args: Parameters<typeof buildShipNoticeRequest>): string {
  const result = buildShipNoticeRequest(...args);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

function readBack(xml: string): Node {
  const parsed = parseCxml(new TextEncoder().encode(xml), 1024 * 1024);
  if (!parsed.ok) throw new Error(parsed.failure.text);
  return path(parsed.tree, 'cXML', 'Request', 'ShipNoticeRequest');
}

describe('buildShipNoticeRequest', () => {
  it('the validator is not vacuous: the public sample passes, a broken copy does not', () => {
    const published = readFileSync(new URL('../fixtures/samples/cxmlphp-ShipNoticeRequest.xml', import.meta.url), 'utf8');
    expect(validateAgainstDtd(published, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });
    expect(validateAgainstDtd(published.replace(/<ShipmentIdentifier>[^<]*<\/ShipmentIdentifier>/, ''), 'Fulfill.dtd').valid).toBe(false);
  });

  it('writes the golden ShipNoticeRequest for the composite order: one item per line, summed over packages, components under their parent', async () => {
    const xml = built(composite, compositeShipment, fixedEnvelope);
    await expect(xml).toMatchFileSnapshot('./fixtures/composite-ShipNoticeRequest.xml');
    expect(validateAgainstDtd(xml, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });

    const request = readBack(xml);
    const header = child(request, 'ShipNoticeHeader');
    expect([
      attr(header, 'shipmentID'),
      attr(header, 'shipmentDate'),
      attr(header, 'deliveryDate'),
      text(child(header, 'ServiceLevel')),
    ]).toEqual(['SHP-9001', '2026-12-01T15:20:00+00:00', '2026-12-03T00:00:00+00:00', 'standard']);
    const control = child(request, 'ShipControl');
    expect(children(control, 'CarrierIdentifier').map((c) => [attr(c, 'domain'), text(c)])).toEqual([
      ['SCAC', 'UPSN'],
      ['companyName', 'UPS'],
    ]);
    expect(text(child(control, 'ShipmentIdentifier'))).toBe('1Z999AA10123456784');
    const portion = child(request, 'ShipNoticePortion');
    expect(attr(path(portion, 'OrderReference', 'DocumentReference'), 'payloadID')).toBe('1700000000.4711@buyer.example');
    // Copied from the OrderRequest as it came, time and zone included.
    expect(attr(child(portion, 'OrderReference'), 'orderDate')).toBe('2026-11-27T10:14:00-05:00');
    expect(
      children(portion, 'ShipNoticeItem').map((i) => [
        attr(i, 'lineNumber'),
        attr(i, 'quantity'),
        attr(i, 'parentLineNumber'),
        attr(i, 'itemType'),
        text(child(i, 'UnitOfMeasure')),
      ]),
    ).toEqual([
      ['1', '2', undefined, undefined, 'EA'],
      ['2', '1', undefined, 'composite', 'EA'],
      ['3', '1', '2', 'item', 'EA'],
      ['4', '1', '2', 'item', 'EA'],
    ]);
  });

  it('writes the golden ShipNoticeRequest for the public sample order', async () => {
    const xml = built(sample, sampleShipment, { ...fixedEnvelope, deploymentMode: 'test' });
    await expect(xml).toMatchFileSnapshot('./fixtures/sample-ShipNoticeRequest.xml');
    expect(validateAgainstDtd(xml, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });
    const request = readBack(xml);
    expect(attr(child(request, 'ShipNoticeHeader'), 'shipmentDate')).toBe('2000-10-14T16:30:19+00:00');
    expect(attr(path(request, 'ShipNoticePortion', 'OrderReference'), 'orderID')).toBe('DO1234');
    expect(attr(path(request, 'ShipNoticePortion', 'OrderReference'), 'orderDate')).toBe('2000-10-12T18:41:29-08:00');
    // No estimate and no service level: the shipped date, the earliest it can arrive.
    expect(attr(child(request, 'ShipNoticeHeader'), 'deliveryDate')).toBe('2000-10-14T16:30:19+00:00');
    expect(children(child(request, 'ShipNoticePortion'), 'ShipNoticeItem').map((i) => attr(i, 'quantity'))).toEqual(['10', '20']);
  });

  it.each([
    ['next day', 'ND', '2000-10-15T16:30:19+00:00'],
    ['second day', 'SC', '2000-10-16T16:30:19+00:00'],
    ['same day', 'SA', '2000-10-14T16:30:19+00:00'],
    ['ground (no transit promised)', 'CG', '2000-10-14T16:30:19+00:00'],
    ['a code the gateway does not know', 'ZZ', '2000-10-14T16:30:19+00:00'],
  ])('without the vendor estimate, dates the delivery by the service level: %s', (_name, serviceLevel, deliveryDate) => {
    const xml = built(sample, { ...sampleShipment, serviceLevel }, fixedEnvelope);
    expect(attr(child(readBack(xml), 'ShipNoticeHeader'), 'deliveryDate')).toBe(deliveryDate);
    expect(validateAgainstDtd(xml, 'Fulfill.dtd')).toEqual({ valid: true, errors: [] });
  });

  it('takes the vendor estimate over the service level', () => {
    const xml = built(sample, { ...sampleShipment, serviceLevel: 'ND', estimatedDeliveryDate: '2000-10-20' }, fixedEnvelope);
    expect(attr(child(readBack(xml), 'ShipNoticeHeader'), 'deliveryDate')).toBe('2000-10-20T00:00:00+00:00');
  });

  it.each([
    [
      'a line the order does not have',
      { ...sampleShipment, packages: [{ items: [{ lineNumber: '7', quantity: 1, uom: 'EA' }] }] },
      'unknown-line',
      '/packages/0/items/0/lineNumber',
    ],
    [
      'no items (which cXML would read as the entire order)',
      { ...sampleShipment, packages: [{ items: [] }] },
      'empty-shipment',
      '/packages',
    ],
    [
      'one line in two units',
      {
        ...sampleShipment,
        packages: [{ items: [{ lineNumber: '1', quantity: 5, uom: 'EA' }] }, { items: [{ lineNumber: '1', quantity: 1, uom: 'BX' }] }],
      },
      'unit-mismatch',
      '/packages/1/items/0/uom',
    ],
    [
      'a zero quantity',
      { ...sampleShipment, packages: [{ items: [{ lineNumber: '1', quantity: 0, uom: 'EA' }] }] },
      'invalid-quantity',
      '/packages/0/items/0/quantity',
    ],
    ['no tracking number', { ...sampleShipment, trackingNumber: '' }, 'incomplete-shipment', '/carrier'],
    ['a ship date that is no date', { ...sampleShipment, shippedAt: 'yesterday' }, 'invalid-date', '/shippedAt'],
    ['an estimate that is no date', { ...sampleShipment, estimatedDeliveryDate: 'soon' }, 'invalid-date', '/estimatedDeliveryDate'],
  ])('refuses %s', (_name, shipment: Shipment, code, pointer) => {
    const result = buildShipNoticeRequest(sample, shipment, fixedEnvelope);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContainEqual(expect.objectContaining({ code, pointer }));
  });
});
