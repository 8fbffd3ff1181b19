import type { components } from '../api/openapi.gen.ts';

// The order the benches send: sampleOrder of test/support/app.ts grown to 20 lines
// (16 plain lines and one bundle line with 3 components).

/** orderType is left out, as partners usually do (it defaults to "new"). */
type OrderCreate = Omit<components['schemas']['OrderCreate'], 'orderType'>;

export const plainLines = 16;
export const bundleComponents = 3;
export const linesPerOrder = plainLines + 1 + bundleComponents;

export function benchOrder(externalRef: string): OrderCreate {
  const lines: OrderCreate['lines'] = [];
  for (let n = 1; n <= plainLines; n++) {
    lines.push({
      lineNumber: String(n),
      sku: `SKU-${1000 + n}`,
      description: `Catalogue item ${n}`,
      quantity: 1 + (n % 5),
      uom: 'EA',
      unitPrice: 10 + n * 1.25,
    });
  }
  const bundle = String(plainLines + 1);
  lines.push({
    lineNumber: bundle,
    sku: 'INTERNET-100',
    description: 'Internet 100 bundle',
    quantity: 1,
    uom: 'EA',
    unitPrice: 59.99,
    components: [
      { lineNumber: `${bundle}.1`, sku: 'MODEM-X1', quantity: 1, uom: 'EA' },
      { lineNumber: `${bundle}.2`, sku: 'PORT-ACT', quantity: 1, uom: 'EA' },
      { lineNumber: `${bundle}.3`, sku: 'ROUTER-W6', quantity: 1, uom: 'EA' },
    ],
  });
  return {
    externalRef,
    orderDate: '2026-11-27',
    currency: 'USD',
    buyer: { name: 'Acme Corp' },
    shipTo: { name: 'Acme DC', address: { lines: ['1 Main St'], city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' } },
    lines,
  };
}

const marker = '\u0000REF\u0000';
const [bodyHead, bodyTail] = JSON.stringify(benchOrder(marker)).split(JSON.stringify(marker)) as [string, string];

/** The order as JSON text with the given externalRef, without re-serialising the whole order each time. */
export const benchOrderJson = (externalRef: string): string => `${bodyHead}${JSON.stringify(externalRef)}${bodyTail}`;

/** Unique Idempotency-Key / externalRef pairs across every phase of one run. */
export function orderSequence(prefix: string): () => { key: string; externalRef: string } {
  const run = Date.now().toString(36);
  let n = 0;
  return () => {
    n += 1;
    return { key: `${prefix}-${run}-${n}`, externalRef: `PO-${prefix}-${run}-${n}` };
  };
}
