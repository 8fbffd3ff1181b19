import { randomUUID } from 'node:crypto';
import type { CanonicalOrder, Channel, StoredOrder } from '../domain/order.ts';
import type { DocumentRecord, IdempotencyRecord, OrderStore, StageTimer, StoreTransaction } from './ports.ts';
import { untimed } from './ports.ts';
import { inDistinctRounds } from './distinct-rounds.ts';
import type { IntakeGroups } from './intake-groups.ts';
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

export type EnvelopeDeps = PlanningDeps & { store: OrderStore; timer?: StageTimer; groups?: IntakeGroups };

/** One envelope: with others that arrive meanwhile when the deps group them, else alone. */
export function runEnvelopePipeline(deps: EnvelopeDeps, inbound: EnvelopeInbound): Promise<EnvelopeOutcome> {
  if (deps.groups !== undefined) return deps.groups.envelope(inbound);
  return runEnvelopeGroup(deps, [inbound]).then((outcomes) => outcomes[0] as EnvelopeOutcome);
}

/**
 * Envelopes of any partners in one transaction, each kind of row written for all of them with one
 * statement: the claims with their documents, the sets' claims and orders (500 at a
 * time), the 997 deadlines met, every answer's control numbers, the answers. Two envelopes of one
 * key are taken in turn (the later sees the earlier's answer), as if they had come one by one.
 */
export async function runEnvelopeGroup(deps: EnvelopeDeps, inbounds: readonly EnvelopeInbound[]): Promise<EnvelopeOutcome[]> {
  return deps.store.transaction((tx) =>
    inDistinctRounds(
      inbounds,
      (inbound) => `${inbound.partnerId}\u0000${inbound.dedupe.scope}\u0000${inbound.dedupe.key}`,
      (round) => runRound(tx, deps, round),
    ),
  );
}

/** An answer to write once the group's control numbers are taken. */
interface PendingAnswer {
  index: number;
  inbound: EnvelopeInbound;
  writer: AnswerWriter;
  sets: SetOutcome[];
  documentId: string | null;
  dedupe: { scope: string; key: string };
  kind: 'processed' | 'refused';
}

async function runRound(tx: StoreTransaction, deps: EnvelopeDeps, inbounds: readonly EnvelopeInbound[]): Promise<EnvelopeOutcome[]> {
  const time = deps.timer ?? untimed;
  // The claims and the envelopes' documents in one round trip; a repeat stores nothing.
  const claims = await time('dedupe', () =>
    tx.claimWithDocuments(
      inbounds.map((inbound) => ({
        partnerId: inbound.partnerId,
        scope: inbound.dedupe.scope,
        key: inbound.dedupe.key,
        requestHash: inbound.fingerprint,
        document: inbound.document,
      })),
    ),
  );
  const outcomes: EnvelopeOutcome[] = [];
  const answers: PendingAnswer[] = [];
  const fresh: { index: number; documentId: string }[] = [];
  for (const [index, inbound] of inbounds.entries()) {
    const claim = claims[index] as IdempotencyRecord | { documentId: string };
    if ('documentId' in claim) {
      fresh.push({ index, documentId: claim.documentId });
      continue;
    }
    if (claim.requestHash === inbound.fingerprint) {
      outcomes[index] = repeat(claim);
      continue;
    }
    // The key came before with other content: refused whole, and the refusal remembered by content.
    const { refusedDedupe } = inbound;
    const before = await tx.claimIdempotencyKey(inbound.partnerId, refusedDedupe.scope, refusedDedupe.key, inbound.fingerprint);
    if (before !== 'claimed') outcomes[index] = repeat(before);
    else answers.push({ index, inbound, writer: inbound.refusal, sets: [], documentId: null, dedupe: refusedDedupe, kind: 'refused' });
  }

  const stored = await storeEnvelopeSets(
    tx,
    deps,
    fresh.map(({ index, documentId }) => ({ inbound: inbounds[index] as EnvelopeInbound, documentId })),
  );
  // The 997/999 is written in this transaction with the orders, so a partner's 997 deadline is met
  // as they are stored (before the answers, which are to stay the last statement).
  const storedIds: string[] = [];
  for (const sets of stored) for (const outcome of sets) if (outcome.stored !== undefined) storedIds.push(outcome.stored.id);
  await tx.meetDeadlines(storedIds, '997');
  fresh.forEach(({ index, documentId }, n) => {
    const inbound = inbounds[index] as EnvelopeInbound;
    answers.push({
      index,
      inbound,
      writer: inbound.answer,
      sets: stored[n] as SetOutcome[],
      documentId,
      dedupe: inbound.dedupe,
      kind: 'processed',
    });
  });
  if (answers.length === 0) return outcomes;

  // Written before the control numbers are taken: their counter rows stay locked until commit, so
  // the numbers and the answers are the last two statements.
  const renders: ((taken: Record<string, number>) => RenderedAnswer)[] = [];
  for (const answer of answers) renders.push(await answer.writer.prepare(answer.sets, answer.documentId));
  const taken = await tx.takeControlNumbersFor(
    answers.map(({ inbound, writer }) => ({ partnerId: inbound.partnerId, counts: writer.controlNumbers })),
  );
  const rendered = renders.map((render, n) => render(taken[n] as Record<string, number>));
  await tx.storeAnswers(
    answers.map(({ inbound, dedupe }, n) => {
      const { document, status, body } = rendered[n] as RenderedAnswer;
      return { partnerId: inbound.partnerId, document, idempotency: { ...dedupe, response: { status, body, orderId: null } } };
    }),
  );
  answers.forEach(({ index, kind, sets }, n) => {
    const { status, body } = rendered[n] as RenderedAnswer;
    outcomes[index] = kind === 'processed' ? { kind, sets, answer: { status, body } } : { kind, answer: { status, body } };
  });
  return outcomes;
}

