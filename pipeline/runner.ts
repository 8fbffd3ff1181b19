import type { CanonicalOrder, OrderDraft, StoredOrder } from '../domain/order.ts';
import type { Problem } from '../domain/problem.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { judgeStatedTotal } from '../domain/stated-total.ts';
import { dedupe } from './dedupe.ts';
import type { PlanningDeps } from './item-resolution.ts';
import { untimed, type OrderStore, type StageTimer } from './ports.ts';
import { receive, type Inbound } from './receive.ts';
import { store, type StoredResponse } from './store.ts';
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
}

/** receive → validate → dedupe → store, the same path for every channel. */
export async function runOrderPipeline<P>(deps: PipelineDeps, inbound: Inbound<P>, channel: ChannelSpec<P>): Promise<PipelineOutcome> {
  const time = deps.timer ?? untimed;
  const received = await time('receive', async () => receive(inbound));
  const validated = await time('validate', async () => validate(received.payload, (p) => channel.translate(p)));
  const order = validated.ok ? validated : await judgedTotal(deps, inbound.partnerId, received.payload, channel, validated.error);
  if (!order.ok) return { kind: 'invalid', problems: order.error };

  return deps.store.transaction(async (tx) => {
    const verdict = await time('dedupe', () => dedupe(tx, received));
    if (verdict.kind === 'repeat')
      return { kind: 'repeat', response: { status: verdict.record.responseStatus, body: verdict.record.responseBody } };
    if (verdict.kind === 'key-reused') return { kind: 'key-reused' };
    const { stored, response } = await time('store', () => store(tx, received, order.value, deps, (s) => channel.respond(s)));
    return { kind: 'created', orderId: stored.id, response };
  });
}

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
