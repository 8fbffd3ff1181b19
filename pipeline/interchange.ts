import { randomUUID } from 'node:crypto';
import type { CanonicalOrder, Channel, StoredOrder } from '../domain/order.ts';
import type { DocumentRecord, IdempotencyRecord, OrderStore, StageTimer, StoreTransaction } from './ports.ts';
import { untimed } from './ports.ts';
import { insertReceivedOrders, type ReceivedOrder } from './store.ts';
import type { PlanningDeps } from './item-resolution.ts';

// Many orders in one envelope (an X12 interchange): dedupe the envelope and each set, store every
// new order, and build the envelope's answer, all in one transaction, so that an accepting
// acknowledgment always means every order in it is stored. An envelope whose key came before with
// other content is refused whole, its refusal answered in the same transaction. A refusal, of either
// kind, is remembered by the envelope's content: the same envelope resent gets the same answer, and
// nothing new is stored.

export interface EnvelopeSet {
  /** Where a repeat of this set alone is recognised (e.g. GS sender + GS06 + ST02). */
  dedupe: { scope: string; key: string };
  fingerprint: string;
  order: CanonicalOrder;
}

export interface EnvelopeInbound {
  channel: Channel;
  partnerId: string;
  actor: string;
  /**
   * Where a repeat of the envelope is recognised: its control number when it is read, or, for an
   * envelope refused whole, which must not use up its control number, its content (refusedDedupe).
   */
  dedupe: { scope: string; key: string };
  /** Where a refusal of this very envelope is remembered (e.g. sender + SHA-256 of its bytes), so that a resend gets the same answer. */
  refusedDedupe: { scope: string; key: string };
  fingerprint: string;
  document: DocumentRecord;
  sets: EnvelopeSet[];
  /** The answer to the envelope as received. */
  answer: AnswerWriter;
  /** The answer when the envelope's key came before with other content. */
  refusal: AnswerWriter;
}

/** An envelope's answer as the channel writes it, once the control numbers it needs are taken. */
export interface AnswerWriter {
  /** How many control numbers of each kind the answer takes (e.g. { isa: 1, gs: 2 }). */
  controlNumbers: Record<string, number>;
  /**
   * Writes what does not depend on control numbers, however long it takes (an answer to 100,000
   * sets), before they are taken; the function it returns finishes the answer with them at once.
   * `inboundDocumentId`: the envelope's stored document, if it was stored.
   */
  prepare(sets: SetOutcome[], inboundDocumentId: string | null): Promise<(taken: Record<string, number>) => RenderedAnswer>;
}

export interface SetOutcome {
  set: EnvelopeSet;
  /** The order stored for the set: only what the answer needs, so an interchange of 100,000 does not keep every order in memory. */
  stored?: Pick<StoredOrder, 'id' | 'status'>;
  /** The set was received before (same key and content): nothing new stored. */
  repeatOf?: string | null;
  /** Same key, other content: refused. */
  conflict?: true;
}

export type EnvelopeAnswer = { status: number; body: string };

/** The envelope's answer as the channel writes it, with the document that keeps it. */
export type RenderedAnswer = EnvelopeAnswer & { document: DocumentRecord };

export type EnvelopeOutcome =
  | { kind: 'processed'; sets: SetOutcome[]; answer: EnvelopeAnswer }
  | { kind: 'repeat'; answer: EnvelopeAnswer }
  /** The envelope's key came before with other content: nothing in it stored. */
  | { kind: 'refused'; answer: EnvelopeAnswer };

