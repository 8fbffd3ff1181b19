import { randomUUID } from 'node:crypto';
import { ackStateOf, verdictFor, type DocumentAckState, type ReceivedAck } from '../domain/document-ack.ts';
import { documentAckOverdue } from '../domain/partner-events.ts';
import { deskDefaults, newWorkItem } from '../domain/work-item.ts';
import type { AcknowledgedDocument, DocumentRecord, OrderStore, StoreTransaction } from './ports.ts';

// A partner's acknowledgments of our documents (997/999, TA1): stored as the inbound document they
// are, matched to the outbound documents they are about, and the verdict recorded on each, all in
// one transaction. They are never answered: an acknowledgment is not acknowledged. The same
// interchange posted again is a repeat and changes nothing. And the other side of it: documents
// whose acknowledgment never came are marked overdue, each with its partner event.

export interface AcknowledgmentInbound {
  partnerId: string;
  /** Where a repeat of the interchange is recognised (sender + ISA13). */
  dedupe: { scope: string; key: string };
  fingerprint: string;
  document: DocumentRecord;
  acks: ReceivedAck[];
}

export interface AckMatch {
  ack: ReceivedAck;
  /** Our documents it was recorded on; empty when none of ours has that control number. */
  documentIds: string[];
}

export type AcknowledgmentOutcome =
  | { kind: 'recorded'; documentId: string; matches: AckMatch[] }
  /** The same interchange came before (same content): nothing changed. */
  | { kind: 'repeat' }
  /** Its control number came before with other content: stored nowhere, changed nothing. */
  | { kind: 'conflict' };

export async function reconcileAcknowledgments(store: OrderStore, inbound: AcknowledgmentInbound): Promise<AcknowledgmentOutcome> {
  return store.transaction(async (tx) => {
    const { dedupe } = inbound;
    const claim = await tx.claimWithDocument(inbound.partnerId, dedupe.scope, dedupe.key, inbound.fingerprint, inbound.document);
    if (!('documentId' in claim)) return claim.requestHash === inbound.fingerprint ? { kind: 'repeat' } : { kind: 'conflict' };
    const found = await documentsAcknowledged(tx, inbound.partnerId, inbound.acks);
    const matches: AckMatch[] = [];
    for (const ack of inbound.acks) matches.push({ ack, documentIds: await recordAck(tx, ack, found, claim.documentId) });
    // The claim's answer: nothing is sent back, and a repeat finds that here.
    await tx.completeIdempotencyKey(inbound.partnerId, dedupe.scope, dedupe.key, { status: 202, body: null, orderId: null });
    return { kind: 'recorded', documentId: claim.documentId, matches };
  });
}

/** A control number as compared: a partner may echo ISA13 or GS06 without its leading zeros. */
const controlKey = (controlNumber: string | undefined): string => (controlNumber ?? '').replace(/^0+/, '');

interface AcknowledgedByControl {
  groups: Map<string, AcknowledgedDocument[]>;
  interchanges: Map<string, AcknowledgedDocument[]>;
}

/** Every document the interchange's acknowledgments may point at, in two lookups in all. */
async function documentsAcknowledged(tx: StoreTransaction, partnerId: string, acks: ReceivedAck[]): Promise<AcknowledgedByControl> {
  const isaControlNumbers: string[] = [];
  const gsControlNumbers: string[] = [];
  for (const ack of acks)
    (ack.kind === 'TA1' ? isaControlNumbers : gsControlNumbers).push(ack.kind === 'TA1' ? ack.isaControlNumber : ack.gsControlNumber);
  // One object per document, whichever lookup found it: what one acknowledgment records, the next sees.
  const byId = new Map<string, AcknowledgedDocument>();
  const byControl = (documents: AcknowledgedDocument[], field: string) => {
    const map = new Map<string, AcknowledgedDocument[]>();
    for (const found of documents) {
      const document = byId.get(found.id) ?? found;
      byId.set(document.id, document);
      const key = controlKey(document.control[field]);
      const listed = map.get(key);
      if (listed === undefined) map.set(key, [document]);
      else listed.push(document);
    }
    return map;
  };
  return {
    interchanges: byControl(await tx.acknowledgedDocuments(partnerId, { isaControlNumbers }), 'isaControlNumber'),
    groups: byControl(await tx.acknowledgedDocuments(partnerId, { gsControlNumbers }), 'gsControlNumber'),
  };
}

