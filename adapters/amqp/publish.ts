import type { ConfirmChannel, Message, Options } from 'amqplib';
import { ChannelSlot } from './channel-slot.ts';
import { errorText, type Backoff, type Link, type Logger } from './connection.ts';

// Publishing with publisher confirms. A message counts as sent only once the broker has acked it;
// a nack, a basic.return (mandatory and unroutable), a closed channel or no confirm in time is an
// outcome ok:false, never an exception, so the outbox can leave the row for the next run.

export type PublishOutcome = { ok: true } | { ok: false; error: string };

/** One message as it goes on the wire; `mandatory` and persistence are forced on whatever the options say. */
export interface RawPublish {
  exchange: string;
  routingKey: string;
  content: Buffer;
  options: Options.Publish;
}

interface Pending {
  settled: boolean;
  /** Set by a basic.return, which the broker sends before the ack of the same message. */
  returned: string | undefined;
  settle(outcome: PublishOutcome): void;
}

/** basic.return carries the reply code and text in fields, which @types/amqplib leaves out. */
interface ReturnFields {
  replyCode?: number;
  replyText?: string;
  exchange: string;
  routingKey: string;
}

const returnKey = (messageId: unknown, exchange: string, routingKey: string): string =>
  `${String(messageId ?? '')}\u0000${exchange}\u0000${routingKey}`;

export class Publisher {
  readonly #slot: ChannelSlot<ConfirmChannel>;
  /**
   * Per channel, per (message id, exchange, routing key), the unconfirmed publishes in publishing
   * order: how a return, which names no delivery tag, finds its message. Returns come in publishing
   * order, so the first one not yet returned is it. One that already timed out is skipped: if the
   * return was its own, the newer message is wrongly failed and sent again (safe); the other way
   * round a lost message would count as sent.
   */
  readonly #unconfirmed = new WeakMap<ConfirmChannel, Map<string, Pending[]>>();

  constructor(link: Link, log: Logger, backoff: Backoff) {
    this.#slot = new ChannelSlot<ConfirmChannel>({
      label: 'publisher',
      link,
      log,
      backoff,
      open: (model) => model.createConfirmChannel(),
      setup: async (channel) => {
        this.#unconfirmed.set(channel, new Map());
        channel.on('return', (message: Message) => this.#returned(channel, message));
      },
    });
  }

  /** Outcomes in the order of `messages`; waits for a channel (a reconnect) and the confirms within `timeoutMs` in all. */
  async publish(messages: readonly RawPublish[], timeoutMs: number): Promise<PublishOutcome[]> {
    if (messages.length === 0) return [];
    // The deadline counts from the call: time spent waiting for a connection is part of the budget.
    const started = Date.now();
    const channel = await this.#slot.waitFor(timeoutMs);
    if (channel === undefined) return messages.map(() => ({ ok: false, error: `not connected to the broker within ${timeoutMs} ms` }));
    const pendings = messages.map((message) => this.#send(channel, message));
    const outcomes = Promise.all(pendings.map((p) => p.done));
    const remaining = Math.max(0, timeoutMs - (Date.now() - started));
    const timer = setTimeout(() => {
      const late = pendings.filter((p) => !p.pending.settled);
      for (const p of late) p.pending.settle({ ok: false, error: `no confirm from the broker within ${timeoutMs} ms` });
      // A channel whose confirms stopped coming is not trusted again: the next publish gets a new one
      // (and a connection that went silent is caught by the heartbeat).
      if (late.length > 0) this.#slot.recycle(channel);
    }, remaining);
    try {
      return await outcomes;
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    await this.#slot.stop();
  }

  #send(channel: ConfirmChannel, message: RawPublish): { pending: Pending; done: Promise<PublishOutcome> } {
    const key = returnKey(message.options.messageId, message.exchange, message.routingKey);
    const byId = this.#unconfirmed.get(channel);
    let resolve!: (outcome: PublishOutcome) => void;
    const done = new Promise<PublishOutcome>((r) => (resolve = r));
    const pending: Pending = {
      settled: false,
      returned: undefined,
      settle(outcome) {
        if (pending.settled) return;
        pending.settled = true;
        resolve(outcome);
      },
    };
    const queue = byId?.get(key) ?? [];
    queue.push(pending);
    byId?.set(key, queue);
    const forget = (): void => {
      const at = queue.indexOf(pending);
      if (at >= 0) queue.splice(at, 1);
      if (queue.length === 0 && byId?.get(key) === queue) byId.delete(key);
    };
    const options: Options.Publish = { ...message.options, mandatory: true, persistent: true, deliveryMode: 2 };
    try {
      channel.publish(message.exchange, message.routingKey, message.content, options, (error: unknown) => {
        forget();
        if (error !== null && error !== undefined) {
          const text = errorText(error);
          pending.settle({ ok: false, error: text === 'message nacked' ? 'nacked by the broker' : text });
        } else if (pending.returned !== undefined) {
          pending.settle({ ok: false, error: pending.returned });
        } else {
          pending.settle({ ok: true });
        }
      });
    } catch (error) {
      // amqplib throws at once on a channel that has closed under us.
      forget();
      pending.settle({ ok: false, error: `channel closed: ${errorText(error)}` });
    }
    return { pending, done };
  }

  #returned(channel: ConfirmChannel, message: Message): void {
    const fields = message.fields as unknown as ReturnFields;
    const queue = this.#unconfirmed.get(channel)?.get(returnKey(message.properties.messageId, fields.exchange, fields.routingKey));
    const pending = queue?.find((p) => !p.settled && p.returned === undefined);
    if (pending === undefined) return;
    const code = fields.replyCode === undefined ? '' : ` ${fields.replyCode}`;
    pending.returned = `unroutable: returned by the broker (${fields.replyText ?? 'NO_ROUTE'}${code}) from ${fields.exchange} with routing key ${fields.routingKey}`;
  }
}
