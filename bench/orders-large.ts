import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createBenchDatabase, fmt, log, postJson, startServerProcess, table, watchdog } from './support.ts';

// npm run bench:orders-large [-- --rounds 3] [-- --embedded]
//
// The largest JSON orders (issue 12, finding 6): 4,000 and 5,000 lines (the schema's maximum), and
// 100 bundles of 500 components each (50,100 lines, 2.8 MiB), POSTed one at a time to a gateway in its own process on the local PostgreSQL. Prints each one's
// status and time to the answer (stored, planned: a task and a fulfillment request per line).
// --embedded: the gateway on its embedded default (PGlite in its own process, a fresh DATA_DIR).

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, embedded: { type: 'boolean', default: false } } });
const rounds = Number(values.rounds);
/** Plain lines, or bundles of 500 components. */
const shapes: { name: string; lines: number; components: number }[] = [
  { name: '4000 lines', lines: 4_000, components: 0 },
  { name: '5000 lines', lines: 5_000, components: 0 },
  { name: '100 x 500 components', lines: 100, components: 500 },
];
const adminKey = 'bench-admin-key-0123456789abcdef';

function order({ lines, components }: (typeof shapes)[number], externalRef: string): unknown {
  return {
    externalRef,
    orderDate: '2026-11-27',
    currency: 'USD',
    buyer: { name: 'Big buyer' },
    lines: Array.from({ length: lines }, (_v, i) => ({
      lineNumber: String(i + 1),
      sku: `SKU-${i + 1}`,
      description: `Catalogue item ${i + 1}`,
      quantity: 1 + (i % 5),
      uom: 'EA',
      unitPrice: 10 + (i % 7) * 1.25,
      ...(components === 0
        ? {}
        : {
            components: Array.from({ length: components }, (_w, j) => ({
              lineNumber: `${i + 1}.${j + 1}`,
              sku: `PART-${j + 1}`,
              quantity: 1,
              uom: 'EA',
            })),
          }),
    })),
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ordergate-bench-'));
  const database = values.embedded
    ? { url: '', drop: async () => rmSync(dataDir, { recursive: true, force: true }) }
    : await createBenchDatabase();
  const server = await startServerProcess({
    databaseUrl: database.url,
    adminKey,
    env: { BODY_LIMIT_BYTES: String(8 * 1024 * 1024), DATA_DIR: dataDir },
  });
  const cleanup = async (): Promise<void> => {
    await server.stop();
    await database.drop();
  };
  const guard = watchdog(10 * 60_000, cleanup);
  try {
    const partner = await postJson<{ id: string }>(`${server.url}/v1/partners`, adminKey, { name: 'Big buyer' });
    const { key } = await postJson<{ key: string }>(`${server.url}/v1/partners/${partner.id}/api-keys`, adminKey, {});
    const rows = [['order', 'round', 'KiB', 'status', 'seconds']];
    for (let round = 1; round <= rounds; round++) {
      for (const [index, shape] of shapes.entries()) {
        const body = JSON.stringify(order(shape, `PO-${index}-${round}`));
        const started = performance.now();
        const response = await fetch(`${server.url}/v1/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': `large-${index}-${round}` },
          body,
        });
        const text = await response.text();
        const seconds = (performance.now() - started) / 1000;
        if (response.status !== 201) log(`${shape.name}: ${response.status} ${text.slice(0, 200)}`);
        rows.push([shape.name, String(round), fmt(body.length / 1024, 0), String(response.status), fmt(seconds, 2)]);
      }
    }
    process.stdout.write(`${table(rows)}\n`);
  } finally {
    guard.clear();
    await cleanup();
  }
}

await main();
