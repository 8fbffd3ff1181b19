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
  type SecretSealer,
} from '../adapters/db/index.ts';
import { map850Problem } from '../adapters/x12/index.ts';
import { deadlineProblems, type PartnerDeadline } from '../domain/partner-deadlines.ts';
import type { X12Profile } from '../domain/partner-profile.ts';
import type { WorkingCalendar } from '../domain/working-calendar.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { operations } from './openapi.gen.ts';
import { ProblemError, type FieldError } from './problems.ts';
import { checkTargetUrls } from './target-urls.ts';

type ListQuery = NonNullable<operations['listPartners']['parameters']['query']>;
type IdParams = { id: string };
type KeyParams = { id: string; keyId: string };

type X12Body = PartnerPatch['x12'];

const flatPairFields = ['qualifier', 'id', 'ourQualifier', 'ourId'] as const;

/**
 * What the schema cannot say about an X12 identity: an X12 map that does not exist (refused here,
 * not by a 500 at the partner's first interchange), pairs given both as a list and flat, and the
 * same pair twice in the list.
 */
function checkX12(x12: X12Body): void {
  if (x12 === undefined) return;
  if (x12.profile !== undefined && x12.profile !== null) checkProfile(x12.profile);
  const problem = x12.map === undefined ? undefined : map850Problem(x12.map);
  if (problem !== undefined) throw new ProblemError('invalid-request', problem, [{ in: 'body', pointer: '/x12/map', detail: problem }]);
  const { identities } = x12;
  if (identities === undefined) return;
  const flat = flatPairFields.filter((field) => x12[field] !== undefined);
  if (flat.length > 0)
    throw new ProblemError(
      'invalid-request',
      'give the X12 pairs as identities or one pair flat, not both',
      flat.map((field) => ({ in: 'body' as const, pointer: `/x12/${field}`, detail: 'not allowed with identities' })),
    );
  const seen = new Map<string, number>();
  const repeats = identities.flatMap((pair, index) => {
    const key = JSON.stringify([pair.qualifier, pair.id, pair.ourQualifier, pair.ourId]);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    return first === undefined
      ? []
      : [{ in: 'body' as const, pointer: `/x12/identities/${index}`, detail: `repeats /x12/identities/${first}` }];
  });
  if (repeats.length > 0) throw new ProblemError('invalid-request', 'the same X12 pair is given twice', repeats);
}

/** What the schema cannot say about a guide profile: fields that only make sense together. */
function checkProfile(profile: X12Profile): void {
  const errors: FieldError[] = [];
  const at = (pointer: string, detail: string) => errors.push({ in: 'body', pointer: `/x12/profile${pointer}`, detail });
  if (profile.sscc === 'assign' && profile.gs1CompanyPrefix === undefined)
    at('/gs1CompanyPrefix', 'is required when sscc is assign: assigned SSCCs are made from it');
  for (const role of ['shipFrom', 'remitTo'] as const) {
    const party = profile[role];
    if (party === undefined) continue;
    if (party.idQualifier !== undefined && party.id === undefined)
      at(`/${role}/id`, 'is required with idQualifier (N103 and N104 go together)');
    if (party.id !== undefined && party.idQualifier === undefined)
      at(`/${role}/idQualifier`, 'is required with id (N103 and N104 go together)');
  }
  const { terms } = profile;
  if (terms?.discountPercent !== undefined && terms.discountDays === undefined)
    at('/terms/discountDays', 'is required with discountPercent: a discount is offered within a number of days');
  if (terms?.discountDays !== undefined && terms.discountPercent === undefined)
    at('/terms/discountPercent', 'is required with discountDays');
  if (errors.length > 0) throw new ProblemError('invalid-request', 'the X12 profile is incomplete', errors);
}

const identityInUse = (identity: 'x12' | 'cxml', pairIndex: number | undefined, listed: boolean): ProblemError => {
  const [what, pointer] =
    identity === 'cxml'
      ? ['cXML sender', '/cxml/fromIdentity']
      : [
          'X12 sender and receiver pair',
          !listed ? '/x12/id' : pairIndex === undefined ? '/x12/identities' : `/x12/identities/${pairIndex}`,
        ];
  return new ProblemError('identity-in-use', `this ${what} already belongs to another partner`, [
    { in: 'body', pointer, detail: 'already in use' },
  ]);
};

/**
 * What the schema cannot say of the deadlines: a duration the SLA rules take, a calendar that is
 * loaded, one per document, none a partner answered only in cXML could be sent. `identities`: the
 * partner's as they are after the change.
 */
function checkDeadlines(
  deadlines: readonly PartnerDeadline[] | undefined,
  calendars: ReadonlyMap<string, WorkingCalendar>,
  identities: { x12: boolean; cxml: boolean },
): void {
  if (deadlines === undefined) return;
  const problems = deadlineProblems(deadlines, calendars, identities);
  if (problems.length > 0)
    throw new ProblemError(
      'invalid-request',
      problems.length === 1 ? `deadline: ${(problems[0] as { detail: string }).detail}` : 'the deadlines have problems',
      problems.map((p) => ({ in: 'body' as const, pointer: p.pointer, detail: p.detail })),
    );
}

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

/** `secrets` seals the shared secret of ours a cXML partnership is given; `calendars` are those deadlines may name. */
export function partnerHandlers(
  db: Database,
  outbound: Outbound,
  secrets: SecretSealer,
  calendars: ReadonlyMap<string, WorkingCalendar> = new Map(),
) {
  return {
    async createPartner(request: FastifyRequest<{ Body: NewPartner }>, reply: FastifyReply) {
      checkX12(request.body.x12);
      checkDeadlines(request.body.deadlines, calendars, { x12: request.body.x12 !== undefined, cxml: request.body.cxml !== undefined });
      await checkTargetUrls(outbound.endpoints, endpointFields(request.body));
      const created = await createPartner(db, request.body, secrets);
      if (!created.ok)
        throw identityInUse(created.taken, created.pairIndex, request.body.x12 !== undefined && 'identities' in request.body.x12);
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
      checkX12(request.body.x12);
      if (request.body.deadlines !== undefined) {
        const before = await partnerOr404(db, request.params.id);
        checkDeadlines(request.body.deadlines, calendars, {
          x12: before.x12 !== undefined || request.body.x12 !== undefined,
          cxml: before.cxml !== undefined || request.body.cxml !== undefined,
        });
      }
      await checkTargetUrls(outbound.endpoints, endpointFields(request.body));
      const updated = await updatePartner(db, request.params.id, request.body, secrets);
      if (updated.ok) {
        request.log.info({ partnerId: updated.partner.id, fields: Object.keys(request.body) }, 'partner changed');
        return updated.partner;
      }
      if (updated.reason === 'not-found') throw new ProblemError('not-found', `partner ${request.params.id} does not exist`);
      if (updated.reason === 'taken') throw identityInUse(updated.identity, updated.pairIndex, request.body.x12?.identities !== undefined);
      if (updated.reason === 'ambiguous')
        throw new ProblemError(
          'invalid-request',
          `the partner has ${updated.pairs} X12 pairs, so one pair given flat does not say which: send identities, the whole list`,
          [{ in: 'body', pointer: '/x12/identities', detail: 'is required to change a partner with several pairs' }],
        );
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
