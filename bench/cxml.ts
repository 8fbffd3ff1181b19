import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { checkOrderRequest, mapOrderRequest, parseCxml, readHeader } from '../adapters/cxml/index.ts';
import { validateOrder } from '../domain/order.ts';
import { fmt, table } from './support.ts';

// npm run bench:cxml — cXML OrderRequests of 20 ItemOut lines: ordergate's parse + validate + map
// (to a validated canonical order) per second, against fast-xml-parser's bare parse of the same
// documents, in the same run, alternating rounds so both see the same machine. Target: ≥ 50%.

const documents = 2_000;
const rounds = 5;
const template = readFileSync(new URL('../adapters/cxml/fixtures/composite-OrderRequest.xml', import.meta.url), 'utf8');

/** 20 ItemOut lines: every fourth order has a composite line with three components among them. */
function orderRequest(n: number): Buffer {
  const items: string[] = [];
  const withBundle = n % 4 === 0;
  let total = 0;
  for (let line = 1; line <= 20; line++) {
    const isParent = withBundle && line === 5;
    const parent = withBundle && line >= 6 && line <= 8 ? ' parentLineNumber="5" itemType="item"' : '';
    const price = parent === '' ? 10 + (line % 7) : 0;
    const quantity = 1 + (line % 3);
    if (parent === '') total += price * quantity;
    items.push(
      `<ItemOut quantity="${quantity}" lineNumber="${line}"${isParent ? ' itemType="composite" compositeItemType="groupLevel"' : parent}>` +
        `<ItemID><SupplierPartID>SKU-${(n * 31 + line) % 5000}</SupplierPartID></ItemID>` +
        `<ItemDetail><UnitPrice><Money currency="USD">${price}.00</Money></UnitPrice><Description xml:lang="en">Item ${line} of order ${n} &amp; more</Description>` +
        `<UnitOfMeasure>EA</UnitOfMeasure><Classification domain="UNSPSC">43222609</Classification></ItemDetail></ItemOut>`,
    );
  }
  const body = template
    .replace(/payloadID="[^"]+"/, `payloadID="bench-${n}@buyer.example"`)
    .replace('orderID="PO-9001"', `orderID="PO-${n}"`)
    .replace('<Money currency="USD">158.99</Money>', `<Money currency="USD">${total}.00</Money>`)
    .replace(/<ItemOut[\s\S]*<\/ItemOut>/, items.join('\n'));
  return Buffer.from(body);
}

const inputs = Array.from({ length: documents }, (_, n) => orderRequest(n));
const megabytes = inputs.reduce((sum, b) => sum + b.length, 0) / 1024 / 1024;

const bare = new XMLParser({ ignoreAttributes: false });
function bareParse(): number {
  let count = 0;
  for (const input of inputs) if (bare.parse(input.toString('utf8')) !== undefined) count++;
  return count;
}

function ordergate(): number {
  let count = 0;
  for (const input of inputs) {
    const parsed = parseCxml(input, 5 * 1024 * 1024);
    if (!parsed.ok) throw new Error(parsed.failure.text);
    const header = readHeader(parsed.tree);
    if (!header.ok) throw new Error(header.text);
    const problems = checkOrderRequest(parsed.tree);
    if (problems.length > 0) throw new Error(problems.join('; '));
    const order = validateOrder(mapOrderRequest(parsed.tree, header.header.payloadId));
    if (!order.ok) throw new Error(JSON.stringify(order.error));
    count++;
  }
  return count;
}

function timed(work: () => number): number {
  const started = process.hrtime.bigint();
  const count = work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (count !== documents) throw new Error(`handled ${count} of ${documents}`);
  return documents / seconds;
}

// Warm both paths up, then alternate.
bareParse();
ordergate();
const bareRates: number[] = [];
const ourRates: number[] = [];
for (let round = 0; round < rounds; round++) {
  bareRates.push(timed(bareParse));
  ourRates.push(timed(ordergate));
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const bareRate = median(bareRates);
const ourRate = median(ourRates);
const docMb = megabytes / documents;

process.stdout.write(
  `${table([
    ['contender', 'docs/s (median of 5)', 'MB/s', 'all rounds docs/s'],
    ['fast-xml-parser bare parse', fmt(bareRate, 0), fmt(bareRate * docMb), bareRates.map((r) => fmt(r, 0)).join(' ')],
    ['ordergate parse+validate+map', fmt(ourRate, 0), fmt(ourRate * docMb), ourRates.map((r) => fmt(r, 0)).join(' ')],
  ])}\n${documents} OrderRequests of 20 ItemOut lines, ${fmt(megabytes)} MB; ordergate = ${fmt((ourRate / bareRate) * 100)}% of the bare parse (target ≥ 50%)\n`,
);
