import type { FastifyReply, FastifyRequest } from 'fastify';
import { getPartnerX12, type Database } from '../adapters/db/index.ts';
import { acknowledge, groupsNeeded, interchangeNotes, map850For, readX12, senderCheck, setErrors, type InterchangeOutcome } from '../adapters/x12/index.ts';
import type { CanonicalOrder } from '../domain/order.ts';
import { runEnvelopePipeline, type RenderedAnswer, type SetOutcome } from '../pipeline/interchange.ts';
import type { PipelineDeps } from '../pipeline/runner.ts';
import type { DocumentRecord, StoreTransaction } from '../pipeline/ports.ts';
import { principalOf } from './auth.ts';
import { remembered } from './remember.ts';
import { ProblemError } from './problems.ts';

// The X12 channel over HTTP: read every interchange, store the orders of accepted sets, and
// answer with the acknowledgment interchanges, each stored before it is sent.

import { sha256Hex as sha256 } from '../domain/sha256.ts';
const trim = (value: string | undefined): string => (value ?? '').trim();

async function answerInterchange(
  tx: StoreTransaction,
  partnerId: string,
  outcome: InterchangeOutcome<CanonicalOrder>,
  sets: SetOutcome[],
  inboundDocumentId: string | null,
): Promise<RenderedAnswer> {
  // A set whose control number came before with other content is refused on its own (AK5 code 23).
  for (const set of sets.filter((s) => s.conflict === true)) {
    const { gsControlNumber, stControlNumber } = set.set.order.envelope ?? {};
    const finding = outcome.groups.find((g) => g.gs.elements[5] === gsControlNumber)?.sets.find((f) => f.st02 === stControlNumber);
    if (finding !== undefined) {
      finding.status = 'R';
      finding.setCodes.push(setErrors.duplicateControlNumber);
    }
  }
  const needed = groupsNeeded(outcome);
  const taken = await tx.takeControlNumbers(partnerId, needed === 0 ? { isa: 1 } : { isa: 1, gs: needed });
  const interchangeControl = taken.isa as number;
  const groupControl = taken.gs ?? 0;
  const ack = acknowledge(outcome, { interchangeControl, groupControl, at: new Date() });
  const document: DocumentRecord = {
    direction: 'outbound',
    channel: 'x12',
    type: ack.kinds.join('+'),
    contentType: 'application/edi-x12',
    body: Buffer.from(ack.text),
    sha256: sha256(ack.text),
    control: { isaControlNumber: String(interchangeControl).padStart(9, '0'), answers: trim(outcome.isa.elements[12]), ...(inboundDocumentId === null ? {} : { inboundDocumentId }) },
  };
  return { status: 200, body: ack.text, document };
}

export function x12Handlers(db: Database, pipeline: PipelineDeps) {
  // A partner sending interchanges back to back is looked up once in a while, not every time.
  const identityOf = remembered((partnerId: string) => getPartnerX12(db, partnerId), { ttlMs: 10_000, max: 10_000, keep: (identity) => identity !== undefined });
  return {
    async receiveX12(request: FastifyRequest<{ Body: Buffer }>, reply: FastifyReply) {
      const { partnerId } = principalOf(request);
      if (partnerId === null) throw new ProblemError('forbidden', 'X12 is sent with the partner\'s own key');
      const identity = await identityOf(partnerId);
      if (identity === undefined) throw new ProblemError('no-x12-identity', 'register the partner\'s ISA identity (POST /v1/partners with "x12") before sending X12');
      const body = request.body;
      const { interchanges, unreadable } = readX12(body, { map: map850For(identity.map), checkSender: senderCheck(identity) });
      if (interchanges.length === 0) {
        const first = unreadable[0];
        throw new ProblemError('x12-unreadable', first === undefined ? 'the body is empty' : `at byte ${first.offset}: ${first.reason} (starts with "${first.preview}")`);
      }
      if (unreadable.length > 0) request.log.warn({ unreadable }, 'unreadable bytes between interchanges');

      const answers: string[] = [];
      for (const [index, outcome] of interchanges.entries()) {
        const end = interchanges[index + 1]?.offset ?? body.length;
        const bytes = body.subarray(outcome.offset, end);
        const sender = `${outcome.isa.elements[4]}/${trim(outcome.isa.elements[5])}`;
        const findings = outcome.groups.map((g) => ({ gs06: g.gs.elements[5], groupCodes: g.groupCodes, sets: g.sets.filter((s) => s.status !== 'A') })).filter((g) => g.groupCodes.length > 0 || g.sets.length > 0);
        const result = await runEnvelopePipeline(
          pipeline,
          {
            channel: 'x12',
            partnerId,
            actor: `partner:${partnerId}`,
            ...(outcome.rejection === undefined ? { dedupe: { scope: 'x12-interchange', key: `${sender}/${outcome.isa.elements[12]}` } } : {}),
            fingerprint: outcome.fingerprint,
            document: {
              channel: 'x12',
              type: [...new Set(outcome.groups.flatMap((g) => g.sets.map((s) => s.st01)))].join('+') || 'ISA',
              contentType: 'application/edi-x12',
              body: bytes,
              sha256: sha256(bytes),
              control: { isaSender: sender, isaControlNumber: outcome.isa.elements[12] ?? '' },
              ...(outcome.rejection === undefined && findings.length === 0 ? {} : { findings: { interchange: outcome.rejection ?? null, groups: findings } }),
            },
            // map850For has validated each order already.
            sets: outcome.accepted.map(({ value, gs, st, fingerprint }) => ({ dedupe: { scope: 'x12-set', key: `${gs.elements[1]}/${gs.elements[5]}/${st.elements[1]}` }, fingerprint, order: value })),
          },
          (tx, sets, documentId) => answerInterchange(tx, partnerId, outcome, sets, documentId),
        );
        if (result.kind === 'key-reused') {
          // Same ISA13 from the same sender with other content: refused whole, TA1 code 025.
          const refused = { ...outcome, rejection: interchangeNotes.duplicateControlNumber };
          const answer = await pipeline.store.transaction(async (tx) => {
            const rendered = await answerInterchange(tx, partnerId, refused, [], null);
            await tx.storeAnswer(partnerId, rendered.document);
            return rendered;
          });
          answers.push(answer.body);
        } else {
          if (result.kind === 'processed') request.log.info({ orders: result.sets.flatMap((s) => s.stored?.id ?? []), isa13: outcome.isa.elements[12] }, 'x12 interchange processed');
          answers.push(result.answer.body);
        }
      }
      return reply.code(200).type('application/edi-x12').send(answers.join(''));
    },
  };
}