/** The first answer to the same envelope, again: nothing stored, no control number taken. */
const repeat = (record: IdempotencyRecord): EnvelopeOutcome => ({
  kind: 'repeat',
  answer: { status: record.responseStatus, body: record.responseBody as string },
});

/**
 * How many sets are stored together: their claims in one statement, their orders in another, their
 * plans in a third, so an interchange of 100,000 orders costs hundreds of round trips, not 300,000.
 */
const setBatch = 500;

/** One set of an envelope, with where it came from. */
interface PlacedSet {
  envelope: number;
  position: number;
  set: EnvelopeSet;
  inbound: EnvelopeInbound;
  documentId: string;
}

/**
 * The sets of new envelopes, whoever sent them, stored `setBatch` at a time: each envelope's set
 * outcomes in its sets' order.
 */
async function storeEnvelopeSets(
  tx: StoreTransaction,
  deps: EnvelopeDeps,
  envelopes: readonly { inbound: EnvelopeInbound; documentId: string }[],
): Promise<SetOutcome[][]> {
  const time = deps.timer ?? untimed;
  const outcomes: SetOutcome[][] = envelopes.map(() => []);
  const sets: PlacedSet[] = [];
  envelopes.forEach(({ inbound, documentId }, envelope) => {
    for (const [position, set] of inbound.sets.entries()) sets.push({ envelope, position, set, inbound, documentId });
  });
  for (let start = 0; start < sets.length; start += setBatch) {
    const batch = sets.slice(start, start + setBatch);
    const stored = await time('store', () => storeSets(tx, batch, deps));
    batch.forEach(({ envelope, position }, n) => {
      (outcomes[envelope] as SetOutcome[])[position] = stored[n] as SetOutcome;
    });
  }
  return outcomes;
}

async function storeSets(tx: StoreTransaction, sets: readonly PlacedSet[], planning: PlanningDeps): Promise<SetOutcome[]> {
  // Each set's answer is known before its order is written (the order's id is chosen here), so the
  // record is written once; a failure later rolls both back.
  const orderIds = sets.map(() => randomUUID());
  const claims = await tx.claimIdempotencyKeys(
    sets.map(({ set, inbound }, index) => {
      const orderId = orderIds[index] as string;
      return {
        partnerId: inbound.partnerId,
        scope: set.dedupe.scope,
        key: set.dedupe.key,
        requestHash: set.fingerprint,
        answer: { status: 201, body: { orderId }, orderId },
      };
    }),
  );
  const outcomes: SetOutcome[] = [];
  const fresh: { index: number; received: ReceivedOrder }[] = [];
  for (const [index, { set, inbound, documentId }] of sets.entries()) {
    const claim = claims[index] as IdempotencyRecord | 'claimed';
    if (claim === 'claimed') {
      // A reused PO number under a new control number is a new document, but people should look twice.
      const from = { partnerId: inbound.partnerId, actor: inbound.actor, channel: inbound.channel, flagReusedRef: true };
      fresh.push({ index, received: { from, orderId: orderIds[index] as string, order: set.order, eventDetail: { documentId } } });
      outcomes.push({ set });
    } else outcomes.push(claim.requestHash === set.fingerprint ? { set, repeatOf: claim.orderId } : { set, conflict: true });
  }
  const stored = await insertReceivedOrders(
    tx,
    fresh.map((f) => f.received),
    planning,
  );
  fresh.forEach(({ index }, n) => {
    const { id, status } = stored[n] as StoredOrder;
    (outcomes[index] as SetOutcome).stored = { id, status };
  });
  return outcomes;
}
