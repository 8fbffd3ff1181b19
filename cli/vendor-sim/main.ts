import { parseArgs } from 'node:util';
import { loadCatalog } from '../../adapters/catalog/index.ts';
import { connectBroker, type Broker } from '../../adapters/amqp/index.ts';
import type { FulfillmentRequest } from '../../domain/fulfillment-request.ts';
import { replyKind } from '../../domain/vendor-reply.ts';
import { repliesFor, type ReplyOptions, type SimulatedReply } from './replies.ts';

// `npm run vendor-sim`: plays every vendor of the catalog (or those named), answering each
// request with ack → ship (ship tasks) → complete, a pause before each, and optional failures.
// Over RabbitMQ when AMQP_URL is set; otherwise through the gateway's mailbox API with the admin key.

const usage = `usage: npm run vendor-sim -- [--vendors a,b] [--delay-ms 300] [--fail-rate 0] [--retryable-fail-rate 0]

  AMQP_URL set        consume each vendor's queue, publish replies (AMQP_PREFIX, default ordergate)
  AMQP_URL not set    poll GET /v1/vendor/tasks and POST /v1/vendor/replies at ORDERGATE_URL
                      (default http://localhost:8080) with ORDERGATE_ADMIN_KEY`;

const { values } = parseArgs({
  options: {
    vendors: { type: 'string' },
    'delay-ms': { type: 'string', default: '300' },
    'fail-rate': { type: 'string', default: '0' },
    'retryable-fail-rate': { type: 'string', default: '0' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const delayMs = Number(values['delay-ms']);
const failRate = Number(values['fail-rate']);
const retryableRate = Number(values['retryable-fail-rate']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);

function vendorsToPlay(): string[] {
  if (values.vendors !== undefined) return values.vendors.split(',').map((v) => v.trim()).filter((v) => v !== '');
  const catalog = loadCatalog();
  if (!catalog.ok) throw new Error('the catalog has problems; name the vendors with --vendors');
  return Object.keys(catalog.value.vendors);
}

/** A failure drawn at random, as configured. */
function outcome(): ReplyOptions {
  const draw = Math.random();
  if (draw < failRate) return { fail: 'final' };
  if (draw < failRate + retryableRate) return { fail: 'retryable' };
  return {};
}

async function answer(request: FulfillmentRequest, send: (reply: SimulatedReply) => Promise<void>): Promise<void> {
  for (const reply of repliesFor(request, outcome())) {
    await sleep(delayMs);
    await send(reply);
    log(`${request.vendorId}: ${reply.reply.type} for task ${request.taskName} of order ${request.externalRef} (${request.orderId})`);
  }
}

async function overRabbitMq(url: string, vendors: string[]): Promise<() => Promise<void>> {
  const broker: Broker = connectBroker({ url, prefix: process.env.AMQP_PREFIX ?? 'ordergate', connectionName: `vendor-sim-${process.pid}`, log: { info: log, warn: log, error: log } });
  await broker.ready();
  const consumers: { stop(): Promise<void> }[] = [];
  for (const vendorId of vendors) {
    await broker.declareVendor(vendorId);
    consumers.push(
      broker.consume(broker.names.vendorQueue(vendorId), async (delivery) => {
        const request = JSON.parse(delivery.body.toString('utf8')) as FulfillmentRequest;
        await answer(request, async ({ messageId, reply }) => {
          const [published] = await broker.publish(
            [{ exchange: broker.names.repliesExchange, routingKey: `vendor.${vendorId}.${replyKind(reply.type)}`, body: JSON.stringify(reply.body), messageId, correlationId: request.orderId, type: reply.type, appId: vendorId }],
            10_000,
          );
          if (!published?.ok) throw new Error(`reply not confirmed: ${published?.error ?? 'no outcome'}`);
        });
        return { ack: true };
      }),
    );
  }
  log(`playing ${vendors.join(', ')} over RabbitMQ`);
  return async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await broker.close();
  };
}

async function throughMailbox(base: string, key: string, vendors: string[]): Promise<() => Promise<void>> {
  let stopped = false;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return JSON.parse(text) as unknown;
  };
  const loop = (async () => {
    log(`playing ${vendors.join(', ')} through the mailbox at ${base}`);
    while (!stopped) {
      let found = 0;
      for (const vendorId of vendors) {
        try {
          const { messages } = (await call('GET', `/v1/vendor/tasks?vendorId=${encodeURIComponent(vendorId)}`)) as { messages: { body: FulfillmentRequest }[] };
          found += messages.length;
          for (const message of messages) await answer(message.body, ({ messageId, reply }) => call('POST', '/v1/vendor/replies', { messageId, type: reply.type, body: reply.body }).then(() => undefined));
        } catch (error) {
          log(`${vendorId}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (found === 0) await sleep(1_000);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

async function main(): Promise<void> {
  const vendors = vendorsToPlay();
  const amqpUrl = process.env.AMQP_URL;
  let stop: () => Promise<void>;
  if (amqpUrl !== undefined && amqpUrl !== '') {
    stop = await overRabbitMq(amqpUrl, vendors);
  } else {
    const key = process.env.ORDERGATE_ADMIN_KEY;
    if (key === undefined || key === '') {
      process.stderr.write(`Without AMQP_URL the simulator uses the mailbox API and needs the admin key: set ORDERGATE_ADMIN_KEY to the key \`npm start\` printed.\n\n${usage}\n`);
      process.exit(2);
    }
    stop = await throughMailbox((process.env.ORDERGATE_URL ?? 'http://localhost:8080').replace(/\/+$/, ''), key, vendors);
  }
  const shutdown = () => void stop().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`vendor-sim failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
