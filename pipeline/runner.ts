import type { OrderDraft, StoredOrder } from '../domain/order.ts';
import type { Problem } from '../domain/problem.ts';
import type { Result } from '../domain/result.ts';
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
  const order = await time('validate', async () => validate(received.payload, (p) => channel.translate(p)));
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
