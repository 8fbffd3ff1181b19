import { readReply } from '../../adapters/contract/index.ts';
import { originOf, type Broker, type Delivery, type HandlerVerdict, type TopologyNames } from '../../adapters/amqp/index.ts';
import { isDatabaseUnavailable, isTransientConflict } from '../../adapters/db/index.ts';
import { firstTooDeep, jsonDepthLimit } from '../../domain/json-depth.ts';
import { badCharacter, findBadText } from '../../domain/text.ts';
import { handleTaskEvent, type FulfillmentDeps } from '../../pipeline/fulfillment.ts';

// Vendor replies from the RabbitMQ reply queue: each checked against asyncapi.yaml and its vendor,
// applied through the fulfillment pipeline, and given its verdict for the broker in one place.

/**
 * Work for one key runs after the work for the same key that came before it. Replies to one order
 * are applied in the order they arrive (a vendor's ack, ship, complete), while replies to other
 * orders run side by side.
 */
function oneAtATimePer<T>() {
  const tails = new Map<string, Promise<unknown>>();
  return (key: string, work: () => Promise<T>): Promise<T> => {
    const run = (tails.get(key) ?? Promise.resolve()).then(work, work);
    tails.set(key, run);
    const forget = () => {
      if (tails.get(key) === run) tails.delete(key);
    };
    run.then(forget, forget);
    return run;
  };
}

/** One reply from the queue: checked, applied, and its verdict for the broker. */
export async function onReply(deps: FulfillmentDeps, names: TopologyNames, delivery: Delivery): Promise<HandlerVerdict> {
  if (delivery.messageId === undefined || delivery.messageId === '')
    return { deadLetter: 'no message_id: a reply needs a stable message id' };
  const badId = badCharacter(delivery.messageId);
  if (badId !== undefined) return { deadLetter: `invalid-character: the message_id ${badId}` };
  // The vendor's own routing key, also for a reply back from a retry tier (`10s.<prefix>.replies`).
  const { routingKey } = originOf(delivery, names.retryReturnExchange);
  const [, vendorId, kind] = routingKey.split('.');
  let body: unknown;
  try {
    body = JSON.parse(delivery.body.toString('utf8'));
  } catch (error) {
    return { deadLetter: `the body is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const tooDeep = firstTooDeep(body);
  if (tooDeep !== undefined)
    return { deadLetter: `breaks asyncapi.yaml: ${tooDeep} is nested deeper than ${jsonDepthLimit} arrays and objects` };
  // Such a text would fail the transaction that applies the reply, again on every redelivery.
  const bad = findBadText(body);
  if (bad.length > 0) return { deadLetter: `invalid-character: ${bad.map((b) => `${b.pointer} ${b.detail}`).join('; ')}` };
  const read = readReply(delivery.type ?? '', body);
  if (!read.ok) return { deadLetter: `breaks asyncapi.yaml: ${read.problems.map((p) => `${p.pointer} ${p.detail}`).join('; ')}` };
  const { reply } = read;
  if (
    reply.body.vendorId !== vendorId ||
    (delivery.appId !== undefined && delivery.appId !== vendorId) ||
    reply.type.split('.')[1] !== kind
  ) {
    return {
      deadLetter: `wrong-vendor: routing key ${routingKey} and app_id ${delivery.appId ?? '(none)'} do not match a ${reply.type} from vendor ${reply.body.vendorId}`,
    };
  }
  try {
    const result = await handleTaskEvent(deps, reply, { vendorId, messageId: delivery.messageId });
    return result.kind === 'refused' ? { deadLetter: `${result.code}: ${result.detail}` } : { ack: true };
  } catch (error) {
    // Ours, not the reply's: the consumer holds it and stops taking more until the database answers.
    if (isDatabaseUnavailable(error)) return { hold: 'the database is unavailable' };
    if (isTransientConflict(error)) return { hold: 'the database kept rolling the reply back for conflicts' };
    throw error;
  }
}

export function consumeReplies(broker: Broker, fulfillment: FulfillmentDeps, prefetch: number) {
  const inOrder = oneAtATimePer<HandlerVerdict>();
  return broker.consume(
    broker.names.repliesQueue,
    (delivery) => inOrder(delivery.correlationId ?? delivery.messageId ?? '', () => onReply(fulfillment, broker.names, delivery)),
    { prefetch },
  );
}
