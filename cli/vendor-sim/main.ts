import { parseArgs } from 'node:util';
import { connectBroker } from '../../adapters/amqp/index.ts';
import { loadCatalog } from '../../adapters/catalog/index.ts';
import type { FulfillmentRequest } from '../../domain/fulfillment-request.ts';
import { isPartialMode, partialModes, type ReplyOptions } from './replies.ts';
import { playOverRabbitMq, playThroughMailbox, type Player } from './play.ts';

// `npm run vendor-sim`: plays every vendor of the catalog (or those named), answering each
// request with ack → ship (ship tasks) → complete, a pause before each, optional failures, and
// optional partial answers (backorders, rejections, changes) for a demo of what partners then hear.
// Over RabbitMQ when AMQP_URL is set; otherwise through the gateway's mailbox API with the admin key.

const usage = `usage: npm run vendor-sim -- [--vendors a,b] [--delay-ms 300] [--fail-rate 0] [--retryable-fail-rate 0]
                            [--partial ${partialModes.join('|')}] [--partial-skus SKU,SKU]

  --partial           answer each line in portions that add up to it, instead of accepting it all:
                        backorder        part accepted, the rest backordered for a week (shipped in a second shipment)
                        reject           part accepted, the rest rejected (never shipped)
                        change-quantity  part changed to what the vendor can deliver, the rest rejected
                        change-price     all of it at a price a tenth higher (a line with no price, or 0, is accepted)
                        mixed            part accepted, part backordered, part rejected
                      a line too small to cut (one unit, a fraction) takes the last status whole
  --partial-skus      only the lines of these SKUs (default: every line)

  AMQP_URL set        consume each vendor's queue, publish replies (AMQP_PREFIX, default ordergate)
  AMQP_URL not set    poll GET /v1/vendor/tasks and POST /v1/vendor/replies at ORDERGATE_URL
                      (default http://localhost:8080) with ORDERGATE_ADMIN_KEY`;

const { values } = parseArgs({
  options: {
    vendors: { type: 'string' },
    'delay-ms': { type: 'string', default: '300' },
    'fail-rate': { type: 'string', default: '0' },
    'retryable-fail-rate': { type: 'string', default: '0' },
    partial: { type: 'string' },
    'partial-skus': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);

const list = (value: string): string[] =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');

function vendorsToPlay(): string[] {
  if (values.vendors !== undefined) return list(values.vendors);
  const catalog = loadCatalog();
  if (!catalog.ok) throw new Error('the catalog has problems; name the vendors with --vendors');
  return Object.keys(catalog.value.vendors);
}

async function main(): Promise<void> {
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const failRate = Number(values['fail-rate']);
  const retryableRate = Number(values['retryable-fail-rate']);
  const partial = values.partial;
  if (partial !== undefined && !isPartialMode(partial)) {
    process.stderr.write(`--partial takes one of ${partialModes.join(', ')}, not "${partial}"\n\n${usage}\n`);
    process.exit(2);
  }
  const partialSkus = values['partial-skus'] === undefined ? undefined : new Set(list(values['partial-skus']));
  const outcome = (request: FulfillmentRequest): ReplyOptions => {
    const draw = Math.random();
    if (draw < failRate) return { fail: 'final' };
    if (draw < failRate + retryableRate) return { fail: 'retryable' };
    const chosen = partialSkus === undefined || (request.line.sku !== undefined && partialSkus.has(request.line.sku));
    return partial !== undefined && chosen ? { partial } : {};
  };
  const options = { delayMs: Number(values['delay-ms']), outcome, log };
  const vendors = vendorsToPlay();
  const amqpUrl = process.env.AMQP_URL;
  let player: Player;
  let close = async () => undefined as void;
  if (amqpUrl !== undefined && amqpUrl !== '') {
    const broker = connectBroker({
      url: amqpUrl,
      prefix: process.env.AMQP_PREFIX ?? 'ordergate',
      connectionName: `vendor-sim-${process.pid}`,
      log: { info: log, warn: log, error: log },
    });
    player = await playOverRabbitMq(broker, vendors, options);
    close = () => broker.close();
    log(`playing ${vendors.join(', ')} over RabbitMQ`);
  } else {
    const key = process.env.ORDERGATE_ADMIN_KEY;
    if (key === undefined || key === '') {
      process.stderr.write(
        `Without AMQP_URL the simulator uses the mailbox API and needs the admin key: set ORDERGATE_ADMIN_KEY to the key \`npm start\` printed.\n\n${usage}\n`,
      );
      process.exit(2);
    }
    const base = (process.env.ORDERGATE_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
    player = playThroughMailbox(base, key, vendors, options);
    log(`playing ${vendors.join(', ')} through the mailbox at ${base}`);
  }
  const shutdown = () =>
    void player
      .stop()
      .then(close)
      .then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`vendor-sim failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
