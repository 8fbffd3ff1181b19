import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateOrder } from '../../domain/order.ts';
import { expectGolden } from '../../test/support/golden.ts';
import { mapWebhookOrder, webhookMaps, type WebhookMap } from './map.ts';

// Golden files: each shop payload → the canonical draft it maps to. A missing golden file fails;
// regenerate after a deliberate change with UPDATE_GOLDEN=1 and review the diff.

const shopify = webhookMaps.get('shopify-orders') as WebhookMap;
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

describe('Shopify orders/create against its golden file', () => {
  it('shopify-orders-create.json', () => {
    const mapped = mapWebhookOrder(shopify, fixture('shopify-orders-create.json'), '');
    if (!mapped.ok) throw new Error(JSON.stringify(mapped.error));
    expectGolden(mapped.value, new URL('./fixtures/golden/shopify-orders-create.json.json', import.meta.url));
  });

  it('keeps the bundle together: the group is the parent line, its components priced under it, and the order adds up', () => {
    const mapped = mapWebhookOrder(shopify, fixture('shopify-orders-create.json'), '');
    if (!mapped.ok) throw new Error('not mapped');
    const order = validateOrder(mapped.value);
    if (!order.ok) throw new Error(JSON.stringify(order.error));
    expect(order.value.lines.map((l) => [l.lineNumber, l.sku, l.parentLineNumber, l.bundleLineNumber, l.amount])).toEqual([
      ['1', 'BOTTLE-750-SAGE', undefined, undefined, 36],
      ['2', 'KIT-CAMP-STARTER', undefined, '2', undefined],
      ['2.1', 'TENT-2P-DOME', '2', '2', 149],
      ['2.2', 'BAG-3S-REG', '2', '2', 79],
    ]);
    expect(order.value.totals).toEqual({ lineCount: 4, amount: 264 });
    // Nothing is lost: what the map does not read stays beside the order.
    expect(order.value.extras).toMatchObject({
      total_price: '295.12',
      total_tax: '21.12',
      shipping_lines: [expect.objectContaining({ price: '10.00' })],
      customer: { state: 'enabled' },
    });
    expect(order.value.extras).not.toHaveProperty('line_items');
    expect(order.value.lines[2]?.extras).not.toHaveProperty('sales_line_item_group_id');
  });

  it('reads the order where a Standard Webhooks envelope carries it, and points problems there', () => {
    const order = fixture('shopify-orders-create.json');
    const mapped = mapWebhookOrder(shopify, { type: 'orders/create', data: order }, '/data');
    expect(mapped.ok && mapped.value.externalRef).toBe('#1042');
    const broken = mapWebhookOrder(
      shopify,
      {
        type: 'orders/create',
        data: { ...order, currency: null, line_items: [{ ...(order.line_items as object[])[0], price: 'eighteen' }] },
      },
      '/data',
    );
    expect(broken.ok ? [] : broken.error).toEqual([
      { pointer: '/data/currency', code: 'required', detail: 'the currency is required' },
      { pointer: '/data/line_items/0/price', code: 'not-a-number', detail: 'price is not a number' },
    ]);
  });

  it('names a component whose bundle group the order does not list', () => {
    const order = fixture('shopify-orders-create.json');
    const mapped = mapWebhookOrder(shopify, { ...order, line_item_groups: [] }, '');
    expect(mapped.ok ? [] : mapped.error).toEqual([
      {
        pointer: '/line_items/1/sales_line_item_group_id',
        code: 'unknown-bundle-group',
        detail: 'line item names bundle group 3481726354, which the order does not list',
      },
      {
        pointer: '/line_items/2/sales_line_item_group_id',
        code: 'unknown-bundle-group',
        detail: 'line item names bundle group 3481726354, which the order does not list',
      },
    ]);
  });

  it('maps an order without bundles line by line', () => {
    const order = fixture('shopify-orders-create.json');
    const plain = { ...order, line_item_groups: [], line_items: [(order.line_items as object[])[0]] };
    const mapped = mapWebhookOrder(shopify, { ...plain, total_line_items_price: '36.00' }, '');
    expect(mapped.ok && mapped.value.lines.map((l) => l.lineNumber)).toEqual(['1']);
  });
});
