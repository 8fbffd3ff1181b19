import { deadLetterFacts, type Broker } from '../../adapters/amqp/index.ts';
import { insertDeadLetter, isDatabaseUnavailable, type Database } from '../../adapters/db/index.ts';
import type { Replayer } from '../../api/dead-letters.ts';

// Messages that died in RabbitMQ are moved into the database, where operations list them and
// send them again (api/dead-letters.ts) through the replayer made here.

export type Consumers = { stop(): Promise<void> }[];

export function moveDeadLetters(db: Database, broker: Broker, queue: string) {
  return broker.consume(queue, async (delivery) => {
    const facts = deadLetterFacts(delivery);
    try {
      await insertDeadLetter(db, {
        queue: facts.queue,
        messageId: delivery.messageId ?? null,
        type: delivery.type ?? null,
        correlationId: delivery.correlationId ?? null,
        exchange: facts.originalExchange,
        routingKey: facts.originalRoutingKey,
        reason: facts.reason,
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
