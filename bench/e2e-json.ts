import type { components } from '../api/openapi.gen.ts';
import type { E2eChannel } from './e2e-channel.ts';
import { createPartnerOverHttp } from './support.ts';

// bench:e2e's JSON channel: the X12 bundle fixture's order (adapters/x12/fixtures/850-bundle.x12) as
// the OpenAPI order body, POSTed to /v1/orders with an Idempotency-Key, each answered by a 201. Its
// PO number and idempotency key are the order's own; the rest is the fixture's: the same lines and
// SKUs, hence the same fulfillment requests.

/** orderType left out: its default, "new", is what the 850's BEG01 00 (original) says. */
type OrderCreate = Omit<components['schemas']['OrderCreate'], 'orderType'>;

/** A bundle component as the X12 map stores the fixture's SLN (SLN01 and SLN03 kept in extras). */
const component = (sln01: string, sku: string) => ({
  lineNumber: `2.${sln01}`,
  sku,
  identifiers: { vendorPart: sku },
  quantity: 1,
  uom: 'EA',
  extras: { sln01, relationship: 'I' },
});

/**
 * The fixture's 850 in JSON, field for field as the X12 map stores it (GET /v1/orders/{id} of both
 * differ only in ids, channel and envelope), so both channels' orders write rows of the same size.
 */
function fixtureOrder(externalRef: string): OrderCreate {
  return {
    externalRef,
    orderDate: '2026-11-27',
    currency: 'USD',
    requestedDeliveryDate: '2026-12-15',
    shipTo: {
      name: 'Acme DC',
      code: 'DC-01',
      address: { lines: ['1 Main St'], city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
    },
    total: 158.99,
    lines: [
      {
        lineNumber: '1',
        sku: 'MODEM-X1',
        identifiers: { vendorPart: 'MODEM-X1' },
        description: 'Cable modem',
        quantity: 2,
        uom: 'EA',
        unitPrice: 49.5,
      },
      {
        lineNumber: '2',
        sku: 'INTERNET-100',
        identifiers: { vendorPart: 'INTERNET-100', buyerPart: 'NET100' },
        description: 'Internet 100 with installation',
        quantity: 1,
        uom: 'EA',
        unitPrice: 59.99,
        components: [component('1', 'MODEM-X1'), component('2', 'PORT-ACT'), component('3', 'TRUCK-ROLL')],
      },
    ],
    extras: { purposeCode: '00', orderTypeCode: 'SA' },
  };
}

const placeholder = '\u0000REF\u0000';
const [bodyHead, bodyTail] = JSON.stringify(fixtureOrder(placeholder)).split(JSON.stringify(placeholder)) as [string, string];

/** Partner n's order n as JSON text, without serialising the whole order each time: PO-E2E-n, as the 850's BEG03. */
const jsonOrder = (n: number): string => `${bodyHead}${JSON.stringify(`PO-E2E-${n}`)}${bodyTail}`;

export const jsonChannel: E2eChannel = {
  name: 'json',
  route: '/v1/orders',
  contentType: 'application/json',
  orders: 'JSON orders',
  document: 'JSON',
  answer: '201',
  createPartner: async (baseUrl, adminKey, index) => {
    const { id, key } = await createPartnerOverHttp(baseUrl, adminKey, `E2E Bench JSON Buyer ${index}`);
    return { id, key, post: (n) => ({ body: jsonOrder(n), key, headers: { 'idempotency-key': `e2e-${n}` } }) };
  },
  accepted: (result) => result.status === 201,
};