export async function runEnvelopePipeline(
  deps: PlanningDeps & { store: OrderStore; timer?: StageTimer },
  inbound: EnvelopeInbound,
): Promise<EnvelopeOutcome> {
  const time = deps.timer ?? untimed;
  return deps.store.transaction(async (tx) => {
    const { dedupe, refusedDedupe } = inbound;
    // The claim and the envelope's document in one round trip; a repeat stores nothing.
    const claim = await time('dedupe', () =>
      tx.claimWithDocument(inbound.partnerId, dedupe.scope, dedupe.key, inbound.fingerprint, inbound.document),
    );
    if (!('documentId' in claim)) {
      if (claim.requestHash === inbound.fingerprint) return repeat(claim);
      // The key came before with other content: refused whole, and the refusal remembered by content.
      const before = await tx.claimIdempotencyKey(inbound.partnerId, refusedDedupe.scope, refusedDedupe.key, inbound.fingerprint);
      if (before !== 'claimed') return repeat(before);
      const { document, ...response } = await writeAnswer(tx, inbound.partnerId, inbound.refusal, [], null);
      await tx.storeAnswer(inbound.partnerId, document, { ...refusedDedupe, response: { ...response, orderId: null } });
      return { kind: 'refused', answer: response };
    }
    const documentId = claim.documentId;
    const outcomes: SetOutcome[] = [];
    for (let start = 0; start < inbound.sets.length; start += setBatch) {
      const batch = inbound.sets.slice(start, start + setBatch);
      for (const outcome of await time('store', () => storeSets(tx, inbound, batch, documentId, deps))) outcomes.push(outcome);
    }
    // The 997/999 is written in this transaction with the orders, so a partner's 997 deadline is met
    // as they are stored (before the answer, which is to stay the last statement).
    await tx.meetDeadlines(
      outcomes.flatMap((outcome) => (outcome.stored === undefined ? [] : [outcome.stored.id])),
      '997',
    );
    // The answer may take control numbers whose rows every other envelope of the partner then waits
    // on until commit: the answer is the last statement, with the envelope's messages in it.
    const { document, ...response } = await writeAnswer(tx, inbound.partnerId, inbound.answer, outcomes, documentId);
    await tx.storeAnswer(inbound.partnerId, document, { ...dedupe, response: { ...response, orderId: null } });
    return { kind: 'processed', sets: outcomes, answer: response };
  });
}

/** The first answer to the same envelope, again: nothing stored, no control number taken. */
const repeat = (record: IdempotencyRecord): EnvelopeOutcome => ({
  kind: 'repeat',
  answer: { status: record.responseStatus, body: record.responseBody as string },
});

async function writeAnswer(
  tx: StoreTransaction,
  partnerId: string,
  writer: AnswerWriter,
  sets: SetOutcome[],
  inboundDocumentId: string | null,
): Promise<RenderedAnswer> {
  const render = await writer.prepare(sets, inboundDocumentId);
  // `taken` is the first number of each kind.
  return render(await tx.takeControlNumbers(partnerId, writer.controlNumbers));
}

/**
 * How many sets are stored together: their claims in one statement, their orders in another, their
 * plans in a third, so an interchange of 100,000 orders costs hundreds of round trips, not 300,000.
 */
const setBatch = 500;

async function storeSets(
  tx: StoreTransaction,
  inbound: EnvelopeInbound,
  sets: readonly EnvelopeSet[],
  documentId: string,
  planning: PlanningDeps,
): Promise<SetOutcome[]> {
  // Each set's answer is known before its order is written (the order's id is chosen here), so the
  // record is written once; a failure later rolls both back.
  const orderIds = sets.map(() => randomUUID());
  const claims = await tx.claimIdempotencyKeys(
    inbound.partnerId,
    sets.map((set, index) => {
      const orderId = orderIds[index] as string;
      return {
        scope: set.dedupe.scope,
        key: set.dedupe.key,
        requestHash: set.fingerprint,
        answer: { status: 201, body: { orderId }, orderId },
      };
    }),
  );
  const outcomes: SetOutcome[] = [];
  const fresh: { index: number; received: ReceivedOrder }[] = [];
  for (const [index, set] of sets.entries()) {
    const claim = claims[index] as IdempotencyRecord | 'claimed';
    if (claim === 'claimed') {
      fresh.push({ index, received: { orderId: orderIds[index] as string, order: set.order, eventDetail: { documentId } } });
      outcomes.push({ set });
    } else outcomes.push(claim.requestHash === set.fingerprint ? { set, repeatOf: claim.orderId } : { set, conflict: true });
  }
  // A reused PO number under a new control number is a new document, but people should look twice.
  const stored = await insertReceivedOrders(
    tx,
    { partnerId: inbound.partnerId, actor: inbound.actor, channel: inbound.channel, flagReusedRef: true },
    fresh.map((f) => f.received),
    planning,
  );
  fresh.forEach(({ index }, n) => {
    const { id, status } = stored[n] as StoredOrder;
    (outcomes[index] as SetOutcome).stored = { id, status };
  });
  return outcomes;
}
