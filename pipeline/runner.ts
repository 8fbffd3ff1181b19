import type { CanonicalOrder, OrderDraft, StoredOrder } from '../domain/order.ts';
import type { Problem } from '../domain/problem.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { judgeStatedTotal } from '../domain/stated-total.ts';
import { inDistinctRounds } from './distinct-rounds.ts';
import type { IntakeGroups } from './intake-groups.ts';
import type { PlanningDeps } from './item-resolution.ts';
import { untimed, type IdempotencyRecord, type OrderStore, type StageTimer, type StoreTransaction } from './ports.ts';
import { receive, type Inbound, type Received } from './receive.ts';
import { insertReceivedOrders, type StoredResponse } from './store.ts';
import { validate } from './validate.ts';

/** What a channel brings to the shared pipeline: its own translation in, its own answer out. */
export interface ChannelSpec<P> {
  translate(payload: P): Result<OrderDraft, Problem[]>;
  respond(stored: StoredOrder): StoredResponse;
}

export type PipelineOutcome =
  | { kind: 'created'; orderId: string; response: StoredResponse }
  | { kind: 'repeat'; response: StoredResponse }
  | { kind: 'key-reused' }
  | { kind: 'invalid'; problems: Problem[] };

/** `catalog`: loaded once at start; every stored order is resolved and decomposed with it. */
export interface PipelineDeps extends PlanningDeps {
  store: OrderStore;
  timer?: StageTimer;
  groups?: IntakeGroups;
}

/** An order that passed validation: what its transaction stores and how its channel answers. */
export interface ValidOrder {
  received: Received<unknown>;
  order: CanonicalOrder;
  respond(stored: StoredOrder): StoredResponse;
}

/** receive → validate → dedupe → store, the same path for every channel. */
export async function runOrderPipeline<P>(deps: PipelineDeps, inbound: Inbound<P>, channel: ChannelSpec<P>): Promise<PipelineOutcome> {
  const time = deps.timer ?? untimed;
  const received = await time('receive', async () => receive(inbound));
  const validated = await time('validate', async () => validate(received.payload, (p) => channel.translate(p)));
  const order = validated.ok ? validated : await judgedTotal(deps, inbound.partnerId, received.payload, channel, validated.error);
  if (!order.ok) return { kind: 'invalid', problems: order.error };
  const valid: ValidOrder = { received, order: order.value, respond: (stored) => channel.respond(stored) };
  if (deps.groups !== undefined) return deps.groups.order(valid);
  return runOrderGroup(deps, [valid]).then((outcomes) => outcomes[0] as PipelineOutcome);
}

const keyOf = ({ received }: ValidOrder): string => `${received.partnerId}\u0000${received.dedupe.scope}\u0000${received.dedupe.key}`;

/**
 * Valid orders of any partners in one transaction: their claims (one statement), their
 * orders and plans (whoever sent them), their documents with their idempotency answers (one statement).
 */
export async function runOrderGroup(deps: PipelineDeps, valid: readonly ValidOrder[]): Promise<PipelineOutcome[]> {
  return deps.store.transaction((tx) => inDistinctRounds(valid, keyOf, (round) => storeRound(tx, deps, round)));
}

/** Orders of distinct keys. */
async function storeRound(tx: StoreTransaction, deps: PipelineDeps, valid: readonly ValidOrder[]): Promise<PipelineOutcome[]> {
  const time = deps.timer ?? untimed;
  const outcomes: PipelineOutcome[] = [];
  const fresh: ValidOrder[] = [];
  const freshAt: number[] = [];
  await time('dedupe', async () => {
    // The answer is written when the order is stored, below, in this same transaction: nobody
    // else ever reads the placeholder (a concurrent claim of the key waits for the commit).
    const claims = await tx.claimIdempotencyKeys(
      valid.map(({ received }) => ({
        partnerId: received.partnerId,
        ...received.dedupe,
        requestHash: received.fingerprint,
        answer: { status: 0, body: {}, orderId: null },
      })),
    );
    valid.forEach((order, index) => {
      const claim = claims[index] as IdempotencyRecord | 'claimed';
      if (claim !== 'claimed') outcomes[index] = verdictOf(claim, order.received.fingerprint);
      else {
        fresh.push(order);
        freshAt.push(index);
      }
    });
  });
  if (fresh.length === 0) return outcomes;
  await time('store', async () => {
    const stored = await insertReceivedOrders(
      tx,
      fresh.map(({ received, order }) => ({ from: received, order })),
      deps,
    );
    const answers = fresh.map(({ received, respond }, n) => {
      const order = stored[n] as StoredOrder;
      const response = respond(order);
      outcomes[freshAt[n] as number] = { kind: 'created', orderId: order.id, response };
      return {
        partnerId: received.partnerId,
        orderId: order.id,
        document: received.document,
        idempotency: { ...received.dedupe, response: { ...response, orderId: order.id } },
      };
    });
    await tx.storeAnswers(answers);
  });
  return outcomes;
}

/** Same key + same content → the first answer again; same key + other content → a conflict. */
const verdictOf = (record: IdempotencyRecord, fingerprint: string): PipelineOutcome =>
  record.requestHash === fingerprint
    ? { kind: 'repeat', response: { status: record.responseStatus, body: record.responseBody } }
    : { kind: 'key-reused' };

/**
 * An order refused for its stated total alone is a business discrepancy: with approval policies in
 * place, the partner's setting decides (refuse as before; hold for a person, whom the policies
 * name; accept). Asked only of such an order, so a valid one costs nothing more.
 */
async function judgedTotal<P>(
  deps: PipelineDeps,
  partnerId: string,
  payload: P,
  channel: ChannelSpec<P>,
  problems: Problem[],
): Promise<Result<CanonicalOrder, Problem[]>> {
  const refused = err(problems);
  if (deps.approvals === undefined || !problems.every((problem) => problem.code === 'total-mismatch')) return refused;
  const draft = channel.translate(payload);
  if (!draft.ok) return refused;
  const setting = await deps.store.transaction((tx) => tx.totalMismatchSetting(partnerId));
  const judged = judgeStatedTotal(draft.value, setting);
  return judged.kind === 'held' || judged.kind === 'accepted' ? ok(judged.order) : refused;
}
