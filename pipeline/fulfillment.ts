import { applyTaskEvent, unknownTaskDetail, type PartnerAnswer, type RefusalCode, type TaskState } from '../domain/fulfillment-progress.ts';
import { fulfillmentRequest } from '../domain/fulfillment-request.ts';
import type { OrderStatus } from '../domain/order-status.ts';
import type { StoredOrder } from '../domain/order.ts';
import { orderDelayed, orderFailed } from '../domain/partner-events.ts';
import { requestMessage } from '../domain/vendor-messages.ts';
import type { TaskEvent } from '../domain/vendor-reply.ts';
import type { TaskStatus } from '../domain/task-status.ts';
import { personTaskItem } from '../domain/work-item.ts';
import { ssccRefusal, type SsccRefusalCode } from './answer-numbers.ts';
import { startShipmentDeadline, type Calendars } from './deadlines.ts';
import { endOpenWork } from './end-order.ts';
import { pushDocument, type Delivery, type OutboundDocument } from './outbound.ts';
import { writeAnswers, type Push } from './partner-answers.ts';
import type { OrderStore, PartnerChannels, StoreTransaction } from './ports.ts';

// A vendor's reply (or a person finishing a task) applied to its order in one transaction: the
// inbox row that makes a repeat change nothing, the order locked, task/line/order states, the
// requests for freed tasks, and the partner's answer stored; pushed to the partner after commit.

/** A document for the partner in its own format, with its delivery when the partner has an endpoint (else its mailbox). */
export type RenderedAnswer = { document: OutboundDocument } & ({ endpointUrl?: undefined; deliver?: undefined } | Delivery);

/** `problems`: the answer could not be written (the order lacks what the format needs); noted in the order's history. */
export type AnswerRenderer = (
  order: StoredOrder,
  answer: PartnerAnswer,
  channels: PartnerChannels,
  at: Date,
) => RenderedAnswer | { problems: string } | undefined;

export interface FulfillmentDeps {
  store: OrderStore;
  renderAnswer: AnswerRenderer;
  /** The working calendars partner deadlines count in (the 856's clock starts with the first shipment). */
  calendars?: Calendars;
}

/** Who the event comes from: a vendor's message (deduplicated by its id) or a person. */
export type EventSource = { vendorId: string; messageId: string } | { person: string };

export type EventResult =
  | { kind: 'applied'; orderId: string; status: OrderStatus }
  | { kind: 'duplicate' }
  | { kind: 'ignored'; reason: string }
  | { kind: 'refused'; code: RefusalCode | SsccRefusalCode; detail: string };

class Refusal extends Error {
  constructor(readonly result: Extract<EventResult, { kind: 'refused' }>) {
    super(result.detail);
  }
}

async function apply(
  deps: FulfillmentDeps,
  tx: StoreTransaction,
  event: TaskEvent,
  source: EventSource,
  at: Date,
  pushes: Push[],
): Promise<EventResult> {
  const actor = 'person' in source ? source.person : `vendor:${source.vendorId}`;
  const state = await tx.lockFulfillment(event.body.taskId);
  if (state === undefined) throw new Refusal({ kind: 'refused', code: 'unknown-task', detail: unknownTaskDetail(event.body.taskId) });
  // Pure, so it may be decided before the inbox is asked: the inbox row says whether it was held.
  const outcome = applyTaskEvent(state, event, at);
  // A shipment the partner's guide would refuse goes back to the vendor before anything is recorded.
  const shipment = outcome.kind === 'applied' && state.order.channel === 'x12' ? outcome.effects.shipment : undefined;
  const ssccRefused =
    shipment === undefined ? undefined : ssccRefusal(state.order, shipment, await tx.partnerChannels(state.order.partnerId));
  if (ssccRefused !== undefined) throw new Refusal({ kind: 'refused', ...ssccRefused });
  const hold = outcome.kind === 'applied' ? outcome.effects.hold : undefined;
  if ('messageId' in source) {
    const entry = {
      vendorId: source.vendorId,
      messageId: source.messageId,
      type: event.type,
      taskId: event.body.taskId,
      orderId: state.order.id,
    };
    // After the lock: of two copies of one reply, the second waits here for the first to commit. A
    // held completion is kept in its inbox row (outcome 'held') until a shipment applies it.
    const recorded = await tx.recordInbox(
      entry,
      hold === undefined ? 'applied' : 'held',
      hold === undefined ? {} : { completion: hold.completion },
    );
    if (!recorded) return { kind: 'duplicate' };
  }
  // A refusal rolls the inbox row back with the rest.
  if (outcome.kind === 'refused') throw new Refusal(outcome);
  if (!('person' in source)) await tx.settleRequests(event.body.taskId);
  if (outcome.kind === 'ignored') return outcome;
  const { effects } = outcome;
  const { order } = state;
  await tx.applyFulfillment(order, effects, actor);
  await movePersonTasks(tx, state.tasks, effects.tasks, order, actor, at);
  if (effects.shipment !== undefined)
    await startShipmentDeadline(tx, order, new Date(effects.shipment.shippedAt), deps.calendars ?? new Map());
  const failed = effects.orderSteps.find((step) => step.to === 'failed');
  if (failed !== undefined) await endOpenWork(tx, order.id, { kind: 'failed', cause: failed.cause }, at);
  for (const task of effects.send)
    await tx.enqueue(requestMessage(fulfillmentRequest(order, { ...task, vendorId: task.vendorId as string })));
  if (effects.resend !== undefined) {
    const { task, notBefore } = effects.resend;
    await tx.enqueue(requestMessage(fulfillmentRequest(order, { ...task, vendorId: task.vendorId as string }), new Date(notBefore)));
  }
  if (failed !== undefined) await tx.enqueue(orderFailed(order, failed.detail));
  pushes.push(...(await writeAnswers(tx, deps.renderAnswer, order, effects.answers, actor, at)));
  // A date moved later (after the answer that carries it, when there is one): in the order's history for operations, and to the partner.
  for (const delay of effects.delays) {
    await tx.noteEvent(order.id, 'order.delayed', actor, { ...delay, taskId: event.body.taskId });
    await tx.enqueue(orderDelayed(order, delay));
  }
  // The contract's outcomes are applied, duplicate and ignored: a held completion changed no state yet.
  if (hold !== undefined)
    return { kind: 'ignored', reason: heldReason(state.tasks.find((task) => task.id === hold.taskId)?.key ?? hold.taskId) };
  return { kind: 'applied', orderId: order.id, status: effects.orderSteps.at(-1)?.to ?? order.status };
}

