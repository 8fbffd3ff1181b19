import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { capped, mutateBytes, mutationCount } from '../mutate.ts';
import { mutateTree, serialize, type Json } from '../json-tree.ts';
import type { Random } from '../random.ts';
import type { Channel, FuzzInput } from './channel.ts';
import { lineCount, sku } from './values.ts';

// Shop webhooks: Shopify's orders/create (the fixture, and orders generated in its shape with bundles
// as line_item_groups) and the same order wrapped as a Standard Webhooks event; mutated as a tree and
// as bytes, then signed over the exact bytes sent, so that most inputs reach the map. Some are signed
// wrongly, for another shop, outside the time window, or under an event id already used.

const fixture = JSON.parse(
  readFileSync(new URL('../../../adapters/webhook/fixtures/shopify-orders-create.json', import.meta.url), 'utf8'),
) as Record<string, Json>;

function shopOrder(rng: Random, ref: string): Record<string, Json> {
  const order = structuredClone(fixture);
  order['name'] = ref;
  order['id'] = rng.int(1, 2 ** 31);
  if (rng.chance(0.4)) return order;
  const template = (fixture['line_items'] as Record<string, Json>[])[0] as Record<string, Json>;
  const groups: Json[] = [];
  const items: Json[] = [];
  const count = lineCount(rng);
  let total = 0;
  for (let n = 0; n < count; n += 1) {
    const price = rng.int(100, 20_000) / 100;
    const quantity = rng.int(1, 5);
    const group = rng.chance(0.1) ? 1000 + n : null;
    if (group !== null) groups.push({ id: group, title: `Kit ${n}`, quantity: 1, variant_sku: sku(rng), properties: [] });
    items.push({
      ...structuredClone(template),
      id: 10_000 + n,
      sku: sku(rng),
      price,
      quantity,
      current_quantity: quantity,
      sales_line_item_group_id: group,
    });
    total += price * quantity;
  }
  order['line_items'] = items;
  order['line_item_groups'] = groups;
  order['total_line_items_price'] = total.toFixed(2);
  order['subtotal_price'] = total.toFixed(2);
  return order;
}

export const webhookChannel: Channel = {
  name: 'webhook',
  build(rng, index, context): FuzzInput {
    const standard = rng.chance(0.3);
    const order = shopOrder(rng, `#${context.runTag}-${index}`);
    const names = [`${standard ? 'standard' : 'shopify'} order (${(order['line_items'] as Json[]).length} items)`];
    const tree: Record<string, Json> = standard ? { type: 'orders/create', timestamp: '2026-11-27T14:41:18.000Z', data: order } : order;
    const mutations = mutationCount(rng);
    for (let m = 0; m < mutations; m += 1) names.push(mutateTree(rng, tree, context.maxBytes).name);
    let body: Buffer = Buffer.from(serialize(tree));
    if (rng.chance(0.15)) {
      const mutated = mutateBytes(rng, body, context.maxBytes);
      body = mutated.body;
      names.push(mutated.name);
    }
    const auth = rng.weighted([
      [30, 'signed'],
      [1, 'wrong-secret'],
      [1, 'unsigned'],
      [1, 'other-account'],
      [1, 'reused-event-id'],
      [1, 'stale'],
      [1, 'garbage-signature'],
    ] as const);
    if (auth !== 'signed') names.push(`auth:${auth}`);
    const eventId = auth === 'reused-event-id' ? `fuzz-${context.runTag}-${rng.int(0, 20)}` : `fuzz-${context.runTag}-${index}`;
    body = capped(body, context.maxBytes, names);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (standard) {
      const seconds = Math.floor(Date.now() / 1000) - (auth === 'stale' ? 3600 : 0);
      const key = Buffer.from(
        (auth === 'wrong-secret' ? 'whsec_' + 'A'.repeat(44) : context.standard.secret).replace(/^whsec_/, ''),
        'base64',
      );
      const mac = createHmac('sha256', key).update(`${eventId}.${seconds}.`).update(body).digest('base64');
      headers['webhook-id'] = eventId;
      headers['webhook-timestamp'] = auth === 'garbage-signature' ? rng.pick(['-1', '1e9', '99999999999999', 'now']) : String(seconds);
      if (auth !== 'unsigned')
        headers['webhook-signature'] = auth === 'garbage-signature' ? rng.pick(['v1,', 'v1', 'v2,abc', ',,,']) : `v1,${mac}`;
      const path = auth === 'other-account' ? '/v1/webhooks/00000000-0000-0000-0000-000000000000' : context.standard.path;
      return { method: 'POST', path, headers, body, label: names.join(' / ') };
    }
    const secret = auth === 'wrong-secret' ? 'shpss_not-the-secret' : context.shopify.secret;
    if (auth !== 'unsigned')
      headers['x-shopify-hmac-sha256'] =
        auth === 'garbage-signature'
          ? rng.pick(['', '=', 'not base64!', 'A'.repeat(5000)])
          : createHmac('sha256', secret).update(body).digest('base64');
    headers['x-shopify-shop-domain'] =
      auth === 'other-account' ? rng.pick(['unknown.myshopify.com', 'x'.repeat(3000)]) : context.shopify.account;
    headers['x-shopify-topic'] = rng.chance(0.03) ? rng.pick(['orders/updated', '', 'x'.repeat(500)]) : 'orders/create';
    headers['x-shopify-event-id'] = eventId;
    return { method: 'POST', path: '/v1/webhooks/shopify', headers, body, label: names.join(' / ') };
  },
};
