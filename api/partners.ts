import type { FastifyReply, FastifyRequest } from 'fastify';
import { createPartner, createPartnerKey, getPartner, type Database, type NewPartner } from '../adapters/db/index.ts';
import { ProblemError } from './problems.ts';

export function partnerHandlers(db: Database) {
  return {
    async createPartner(request: FastifyRequest<{ Body: NewPartner }>, reply: FastifyReply) {
      const created = await createPartner(db, request.body);
      if (!created.ok) {
        const [what, pointer] = created.taken === 'x12' ? ['X12 sender', '/x12/id'] : ['cXML sender', '/cxml/fromIdentity'];
        throw new ProblemError('identity-in-use', `this ${what} already belongs to another partner`, [
          { in: 'body', pointer, detail: 'already in use' },
        ]);
      }
      const { partner } = created;
      request.log.info({ partnerId: partner.id }, 'partner created');
      return reply.code(201).header('location', `/v1/partners/${partner.id}`).send(partner);
    },

    async createPartnerKey(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
      const partner = await getPartner(db, request.params.id);
      if (partner === undefined) throw new ProblemError('not-found', `partner ${request.params.id} does not exist`);
      const { id, key } = await createPartnerKey(db, partner.id);
      request.log.info({ partnerId: partner.id, keyId: id }, 'partner key issued');
      return reply.code(201).header('cache-control', 'no-store').send({ id, partnerId: partner.id, key });
    },
  };
}