/** A person's task that became ready goes on the operations list; one that ended leaves it. */
async function movePersonTasks(
  tx: StoreTransaction,
  tasks: readonly TaskState[],
  moved: ReadonlyMap<string, TaskStatus>,
  order: StoredOrder,
  actor: string,
  at: Date,
): Promise<void> {
  const ready: TaskState[] = [];
  for (const task of tasks) {
    const status = moved.get(task.id);
    if (!task.person || status === undefined) continue;
    if (status === 'ready') ready.push(task);
    else if (status === 'done' || status === 'cancelled' || status === 'failed') {
      // Done straight from blocked (its last dependency and it at once) it was never listed: its record is kept all the same.
      if (status === 'done') await tx.openWorkItems([personTaskItem(task, order, at)]);
      await tx.closeWorkItems(
        { kind: 'person-task', sourceId: task.id },
        { status: status === 'done' ? 'done' : 'cancelled', outcome: status, by: actor, at },
      );
    }
  }
  await tx.openWorkItems(ready.map((task) => personTaskItem(task, order, at)));
}

const heldReason = (taskKey: string): string =>
  `held: task ${taskKey} is a ship task whose shipments do not yet cover it; its completion applies when the shipment arrives`;

/**
 * Applies one event. A refused event changes nothing, not even the inbox, so that once the cause
 * is fixed a replay of it is judged afresh. Documents for partners with an endpoint are pushed
 * after commit; a failed push is recorded on the document and does not undo the reply.
 */
export async function handleTaskEvent(
  deps: FulfillmentDeps,
  event: TaskEvent,
  source: EventSource,
  at: Date = new Date(),
): Promise<EventResult> {
  const pushes: Push[] = [];
  let result: EventResult;
  try {
    result = await deps.store.transaction((tx) => {
      // A transaction run again after a conflict starts with nothing to push.
      pushes.length = 0;
      return apply(deps, tx, event, source, at, pushes);
    });
  } catch (error) {
    if (error instanceof Refusal) return error.result;
    throw error;
  }
  await pushAll(deps, pushes);
  return result;
}

/** What handleTaskEvents gives each event: its result as handleTaskEvent gives it, or what it alone threw. */
export type GroupedResult = EventResult | { kind: 'failed'; error: unknown };

/**
 * Applies vendors' events in one transaction, in the order given, each as handleTaskEvent would
 * apply it alone: one that is refused or throws changes nothing of its own (a savepoint each) and
 * the others are kept. Two copies of one reply in the group: the second is a duplicate, as it
 * would be after the first's commit. Documents are pushed after the one commit; a failure of the
 * transaction itself throws and applies none.
 */
export async function handleTaskEvents(
  deps: FulfillmentDeps,
  events: readonly { event: TaskEvent; source: EventSource }[],
  at: Date = new Date(),
): Promise<GroupedResult[]> {
  const pushes = events.map((): Push[] => []);
  const ends = await deps.store.transactionEach(
    events.map(({ event, source }, index) => (tx: StoreTransaction) => {
      const own = pushes[index] as Push[];
      // Run again after a conflict (the whole group) or undone alone: it starts with nothing to push.
      own.length = 0;
      return apply(deps, tx, event, source, at, own);
    }),
  );
  const results = ends.map((end, index): GroupedResult => {
    if (end.ok) return end.value;
    (pushes[index] as Push[]).length = 0;
    return end.error instanceof Refusal ? end.error.result : { kind: 'failed', error: end.error };
  });
  await pushAll(deps, pushes.flat());
  return results;
}

async function pushAll(deps: FulfillmentDeps, pushes: readonly Push[]): Promise<void> {
  for (const push of pushes)
    await pushDocument({ store: deps.store, deliver: push.deliver }, push.stored, push.contentType, push.endpointUrl);
}
