import type { Broker } from '../../adapters/amqp/index.ts';
import { fulfillmentCancelType, type FulfillmentRequest } from '../../domain/fulfillment-request.ts';
import { replyKind } from '../../domain/vendor-reply.ts';
import { repliesFor, type ReplyOptions, type SimulatedReply } from './replies.ts';

// Playing vendors: over RabbitMQ (each vendor's queue in, the replies exchange out) or through
// the gateway's mailbox API. Used by `npm run vendor-sim` and by the end-to-end tests.

export interface PlayOptions {
  /** Pause before each reply. */
  delayMs: number;
  /** Per request: answer normally, or fail. */
  outcome?: (request: FulfillmentRequest) => ReplyOptions;
  log?: (message: string) => void;
}

export interface Player {
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answer(request: FulfillmentRequest, options: PlayOptions, send: (reply: SimulatedReply) => Promise<void>): Promise<void> {
  for (const reply of repliesFor(request, options.outcome?.(request) ?? {})) {
    if (options.delayMs > 0) await sleep(options.delayMs);
    await send(reply);
    options.log?.(
      `${request.vendorId}: ${reply.reply.type} for task ${request.taskName} of order ${request.externalRef} (${request.orderId})`,
    );
  }
}

export async function playOverRabbitMq(broker: Broker, vendors: readonly string[], options: PlayOptions): Promise<Player> {
  await broker.ready();
  const consumers: { stop(): Promise<void> }[] = [];
  for (const vendorId of vendors) {
    await broker.declareVendor(vendorId);
    consumers.push(
      broker.consume(broker.names.vendorQueue(vendorId), async (delivery) => {
        if (delivery.type === fulfillmentCancelType) {
          options.log?.(`${vendorId}: cancelled: ${delivery.body.toString('utf8')}`);
          return { ack: true };
        }
        const request = JSON.parse(delivery.body.toString('utf8')) as FulfillmentRequest;
        await answer(request, options, async ({ messageId, reply }) => {
          const message = {
            exchange: broker.names.repliesExchange,
            routingKey: `vendor.${vendorId}.${replyKind(reply.type)}`,
            body: JSON.stringify(reply.body),
            messageId,
            correlationId: request.orderId,
            type: reply.type,
            appId: vendorId,
          };
          const [published] = await broker.publish([message], 10_000);
          if (!published?.ok) throw new Error(`reply not confirmed: ${published?.error ?? 'no outcome'}`);
        });
        return { ack: true };
      }),
    );
  }
  return { stop: async () => void (await Promise.all(consumers.map((c) => c.stop()))) };
}

export function playThroughMailbox(base: string, key: string, vendors: readonly string[], options: PlayOptions): Player {
  let stopped = false;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return JSON.parse(text) as unknown;
  };
  const loop = (async () => {
    while (!stopped) {
      let found = 0;
      for (const vendorId of vendors) {
        try {
          const { messages } = (await call('GET', `/v1/vendor/tasks?vendorId=${encodeURIComponent(vendorId)}`)) as {
            messages: { type: string; body: FulfillmentRequest }[];
          };
          found += messages.length;
          for (const message of messages.filter((m) => m.type === fulfillmentCancelType))
            options.log?.(`${vendorId}: cancelled: ${JSON.stringify(message.body)}`);
          for (const message of messages.filter((m) => m.type !== fulfillmentCancelType))
            await answer(message.body, options, ({ messageId, reply }) =>
              call('POST', '/v1/vendor/replies', { messageId, type: reply.type, body: reply.body }).then(() => undefined),
            );
        } catch (error) {
          options.log?.(`${vendorId}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (found === 0) await sleep(500);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