async function recordAck(
  tx: StoreTransaction,
  ack: ReceivedAck,
  found: AcknowledgedByControl,
  inboundDocumentId: string,
): Promise<string[]> {
  if (ack.kind === 'TA1') {
    const documents = found.interchanges.get(controlKey(ack.isaControlNumber)) ?? [];
    const state = ackStateOf(ack.status);
    const recorded: string[] = [];
    for (const document of documents) {
      // A TA1 that accepts the envelope says nothing against a 997/999 already in about its content.
      if (state === 'accepted' && isFunctionalVerdict(document)) continue;
      await tx.recordAcknowledgment(document.id, state, { kind: 'TA1', inboundDocumentId, interchange: ack });
      await closeOverdue(tx, document, state);
      // What a later acknowledgment in the same interchange sees, as a fresh read would.
      document.ackState = state;
      recorded.push(document.id);
    }
    return recorded;
  }
  const documents = found.groups.get(controlKey(ack.gsControlNumber)) ?? [];
  for (const document of documents) {
    const verdict = verdictFor(ack, document.control.stControlNumber);
    const group = {
      functionalId: ack.functionalId,
      gsControlNumber: ack.gsControlNumber,
      status: ack.status,
      codes: ack.codes,
      counts: ack.counts,
    };
    const state = ackStateOf(verdict.status);
    await tx.recordAcknowledgment(document.id, state, { kind: ack.kind, inboundDocumentId, group, set: verdict });
    await closeOverdue(tx, document, state);
    document.ackState = state;
  }
  return documents.map((d) => d.id);
}

/** A document marked overdue that is acknowledged after all leaves the order desk's list. */
async function closeOverdue(tx: StoreTransaction, document: AcknowledgedDocument, state: DocumentAckState): Promise<void> {
  if (document.ackState !== 'overdue') return;
  await tx.closeWorkItems(
    { kind: 'overdue-ack', sourceId: document.id },
    { status: 'done', outcome: `acknowledged ${state}`, by: 'partner', at: new Date() },
  );
}

const isFunctionalVerdict = (document: AcknowledgedDocument): boolean => document.ackState !== null && document.ackState !== 'overdue';

/** How many documents one run marks at most; a full batch runs again at once. */
export const overdueBatch = 200;

/** Marks the documents whose acknowledgment was due by `now` and did not come, with an event each; true when there may be more. */
export async function markOverdueAcknowledgments(store: OrderStore, now: Date): Promise<{ marked: AcknowledgedDocument[]; more: boolean }> {
  return store.transaction(async (tx) => {
    const marked = await tx.markAcknowledgmentsOverdue(now, overdueBatch);
    for (const document of marked) await tx.enqueue(documentAckOverdue(document));
    // Someone calls the partner: the order desk's list gets each, off it when the acknowledgment comes after all.
    const desk = deskDefaults['overdue-ack'];
    await tx.openWorkItems(
      marked.map((document) =>
        newWorkItem(
          {
            id: randomUUID(),
            kind: 'overdue-ack',
            sourceId: document.id,
            orderId: document.orderId,
            partnerId: document.partnerId,
            title: `${document.type} ${Object.values(document.control).join('/')} not acknowledged by the partner (due ${document.ackDueAt?.toISOString() ?? '-'})`,
            assignees: [{ role: desk.role }],
            sla: desk.sla,
          },
          now,
        ),
      ),
    );
    return { marked, more: marked.length === overdueBatch };
  });
}
