import type { CanonicalOrder } from '../../domain/order.ts';
import { sha256Hex } from '../../domain/sha256.ts';
import { storable } from '../../domain/text.ts';
import type { AnswerWriter, EnvelopeInbound, SetOutcome } from '../../pipeline/interchange.ts';
import type { DocumentRecord } from '../../pipeline/ports.ts';
import { interchangeNotes, setErrors } from './codes.ts';
import { element, GS, ISA, isaParties, ST } from './elements.ts';
import type { InterchangeOutcome } from './read.ts';
import { acknowledge, groupsNeeded } from './respond.ts';

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
      type: [...new Set(outcome.groups.flatMap((g) => g.sets.map((s) => storable(s.st01))))].join('+') || 'ISA',
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

/** What was found wrong, as the database can hold it: refused values may hold a NUL. */
const storableCopy = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === 'string' ? storable(v) : v)) as T;

/** The TA1 and 997/999 for the interchange, stored with the control numbers it takes. */
function acknowledgment(outcome: Outcome): AnswerWriter {
  const needed = groupsNeeded(outcome);
  return {
    controlNumbers: needed === 0 ? { isa: 1 } : { isa: 1, gs: needed },
    render(taken, sets, inboundDocumentId) {
      refuseConflicts(outcome, sets);
      const interchangeControl = taken.isa as number;
      const ack = acknowledge(outcome, { interchangeControl, groupControl: taken.gs ?? 0, at: new Date() });
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
    },
  };
}

/** A set whose control number came before with other content is refused on its own (AK5 code 23). */
function refuseConflicts(outcome: Outcome, sets: SetOutcome[]): void {
  for (const set of sets.filter((s) => s.conflict === true)) {
    const { gsControlNumber, stControlNumber } = set.set.order.envelope ?? {};
    const finding = outcome.groups
      .find((g) => element(g.gs, GS.controlNumber) === gsControlNumber)
      ?.sets.find((f) => f.st02 === stControlNumber);
    // Idempotent: a transaction retried after a deadlock writes its answer again.
    if (finding !== undefined && !finding.setCodes.includes(setErrors.duplicateControlNumber)) {
      finding.status = 'R';
      finding.setCodes.push(setErrors.duplicateControlNumber);
    }
  }
}
