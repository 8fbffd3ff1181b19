import { capped, mutateBytes, mutationCount } from '../mutate.ts';
import { mutateTree, serialize, type Json } from '../json-tree.ts';
import type { Random } from '../random.ts';
import type { Channel, FuzzContext, FuzzInput } from './channel.ts';
import { badDates, badIds, lineCount, sku } from './values.ts';

// The JSON API: POST /v1/orders with orders built from the OrderCreate schema (the README's order,
// bundles, many lines), then mutated as a tree and as bytes; wrong keys, idempotency keys reused
// and missing; and, one in ten, the order list read with hostile query parameters and cursors.

function order(rng: Random, ref: string): Record<string, Json> {
  const lines: Json[] = [];
  const count = lineCount(rng);
  for (let n = 1; n <= count; n += 1) {
    const line: Record<string, Json> = { lineNumber: String(n), sku: sku(rng), quantity: rng.int(1, 20), uom: 'EA' };
    if (rng.chance(0.7)) line['unitPrice'] = rng.int(0, 100_000) / 100;
    if (rng.chance(0.2)) line['description'] = rng.text(rng.int(1, 60), 'abcdefgh ijklmnop');
    if (rng.chance(0.15)) line['identifiers'] = { buyerPart: rng.text(8), upc: '614141000029' };
    if (rng.chance(0.15))
      line['components'] = Array.from({ length: rng.int(1, 3) }, (_, c) => ({
        lineNumber: `${n}.${c + 1}`,
        sku: sku(rng),
        quantity: rng.int(1, 3),
        uom: 'EA',
      }));
    lines.push(line);
  }
  const body: Record<string, Json> = {
    externalRef: ref,
    orderDate: '2026-11-27',
    currency: rng.pick(['USD', 'EUR', 'CAD']),
    lines,
  };
  if (rng.chance(0.7)) body['buyer'] = { name: 'Acme Corp', code: rng.text(6) };
  if (rng.chance(0.7))
    body['shipTo'] = {
      name: 'Acme DC',
      address: { lines: ['1 Main St'], city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' },
    };
  if (rng.chance(0.2)) body['notes'] = ['leave at the side door'];
  if (rng.chance(0.2)) body['requestedDeliveryDate'] = '2026-12-15';
  if (rng.chance(0.2)) body['extras'] = { costCenter: rng.text(4) };
  return body;
}

/** Mutations that know the order: dates, line numbers, bundles, numbers at their edges. */
function mutateOrder(rng: Random, body: Record<string, Json>): string {
  // Earlier tree mutations may have left no lines, or lines that are not objects.
  const lines = (Array.isArray(body['lines']) ? body['lines'] : []).filter(
    (l): l is Record<string, Json> => l !== null && typeof l === 'object' && !Array.isArray(l),
  );
  if (lines.length === 0) {
    body['orderDate'] = rng.pick(badDates);
    return 'order:bad-date';
  }
  const line = rng.pick(lines);
  const kind = rng.weighted([
    [3, 'bad-date'],
    [2, 'duplicate-line-number'],
    [2, 'unknown-parent'],
    [1, 'nested-bundle'],
    [2, 'edge-number'],
    [1, 'total-mismatch'],
    [1, 'lowercase-currency'],
  ] as const);
  switch (kind) {
    case 'bad-date':
      body[rng.pick(['orderDate', 'requestedShipDate', 'requestedDeliveryDate'])] = rng.pick(badDates);
      break;
    case 'duplicate-line-number':
      (body['lines'] as Json[]).push(structuredClone(line));
      break;
    case 'unknown-parent':
      line['parentLineNumber'] = rng.pick(['999', line['lineNumber'] as string, '']);
      break;
    case 'nested-bundle':
      line['components'] = [
        { lineNumber: 'c1', sku: 'MODEM-X1', quantity: 1, uom: 'EA', components: [{ lineNumber: 'c1.1', quantity: 1, uom: 'EA' }] },
      ];
      break;
    case 'edge-number':
      line[rng.pick(['quantity', 'unitPrice'])] = rng.pick([
        0,
        -0,
        1e-7,
        1e9,
        1e9 + 1,
        123456789.12345679,
        0.00001,
        1e-300,
        999999999.9999,
      ]);
      break;
    case 'total-mismatch':
      body['total'] = rng.pick([0, 1e12, 0.001, 12.34]);
      break;
    case 'lowercase-currency':
      body['currency'] = 'usd';
      break;
  }
  return `order:${kind}`;
}

function listQuery(rng: Random, context: FuzzContext): FuzzInput {
  const params = new URLSearchParams();
  const cursor = (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString('base64url');
  if (rng.chance(0.5)) params.set('updatedSince', rng.pick([...badDates, '2026-11-27T00:00:00Z', '2026-11-27T25:00:00Z']));
  if (rng.chance(0.5))
    params.set(
      'cursor',
      rng.weighted([
        [3, () => cursor(rng.pick(badDates), rng.pick(badIds))],
        [1, () => cursor('2026-11-27T00:00:00.000000Z', rng.pick(badIds))],
        [1, () => rng.text(rng.int(1, 80), 'abcXYZ019-_=+/')],
      ] as const)(),
    );
  if (rng.chance(0.3)) params.set('limit', rng.pick(['0', '1', '500', '501', '-1', '1e3', 'x', '99999999999999999999']));
  if (rng.chance(0.3)) params.set('status', rng.pick(['decomposed', 'held', 'nope', '']));
  if (rng.chance(0.3)) params.set('externalRef', rng.pick(['PO-1', 'A\u0000B', 'x\ud800', 'X'.repeat(300)]));
  const documents = rng.chance(0.3);
  if (documents) {
    params.delete('cursor');
    params.set('after', rng.pick(badIds));
  }
  const path = `${documents ? '/v1/documents' : '/v1/orders'}?${params.toString().replaceAll('%EF%BF%BD', '%ED%A0%80')}`;
  return {
    method: 'GET',
    path,
    headers: { authorization: `Bearer ${context.partnerKey}` },
    label: `list ${path.slice(0, 300)}`,
  };
}

export const jsonChannel: Channel = {
  name: 'json',
  build(rng, index, context) {
    if (rng.chance(0.1)) return listQuery(rng, context);
    const body = order(rng, `PO-${context.runTag}-${index}`);
    const names = [`generated order (${(body['lines'] as Json[]).length} lines)`];
    const mutations = mutationCount(rng);
    for (let m = 0; m < mutations; m += 1)
      names.push(rng.chance(0.35) ? mutateOrder(rng, body) : mutateTree(rng, body, context.maxBytes).name);
    let bytes: Buffer = Buffer.from(serialize(body));
    if (rng.chance(0.15)) {
      const mutated = mutateBytes(rng, bytes, context.maxBytes);
      bytes = mutated.body;
      names.push(mutated.name);
    }
    bytes = capped(bytes, context.maxBytes, names);
    const headers: Record<string, string> = {
      authorization: `Bearer ${context.partnerKey}`,
      'content-type': 'application/json',
      'idempotency-key': `fuzz-${context.runTag}-${index}`,
    };
    const headerKind = rng.weighted([
      [30, 'none'],
      [1, 'no-key'],
      [1, 'wrong-key'],
      [1, 'no-idempotency-key'],
      [1, 'reused-idempotency-key'],
      [1, 'long-idempotency-key'],
      [1, 'content-type'],
    ] as const);
    if (headerKind === 'no-key') delete headers['authorization'];
    if (headerKind === 'wrong-key') headers['authorization'] = `Bearer ${rng.pick([context.otherKey, 'ogp_not-a-key', 'x'.repeat(2000)])}`;
    if (headerKind === 'no-idempotency-key') delete headers['idempotency-key'];
    if (headerKind === 'reused-idempotency-key') headers['idempotency-key'] = `fuzz-${context.runTag}-${rng.int(0, 20)}`;
    if (headerKind === 'long-idempotency-key') headers['idempotency-key'] = 'K'.repeat(rng.pick([255, 256, 4000]));
    if (headerKind === 'content-type')
      headers['content-type'] = rng.pick([
        'text/plain',
        'application/xml',
        'application/json; charset=latin1',
        'application/x-www-form-urlencoded',
      ]);
    if (headerKind !== 'none') names.push(`header:${headerKind}`);
    return { method: 'POST', path: '/v1/orders', headers, body: bytes, label: names.join(' / ') };
  },
};
