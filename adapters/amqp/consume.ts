import type { Channel, ConsumeMessage } from 'amqplib';
import { ChannelSlot, isOpen } from './channel-slot.ts';
import { errorText, type Backoff, type Link, type Logger } from './connection.ts';
import { toDelivery, type Delivery } from './delivery.ts';
import type { RetryTier, TopologyNames } from './names.ts';
import type { Publisher } from './publish.ts';
import { decideVerdict, forwardOptions, type HandlerVerdict } from './verdict.ts';

// One consumer: its own channel (so its prefetch and its delivery tags are its own), re-opened on
// every reconnect. Each delivery is settled on the channel it came on; if that channel is gone by
// the time the handler is done, the verdict is dropped and the broker delivers the message again.

export interface ConsumerOptions {
  queue: string;
  handler: (delivery: Delivery) => Promise<HandlerVerdict>;
  prefetch: number;
  link: Link;
  publisher: Publisher;
  names: TopologyNames;
  tiers: readonly RetryTier[];
  log: Logger;
  backoff: Backoff;
  /** How long a retry or dead-letter publish may take before the message is requeued instead. */
  forwardTimeoutMs: number;
  /** How long stop waits for handlers in flight before closing the channel (their messages go back to the queue). */
  drainTimeoutMs: number;
}

export interface Consumer {
  /** Stops taking messages, waits for the handlers in flight to settle theirs, closes the channel. */
  stop(): Promise<void>;
}

export function startConsumer(options: ConsumerOptions): Consumer {
  const { queue, log } = options;
  const tags = new WeakMap<Channel, string>();
  let inFlight = 0;
  let idle: (() => void) | undefined;
  let stopped = false;

  const slot: ChannelSlot<Channel> = new ChannelSlot<Channel>({
    label: `consumer of ${queue}`,
    link: options.link,
    log,
    backoff: options.backoff,
    open: (model) => model.createChannel(),
    setup: async (channel) => {
      await channel.prefetch(options.prefetch);
      const { consumerTag } = await channel.consume(queue, (message) => onMessage(channel, message), { noAck: false });
      tags.set(channel, consumerTag);
    },
  });

  function onMessage(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled us (queue deleted, or a quorum queue leader moved): subscribe again.
      if (!stopped) log.warn(`consumer of ${queue} cancelled by the broker; subscribing again`);
      slot.recycle(channel);
      return;
    }
    inFlight++;
    void handle(channel, message).finally(() => {
      inFlight--;
      if (inFlight === 0) idle?.();
    });
  }

  async function handle(channel: Channel, message: ConsumeMessage): Promise<void> {
    const delivery = toDelivery(queue, message);
    const label = `message ${delivery.messageId ?? '(no id)'} from ${queue}`;
    let verdict: HandlerVerdict;
    try {
      verdict = await options.handler(delivery);
    } catch (error) {
      // The queue's delivery limit turns a message that always throws into a dead letter.
      log.warn(`handler threw on ${label} (delivery ${delivery.deliveryCount + 1}): ${errorText(error)}; requeued`);
      settle(channel, message, 'requeue', label);
      return;
    }
    if (!isOpen(channel)) {
      // Sending it on would only make a copy of what the broker is about to deliver again.
      log.info(`${label}: its channel closed while the handler ran; verdict dropped, the broker delivers it again`);
      return;
    }
    const action = decideVerdict(verdict, delivery, options.names, options.tiers, new Date());
    if (action.kind === 'ack') {
      settle(channel, message, 'ack', label);
      return;
    }
    const [outcome] = await options.publisher.publish(
      [
        {
          exchange: action.exchange,
          routingKey: action.routingKey,
          content: message.content,
          options: forwardOptions(message, action.headers),
        },
      ],
      options.forwardTimeoutMs,
    );
    if (outcome?.ok === true) {
      log.info(`${label}: ${action.describe}`);
      settle(channel, message, 'ack', label);
    } else {
      log.warn(`${label}: could not be ${action.describe} (${outcome?.ok === false ? outcome.error : 'no outcome'}); requeued`);
      settle(channel, message, 'requeue', label);
    }
  }

  function settle(channel: Channel, message: ConsumeMessage, how: 'ack' | 'requeue', label: string): void {
    // Delivery tags are per channel: on any other channel this tag names another message, or none
    // (and the broker closes a channel that acks an unknown tag).
    if (!isOpen(channel)) {
      log.info(`${label}: its channel closed before the ${how}; dropped, the broker delivers it again`);
      return;
    }
    try {
      if (how === 'ack') channel.ack(message);
      else channel.nack(message, false, true);
    } catch (error) {
      log.info(`${label}: ${how} failed (${errorText(error)}); the broker delivers it again`);
    }
  }

  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      slot.hold();
      const channel = slot.current;
      const tag = channel === undefined ? undefined : tags.get(channel);
      if (channel !== undefined && tag !== undefined) await channel.cancel(tag).catch(() => undefined);
      if (inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          idle = resolve;
          timer = setTimeout(() => {
            log.warn(
              `consumer of ${queue}: ${inFlight} handler(s) still running after ${options.drainTimeoutMs} ms; closing, their messages are redelivered`,
            );
            resolve();
          }, options.drainTimeoutMs);
        });
        clearTimeout(timer);
      }
      await slot.stop();
    },
  };
}
