import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Outbound } from '../adapters/http/index.ts';
import {
  createPartner,
  createPartnerKey,
  getPartner,
  listApiKeys,
  listPartners,
  revokeApiKey,
  updatePartner,
  type Database,
  type NewPartner,
  type Partner,
  type PartnerPatch,
} from '../adapters/db/index.ts';
import { map850Problem } from '../adapters/x12/index.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { operations } from './openapi.gen.ts';
import { ProblemError } from './problems.ts';
import { checkTargetUrls } from './target-urls.ts';

type ListQuery = NonNullable<operations['listPartners']['parameters']['query']>;
type IdParams = { id: string };
type KeyParams = { id: string; keyId: string };

/** An X12 map that does not exist is refused here, not by a 500 at the partner's first interchange. */
function checkMap(map: string | undefined): void {
  if (map === undefined) return;
  const problem = map850Problem(map);
  if (problem !== undefined) throw new ProblemError('invalid-request', problem, [{ in: 'body', pointer: '/x12/map', detail: problem }]);
}

const identityInUse = (identity: 'x12' | 'cxml'): ProblemError => {
  const [what, pointer] = identity === 'x12' ? ['X12 sender', '/x12/id'] : ['cXML sender', '/cxml/fromIdentity'];
  return new ProblemError('identity-in-use', `this ${what} already belongs to another partner`, [
    { in: 'body', pointer, detail: 'already in use' },
  ]);
};

async function partnerOr404(db: Database, id: string): Promise<Partner> {
  const partner = await getPartner(db, id);
  if (partner === undefined) throw new ProblemError('not-found', `partner ${id} does not exist`);
  return partner;
}

/** Where the partner's documents are pushed: checked by the outbound policy before they are stored. */
const endpointFields = (body: { x12?: { endpointUrl?: string | null }; cxml?: { confirmationUrl?: string | null } }) => [
  { pointer: '/x12/endpointUrl', url: body.x12?.endpointUrl },
  { pointer: '/cxml/confirmationUrl', url: body.cxml?.confirmationUrl },
];

export function partnerHandlers(db: Database, outbound: Outbound) {
  return {
    async createPartner(request: FastifyRequest<{ Body: NewPartner }>, reply: FastifyReply) {
      checkMap(request.body.x12?.map);
      await checkTargetUrls(outbound.endpoints, endpointFields(request.body));
      const created = await createPartner(db, request.body);
      if (!created.ok) throw identityInUse(created.taken);
      const { partner } = created;
      request.log.info({ partnerId: partner.id }, 'partner created');
      return reply.code(201).header('location', `/v1/partners/${partner.id}`).send(partner);
    },

    async listPartners(request: FastifyRequest<{ Querystring: ListQuery }>) {
      const { q, limit, cursor } = request.query;
      const position = cursor === undefined ? undefined : decodeCursor(cursor);
      const page = await listPartners(db, {
        limit: limit ?? 50,
        ...(q === undefined ? {} : { q }),
        ...(position === undefined ? {} : { cursor: { createdAt: position.at, id: position.id } }),
      });
      const next = page.next === undefined ? {} : { nextCursor: encodeCursor({ at: page.next.createdAt, id: page.next.id }) };
      return { partners: page.partners, ...next };
    },

    async getPartner(request: FastifyRequest<{ Params: IdParams }>) {
      return partnerOr404(db, request.params.id);
    },

    async updatePartner(request: FastifyRequest<{ Params: IdParams; Body: PartnerPatch }>) {
      checkMap(request.body.x12?.map);
      await checkTargetUrls(outbound.endpoints, endpointFields(request.body));
      const updated = await updatePartner(db, request.params.id, request.body);
      if (updated.ok) {
        request.log.info({ partnerId: updated.partner.id, fields: Object.keys(request.body) }, 'partner changed');
        return updated.partner;
      }
      if (updated.reason === 'not-found') throw new ProblemError('not-found', `partner ${request.params.id} does not exist`);
      if (updated.reason === 'taken') throw identityInUse(updated.identity);
      throw new ProblemError(
        'invalid-request',
        `the partner has no ${updated.identity === 'x12' ? 'X12' : 'cXML'} identity yet: a new one needs ${updated.missing.join(', ')}`,
        updated.missing.map((field) => ({
          in: 'body' as const,
          pointer: `/${updated.identity}/${field}`,
          detail: 'is required for a new identity',
        })),
      );
    },

    async createPartnerKey(request: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply) {
      const partner = await partnerOr404(db, request.params.id);
      const { id, key } = await createPartnerKey(db, partner.id);
      request.log.info({ partnerId: partner.id, keyId: id }, 'partner key issued');
      return reply.code(201).header('cache-control', 'no-store').send({ id, partnerId: partner.id, key });
    },

    async listPartnerKeys(request: FastifyRequest<{ Params: IdParams }>) {
      const partner = await partnerOr404(db, request.params.id);
      return { keys: await listApiKeys(db, { partnerId: partner.id }) };
    },

    async revokePartnerKey(request: FastifyRequest<{ Params: KeyParams }>, reply: FastifyReply) {
      const { id, keyId } = request.params;
      if (!(await revokeApiKey(db, { partnerId: id }, keyId))) throw new ProblemError('not-found', `partner ${id} has no key ${keyId}`);
      request.log.info({ partnerId: id, keyId }, 'partner key revoked');
      return reply.code(204).send();
    },
  };
}
