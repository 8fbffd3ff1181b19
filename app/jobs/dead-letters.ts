import { deadLetterFacts, type Broker, type Delivery, type HandlerVerdict } from '../../adapters/amqp/index.ts';
import { insertDeadLetter, isDatabaseUnavailable, type Database } from '../../adapters/db/index.ts';
import type { Replayer } from '../../api/dead-letters.ts';

// Messages that died in RabbitMQ are moved into the database, where operations list them and
// send them again (api/dead-letters.ts) through the replayer made here. A message the broker gave up
// on only because it was delivered too often (gateways killed while holding it) can be given one
// last try first (`lastTry`): if it goes through, nothing was wrong with it and no dead letter is
// kept. Only on its first delivery from the DLQ: a message that kills the process is not tried twice.

export type Consumers = { stop(): Promise<void> }[];

/** Runs a message as its own consumer would, given where it was first published. */
export type LastTry = (origin: Delivery) => Promise<HandlerVerdict>;

export function moveDeadLetters(db: Database, broker: Broker, queue: string, lastTry?: LastTry, log?: { info(message: string): void }) {
  return broker.consume(queue, async (delivery) => {
    const facts = deadLetterFacts(delivery);
    let reason = facts.reason;
    if (lastTry !== undefined && facts.reason === 'delivery_limit' && !delivery.redelivered) {
      const verdict = await lastTry({
        ...delivery,
        exchange: facts.originalExchange,
        routingKey: facts.originalRoutingKey,
        queue: facts.queue,
      });
      if ('hold' in verdict) return verdict;
      if ('ack' in verdict) {
        log?.info(`message ${delivery.messageId ?? '(no id)'} from ${facts.queue} applied on its last try after the delivery limit`);
        return { ack: true };
      }
      reason = `delivery_limit, then ${'deadLetter' in verdict ? verdict.deadLetter : verdict.retry}`;
    }
    try {
      await insertDeadLetter(db, {
        queue: facts.queue,
        messageId: delivery.messageId ?? null,
        type: delivery.type ?? null,
        correlationId: delivery.correlationId ?? null,
        exchange: facts.originalExchange,
        routingKey: facts.originalRoutingKey,
        reason,
        headers: delivery.headers,
        properties: { appId: delivery.appId, timestamp: delivery.timestamp, ...delivery.properties },
        body: delivery.body.toString('utf8'),
      });
    } catch (error) {
      if (isDatabaseUnavailable(error)) return { hold: 'the database is unavailable' };
      throw error;
    }
    return { ack: true };
  });
}

/** Headers the broker or ordergate added when the message died; a replay starts clean. */
const replayHeaders = (headers: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(headers).filter(
      ([name]) =>
        !name.startsWith('x-death') &&
        !name.startsWith('x-first-death') &&
        !name.startsWith('x-last-death') &&
        !name.startsWith('x-ordergate-'),
    ),
  );

export function deadLetterReplayer(broker: Broker, confirmTimeoutMs = 5_000): Replayer {
  return async (letter) => {
    const properties = letter.properties as { appId?: string; timestamp?: number };
    const [outcome] = await broker.publish(
      [
        {
          exchange: letter.exchange,
          routingKey: letter.routingKey,
          body: letter.body,
          messageId: letter.messageId ?? '',
          correlationId: letter.correlationId ?? '',
          type: letter.type ?? '',
          appId: properties.appId ?? 'ordergate',
          ...(properties.timestamp === undefined ? {} : { timestamp: properties.timestamp }),
          headers: replayHeaders(letter.headers),
        },
      ],
      confirmTimeoutMs,
    );
    return outcome ?? { ok: false, error: 'no outcome' };
  };
}
