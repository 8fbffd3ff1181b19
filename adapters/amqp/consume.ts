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
// A handler that answers `hold` (the gateway cannot apply messages now) keeps its message unsettled
// and tried again here, and the consumer takes no more until one goes through: the broker holds
// the rest, and nothing counts against a message's delivery limit.

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
  /** Waits between tries of a held message: from the first up to the last, doubling (250 ms … 5 s). */
  holdBackoff?: { firstMs: number; maxMs: number };
}

type SettledVerdict = Exclude<HandlerVerdict, { hold: string }>;

/** Per channel: its consumer tag while it takes messages, and how many of its messages are held. */
interface Intake {
  tag: string | undefined;
  held: number;
  pausedAt?: number;
}

export interface Consumer {
  /** Stops taking messages, waits for the handlers in flight to settle theirs, closes the channel. */
  stop(): Promise<void>;
}

export function startConsumer(options: ConsumerOptions): Consumer {
  const { queue, log } = options;
  const intakes = new WeakMap<Channel, Intake>();
  const holdBackoff = options.holdBackoff ?? { firstMs: 250, maxMs: 5_000 };
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
      const intake: Intake = { tag: undefined, held: 0 };
      intakes.set(channel, intake);
      await subscribe(channel, intake);
    },
  });

  async function subscribe(channel: Channel, intake: Intake): Promise<void> {
    const { consumerTag } = await channel.consume(queue, (message) => onMessage(channel, message), { noAck: false });
    intake.tag = consumerTag;
  }

  /** No more messages while one is held; those already delivered stay with us, unsettled. */
  function pause(channel: Channel, intake: Intake, reason: string): void {
    intake.held++;
    if (intake.held > 1 || intake.tag === undefined) return;
    const tag = intake.tag;
    intake.tag = undefined;
    intake.pausedAt = Date.now();
    log.warn(`consumer of ${queue} paused: ${reason}; the broker keeps the messages until they can be applied`);
    void channel.cancel(tag).catch(() => undefined);
  }

  function release(channel: Channel, intake: Intake): void {
    intake.held--;
    if (intake.held > 0 || stopped || !isOpen(channel) || intake.tag !== undefined) return;
    log.info(`consumer of ${queue} resumed after ${Date.now() - (intake.pausedAt ?? Date.now())} ms`);
    subscribe(channel, intake).catch((error: unknown) => {
      log.warn(`consumer of ${queue} could not resume (${errorText(error)}); reopening its channel`);
      slot.recycle(channel);
    });
  }

  /** Runs the handler until it does not hold, or until holding is moot (stopped, or the channel gone). */
  async function handleHeld(channel: Channel, delivery: Delivery, first: string): Promise<SettledVerdict | undefined> {
    const intake = intakes.get(channel);
    if (intake === undefined) return undefined;
    pause(channel, intake, first);
    let wait = holdBackoff.firstMs;
    try {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        wait = Math.min(holdBackoff.maxMs, wait * 2);
        if (stopped || !isOpen(channel)) return undefined;
        const verdict = await options.handler(delivery);
        if (!('hold' in verdict)) return verdict;
      }
    } finally {
      release(channel, intake);
    }
  }

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
    let verdict: SettledVerdict | undefined;
    try {
      const first = await options.handler(delivery);
      verdict = 'hold' in first ? await handleHeld(channel, delivery, first.hold) : first;
    } catch (error) {
      // The queue's delivery limit turns a message that always throws into a dead letter.
      log.warn(`handler threw on ${label} (delivery ${delivery.deliveryCount + 1}): ${errorText(error)}; requeued`);
      settle(channel, message, 'requeue', label);
      return;
    }
    if (verdict === undefined) {
      log.info(`${label}: held until the consumer stopped or its channel closed; the broker delivers it again`);
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
      const tag = channel === undefined ? undefined : intakes.get(channel)?.tag;
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
