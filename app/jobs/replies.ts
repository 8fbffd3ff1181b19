import { readReply } from '../../adapters/contract/index.ts';
import { originOf, type Broker, type Delivery, type HandlerVerdict, type TopologyNames } from '../../adapters/amqp/index.ts';
import { isDatabaseUnavailable, isTransientConflict } from '../../adapters/db/index.ts';
import { firstTooDeep, jsonDepthLimit } from '../../domain/json-depth.ts';
import { badCharacter, findBadText } from '../../domain/text.ts';
import type { VendorReply } from '../../domain/vendor-reply.ts';
import {
  handleTaskEvent,
  handleTaskEvents,
  type EventResult,
  type EventSource,
  type FulfillmentDeps,
  type GroupedResult,
} from '../../pipeline/fulfillment.ts';
import { groupedByKey, type GroupOptions } from './groups.ts';

// Vendor replies from the RabbitMQ reply queue: each checked against asyncapi.yaml and its vendor,
// applied through the fulfillment pipeline, and given its verdict for the broker in one place. The
// consumer applies the replies that arrive together in one transaction (in lanes by order, a group
// at a time per lane, in the order they came) and settles each message only after its commit.

/**
 * Up to 64 replies a transaction: PostgreSQL keeps 64 subtransaction ids (a savepoint each) per
 * session before other sessions' snapshots must look them up on disk. Two lanes, two transactions
 * at once: bench:replies drained 2-27 % faster than with one (which lost to main's eight single
 * transactions at once on a machine others kept busy), and four were not clearly better.
 */
export const replyGroup: GroupOptions = { max: 64, windowMs: 5, lanes: 2 };

type Read = { verdict: HandlerVerdict } | { event: VendorReply; source: { vendorId: string; messageId: string } };

/** The checks that need no database: a reply that fails one is dead-lettered with its reason. */
function readDelivery(names: TopologyNames, delivery: Delivery): Read {
  if (delivery.messageId === undefined || delivery.messageId === '')
    return { verdict: { deadLetter: 'no message_id: a reply needs a stable message id' } };
  const badId = badCharacter(delivery.messageId);
  if (badId !== undefined) return { verdict: { deadLetter: `invalid-character: the message_id ${badId}` } };
  // The vendor's own routing key, also for a reply back from a retry tier (`10s.<prefix>.replies`).
  const { routingKey } = originOf(delivery, names.retryReturnExchange);
  const [, vendorId = '', kind] = routingKey.split('.');
  let body: unknown;
  try {
    body = JSON.parse(delivery.body.toString('utf8'));
  } catch (error) {
    return { verdict: { deadLetter: `the body is not JSON: ${error instanceof Error ? error.message : String(error)}` } };
  }
  const tooDeep = firstTooDeep(body);
  if (tooDeep !== undefined)
    return { verdict: { deadLetter: `breaks asyncapi.yaml: ${tooDeep} is nested deeper than ${jsonDepthLimit} arrays and objects` } };
  // Such a text would fail the transaction that applies the reply, again on every redelivery.
  const bad = findBadText(body);
  if (bad.length > 0) return { verdict: { deadLetter: `invalid-character: ${bad.map((b) => `${b.pointer} ${b.detail}`).join('; ')}` } };
  const read = readReply(delivery.type ?? '', body);
  if (!read.ok)
    return { verdict: { deadLetter: `breaks asyncapi.yaml: ${read.problems.map((p) => `${p.pointer} ${p.detail}`).join('; ')}` } };
  const { reply } = read;
  if (
    reply.body.vendorId !== vendorId ||
    (delivery.appId !== undefined && delivery.appId !== vendorId) ||
    reply.type.split('.')[1] !== kind
  ) {
    return {
      verdict: {
        deadLetter: `wrong-vendor: routing key ${routingKey} and app_id ${delivery.appId ?? '(none)'} do not match a ${reply.type} from vendor ${reply.body.vendorId}`,
      },
    };
  }
  return { event: reply, source: { vendorId, messageId: delivery.messageId } };
}

const verdictOf = (result: EventResult): HandlerVerdict =>
  result.kind === 'refused' ? { deadLetter: `${result.code}: ${result.detail}` } : { ack: true };

/** Ours, not the reply's: the consumer holds it and stops taking more until the database answers. Anything else is thrown (requeued). */
function heldFor(error: unknown): HandlerVerdict {
  if (isDatabaseUnavailable(error)) return { hold: 'the database is unavailable' };
  if (isTransientConflict(error)) return { hold: 'the database kept rolling the reply back for conflicts' };
  throw error;
}

/** One reply alone: checked, applied in a transaction of its own, and its verdict for the broker (the dead-letter mover's last try). */
export async function onReply(deps: FulfillmentDeps, names: TopologyNames, delivery: Delivery): Promise<HandlerVerdict> {
  const read = readDelivery(names, delivery);
  if ('verdict' in read) return read.verdict;
  try {
    return verdictOf(await handleTaskEvent(deps, read.event, read.source));
  } catch (error) {
    return heldFor(error);
  }
}

/**
 * The reply queue's consumer. A reply's handler returns (and the consumer acks it, or forwards it
 * and then acks) only once its group's transaction has committed; a reply that threw alone is
 * requeued as before, the rest of its group kept. `prefetch` must exceed the group size, so that
 * the next group gathers while one is applied. Groups in two lanes may wait on each other's locks
 * (a partner's control numbers): a deadlock between them is a conflict, and the group the database
 * gave up is run again whole.
 */
export function consumeReplies(broker: Broker, fulfillment: FulfillmentDeps, options: { prefetch: number; group?: GroupOptions }) {
  const apply = groupedByKey(
    (items: { event: VendorReply; source: EventSource }[]) => handleTaskEvents(fulfillment, items),
    options.group ?? replyGroup,
  );
  return broker.consume(
    broker.names.repliesQueue,
    async (delivery) => {
      const read = readDelivery(broker.names, delivery);
      if ('verdict' in read) return read.verdict;
      let result: GroupedResult;
      try {
        // One order's replies in one lane, in the order they came (a vendor's correlation id is the order's).
        result = await apply(delivery.correlationId ?? delivery.messageId ?? '', { event: read.event, source: read.source });
      } catch (error) {
        return heldFor(error);
      }
      if (result.kind === 'failed') throw result.error;
      return verdictOf(result);
    },
    { prefetch: options.prefetch },
  );
}
