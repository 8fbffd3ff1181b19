import type { FastifyReply, FastifyRequest } from 'fastify';
import { getPartnerX12, type Database } from '../adapters/db/index.ts';
import { acknowledgmentInbound, guidesFor, interchangeInbound, map850For, readX12InSlices, senderCheck } from '../adapters/x12/index.ts';
import { reconcileAcknowledgments } from '../pipeline/acknowledgments.ts';
import { runEnvelopePipeline } from '../pipeline/interchange.ts';
import type { PipelineDeps } from '../pipeline/runner.ts';
import { principalOf } from './auth.ts';
import { remembered } from './remember.ts';
import { ProblemError } from './problems.ts';

// The X12 channel over HTTP: read every interchange, hand each to the envelope pipeline, and
// answer with the acknowledgment interchanges, each stored before it is sent. An interchange that
// holds only acknowledgments of our documents (997/999, TA1) is reconciled with them and never
// answered: a body of nothing but those is answered 202 with no body.

/** How many of an interchange's new orders (or unreadable stretches) a log line names: a log line has a bounded size. */
const loggedOrders = 20;

export function x12Handlers(db: Database, pipeline: PipelineDeps) {
  // A partner sending interchanges back to back is looked up once in a while, not every time.
  const identityOf = remembered((partnerId: string) => getPartnerX12(db, partnerId), {
    ttlMs: 10_000,
    max: 10_000,
    keep: (identity) => identity !== undefined,
  });
  return {
    async receiveX12(request: FastifyRequest<{ Body: Buffer }>, reply: FastifyReply) {
      const { partnerId } = principalOf(request);
      if (partnerId === null) throw new ProblemError('forbidden', "X12 is sent with the partner's own key");
      const identity = await identityOf(partnerId);
      if (identity === undefined || identity.identities.length === 0)
        throw new ProblemError('no-x12-identity', 'register the partner\'s ISA identity (POST /v1/partners with "x12") before sending X12');
      const body = request.body;
      // The key names the partner; the ISA must come on one of its pairs (sender, receiver).
      const checkSender = senderCheck(identity.identities);
      // In slices: a body of 100,000 sets does not hold the server while it is read.
      const { interchanges, unreadable } = await readX12InSlices(body, {
        map: map850For(identity.map),
        guides: guidesFor(identity.map),
        checkSender,
      });
      if (interchanges.length === 0) {
        const first = unreadable[0];
        throw new ProblemError(
          'x12-unreadable',
          first === undefined ? 'the body is empty' : `at byte ${first.offset}: ${first.reason} (starts with "${first.preview}")`,
        );
      }
      if (unreadable.length > 0)
        request.log.warn(
          { unreadable: unreadable.slice(0, loggedOrders), count: unreadable.length },
          'unreadable bytes between interchanges',
        );

      const answers: string[] = [];
      for (const [index, outcome] of interchanges.entries()) {
        const end = interchanges[index + 1]?.offset ?? body.length;
        const bytes = body.subarray(outcome.offset, end);
        const acknowledgments = acknowledgmentInbound(outcome, bytes, partnerId, checkSender);
        if (acknowledgments !== undefined) {
          const reconciled = await reconcileAcknowledgments(pipeline.store, acknowledgments);
          if (reconciled.kind === 'recorded') {
            const unmatched = reconciled.matches.filter((m) => m.documentIds.length === 0).map((m) => m.ack);
            request.log.info(
              { documentId: reconciled.documentId, matched: reconciled.matches.flatMap((m) => m.documentIds) },
              'x12 acknowledgments reconciled',
            );
            if (unmatched.length > 0)
              request.log.warn({ documentId: reconciled.documentId, unmatched }, 'x12 acknowledgments of no document of ours');
          } else if (reconciled.kind === 'conflict') {
            request.log.warn(
              { isa13: acknowledgments.document.control.isaControlNumber },
              'x12 acknowledgments under a control number used before with other content: ignored',
            );
          }
          continue;
        }
        const inbound = interchangeInbound(outcome, bytes, partnerId);
        const result = await runEnvelopePipeline(pipeline, inbound);
        if (result.kind === 'processed') {
          // A log line of bounded size: the count, and the first orders' ids to look them up by.
          const stored = result.sets.filter((s) => s.stored !== undefined);
          request.log.info(
            {
              stored: stored.length,
              orders: stored.slice(0, loggedOrders).map((s) => s.stored?.id),
              isa13: inbound.document.control.isaControlNumber,
            },
            'x12 interchange processed',
          );
        }
        answers.push(result.answer.body);
      }
      // Acknowledgments alone: accepted, and nothing to say back (a 997 is never answered).
      if (answers.length === 0) return reply.code(202).send();
      return reply.code(200).type('application/edi-x12').send(answers.join(''));
    },
  };
}
