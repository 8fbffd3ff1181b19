import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateCxml, type Database } from '../adapters/db/index.ts';
import {
  addressedToUs,
  checkIdentifiers,
  checkOrderRequest,
  cxmlResponse,
  describeTo,
  elementOf,
  mapOrderRequest,
  parseCxmlTextOffThread,
  readEnvelope,
  redactSecrets,
} from '../adapters/cxml/index.ts';
import { ok } from '../domain/result.ts';
import { runOrderPipeline, type PipelineDeps } from '../pipeline/runner.ts';
import { replyWithOutcome } from './outcome-reply.ts';

// The cXML channel over HTTP: no API key; the sender is found by Header/From and proven by the
// SharedSecret, read from the Header alone (a bounded prefix) before the rest of the document is
// scanned against the limits and parsed. Every answer is a cXML Response whose Status code says
// what happened, sent with the same HTTP status.

const cxmlType = 'text/xml; charset=utf-8';

export function cxmlHandlers(db: Database, pipeline: PipelineDeps, maxBytes: number) {
  return {
    async receiveCxml(request: FastifyRequest<{ Body: Buffer }>, reply: FastifyReply) {
      const answer = (code: number, detail: string) => reply.code(code).type(cxmlType).send(cxmlResponse(code, detail));
      const envelope = readEnvelope(request.body, maxBytes);
      if (!envelope.ok) return answer(envelope.failure.status, envelope.failure.text);
      const { header } = envelope.envelope;
      const { sender, from, payloadId } = header;
      if (sender === undefined) return answer(401, 'Header/Sender/Credential/SharedSecret is missing');
      let partner: Awaited<ReturnType<typeof authenticateCxml>>;
      for (const credential of from) {
        partner = partner ?? (await authenticateCxml(db, credential.domain, credential.identity, sender.sharedSecret));
      }
      if (partner === undefined) return answer(401, 'unknown sender or wrong shared secret');
      // Only after the secret: an unknown sender does not learn our credential. 406 as cXML has it
      // ("unacceptable, although it parsed correctly"): the sender is known, the address is not ours.
      const ours = partner.cxml.ourCredential;
      if (ours !== undefined && !addressedToUs(header, ours))
        return answer(
          406,
          `${describeTo(header)} is not our credential with this sender: address the document to ${ours.domain}/${ours.identity}`,
        );
      // Only an authenticated sender gets the whole document read: scanned against the limits, then parsed.
      const parsed = await parseCxmlTextOffThread(envelope.envelope.text);
      if (!parsed.ok) return answer(parsed.failure.status, parsed.failure.text);
      const problems = checkOrderRequest(parsed.tree);
      if (problems.length > 0) return answer(406, problems.join('; '));
      const tooLong = checkIdentifiers(parsed.tree);
      if (tooLong.length > 0) return answer(400, tooLong.join('; '));

      const { partnerId } = partner;
      const outcome = await runOrderPipeline(
        pipeline,
        {
          channel: 'cxml',
          partnerId,
          actor: `partner:${partnerId}`,
          // Networks resend a payload when they time out: the same payloadID gets the first answer.
          dedupe: { scope: 'cxml-payload', key: payloadId },
          documentType: 'OrderRequest',
          contentType: 'text/xml',
          // Stored and fingerprinted without the secret: a rotated secret does not make a resend new.
          body: redactSecrets(request.body),
          payload: parsed.tree,
          control: { payloadId },
        },
        {
          translate: (tree) => ok(mapOrderRequest(tree, payloadId)),
          respond: (stored) => ({ status: 200, body: cxmlResponse(200, `order ${stored.externalRef} accepted as ${stored.id}`) }),
        },
      );
      return replyWithOutcome(reply, outcome, {
        type: cxmlType,
        created: (_answer, orderId) => request.log.info({ orderId, payloadId }, 'cXML order stored'),
        keyReused: () => answer(409, `payloadID ${payloadId} was first used for a different document`),
        invalid: (problems) => answer(400, problems.map((p) => `${elementOf(p)}: ${p.detail}`).join('; ')),
      });
    },
  };
}
