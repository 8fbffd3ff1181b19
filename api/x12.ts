import type { FastifyReply, FastifyRequest } from 'fastify';
import { getPartnerX12, type Database } from '../adapters/db/index.ts';
import { guidesFor, interchangeInbound, map850For, readX12, senderCheck } from '../adapters/x12/index.ts';
import { runEnvelopePipeline } from '../pipeline/interchange.ts';
import type { PipelineDeps } from '../pipeline/runner.ts';
import { principalOf } from './auth.ts';
import { remembered } from './remember.ts';
import { ProblemError } from './problems.ts';

// The X12 channel over HTTP: read every interchange, hand each to the envelope pipeline, and
// answer with the acknowledgment interchanges, each stored before it is sent.

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
      if (identity === undefined)
        throw new ProblemError('no-x12-identity', 'register the partner\'s ISA identity (POST /v1/partners with "x12") before sending X12');
      const body = request.body;
      const { interchanges, unreadable } = readX12(body, {
        map: map850For(identity.map),
        guides: guidesFor(identity.map),
        checkSender: senderCheck(identity),
      });
      if (interchanges.length === 0) {
        const first = unreadable[0];
        throw new ProblemError(
          'x12-unreadable',
          first === undefined ? 'the body is empty' : `at byte ${first.offset}: ${first.reason} (starts with "${first.preview}")`,
        );
      }
      if (unreadable.length > 0) request.log.warn({ unreadable }, 'unreadable bytes between interchanges');

      const answers: string[] = [];
      for (const [index, outcome] of interchanges.entries()) {
        const end = interchanges[index + 1]?.offset ?? body.length;
        const inbound = interchangeInbound(outcome, body.subarray(outcome.offset, end), partnerId);
        const result = await runEnvelopePipeline(pipeline, inbound);
        if (result.kind === 'processed')
          request.log.info(
            { orders: result.sets.flatMap((s) => s.stored?.id ?? []), isa13: inbound.document.control.isaControlNumber },
            'x12 interchange processed',
          );
        answers.push(result.answer.body);
      }
      return reply.code(200).type('application/edi-x12').send(answers.join(''));
    },
  };
}
