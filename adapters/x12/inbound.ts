import type { CanonicalOrder } from '../../domain/order.ts';
import { sha256Hex } from '../../domain/sha256.ts';
import { storable } from '../../domain/text.ts';
import type { AnswerWriter, EnvelopeInbound, SetOutcome } from '../../pipeline/interchange.ts';
import type { DocumentRecord } from '../../pipeline/ports.ts';
import { interchangeNotes, setErrors } from './codes.ts';
import { element, GS, ISA, isaParties, ST } from './elements.ts';
import type { InterchangeOutcome } from './read.ts';
import { groupsNeeded, prepareAcknowledgment } from './respond.ts';

// One read interchange as the envelope pipeline takes it: its dedupe key (sender + receiver +
// ISA13: a partner numbers each partnership on its own; sender + SHA-256 of its bytes when it is
// refused whole), each accepted set's (sender + receiver + GS sender + GS06 + ST02), what was found
// wrong in it, its stored document (with the pair it came on), and the acknowledgment that answers
// it, or refuses it whole when its ISA13 came before with other content.

type Outcome = InterchangeOutcome<CanonicalOrder>;

const trim = (value: string | undefined): string => (value ?? '').trim();

export function interchangeInbound(outcome: Outcome, bytes: Uint8Array, partnerId: string): EnvelopeInbound {
  const { isa } = outcome;
  const { sender, receiver } = isaParties(isa);
  const pair = `${sender}/${receiver}`;
  const sha256 = sha256Hex(bytes);
  // A refusal is remembered by the interchange's very bytes, not its ISA13: the same bytes resent
  // get the same answer, another interchange under the same (bad) ISA13 its own.
  const refused = { scope: 'x12-refused', key: `${sender}/${sha256}` };
  const findings = outcome.groups
    .map((g) => ({ gs06: element(g.gs, GS.controlNumber), groupCodes: g.groupCodes, sets: g.sets.filter((s) => s.status !== 'A') }))
    .filter((g) => g.groupCodes.length > 0 || g.sets.length > 0);
  return {
    channel: 'x12',
    partnerId,
    actor: `partner:${partnerId}`,
    // Refused whole (TA1 R), the interchange does not use up its control number.
    dedupe: outcome.rejection === undefined ? { scope: 'x12-interchange', key: `${pair}/${element(isa, ISA.controlNumber)}` } : refused,
    refusedDedupe: refused,
    fingerprint: outcome.fingerprint,
    document: {
      channel: 'x12',
      type: setIdsOf(outcome) || 'ISA',
      contentType: 'application/edi-x12',
      body: bytes,
      sha256,
      control: { isaSender: sender, isaReceiver: receiver, isaControlNumber: storable(element(isa, ISA.controlNumber) ?? '') },
      ...(outcome.rejection === undefined && findings.length === 0
        ? {}
        : { findings: storableCopy({ interchange: outcome.rejection ?? null, groups: findings }) }),
    },
    // map850For has validated each order already.
    sets: outcome.accepted.map(({ value, gs, st, fingerprint }) => ({
      dedupe: {
        scope: 'x12-set',
        key: `${pair}/${element(gs, GS.senderApp)}/${element(gs, GS.controlNumber)}/${element(st, ST.controlNumber)}`,
      },
      fingerprint,
      order: value,
    })),
    answer: acknowledgment(outcome),
    // Same ISA13 from the same sender with other content: refused whole, TA1 code 025.
    refusal: acknowledgment({ ...outcome, rejection: interchangeNotes.duplicateControlNumber }),
  };
}

/** At most this many kinds name a document: its type is indexed, and an ST01 may be anything. */
const documentKindsNamed = 10;

/**
 * The kinds of set in the interchange, once each in the order they came ("850", "850+860"): only
 * ST01 values that can be one (three letters or digits), the first ten, "+…" when there are more.
 */
function setIdsOf(outcome: Outcome): string {
  const ids = new Set<string>();
  for (const group of outcome.groups)
    for (const set of group.sets) if (/^[A-Z0-9]{3}$/.test(set.st01) && ids.size <= documentKindsNamed) ids.add(set.st01);
  const named = Array.from(ids).slice(0, documentKindsNamed).join('+');
  return ids.size > documentKindsNamed ? `${named}+…` : named;
}

/** What was found wrong, as the database can hold it: refused values may hold a NUL. */
const storableCopy = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === 'string' ? storable(v) : v)) as T;

/** The TA1 and 997/999 for the interchange, stored with the control numbers it takes. */
function acknowledgment(outcome: Outcome): AnswerWriter {
  const needed = groupsNeeded(outcome);
  return {
    controlNumbers: needed === 0 ? { isa: 1 } : { isa: 1, gs: needed },
    async prepare(sets, inboundDocumentId) {
      refuseConflicts(outcome, sets);
      const finish = await prepareAcknowledgment(outcome);
      return (taken) => {
        const interchangeControl = taken.isa as number;
        const ack = finish({ interchangeControl, groupControl: taken.gs ?? 0, at: new Date() });
        const document: DocumentRecord = {
          direction: 'outbound',
          channel: 'x12',
          type: ack.kinds.join('+'),
          contentType: 'application/edi-x12',
          body: Buffer.from(ack.text),
          sha256: sha256Hex(ack.text),
          control: {
            isaControlNumber: String(interchangeControl).padStart(9, '0'),
            answers: storable(trim(element(outcome.isa, ISA.controlNumber))),
            ...(inboundDocumentId === null ? {} : { inboundDocumentId }),
          },
        };
        return { status: 200, body: ack.text, document };
      };
    },
  };
}

/**
 * A set whose control number came before with other content is refused on its own (AK5 code 23).
 * The outcomes are the accepted sets' in their order, so each finds its own finding, even when a
 * group repeats a set number.
 */
function refuseConflicts(outcome: Outcome, sets: SetOutcome[]): void {
  sets.forEach((set, index) => {
    const finding = outcome.accepted[index]?.finding;
    // Idempotent: a transaction retried after a deadlock writes its answer again.
    if (set.conflict === true && finding !== undefined && !finding.setCodes.includes(setErrors.duplicateControlNumber)) {
      finding.status = 'R';
      finding.setCodes.push(setErrors.duplicateControlNumber);
    }
  });
}
