import type { FastifyReply, FastifyRequest } from 'fastify';
import { deleteItemReference, getPartner, listItemReferences, personHasRole, type Database } from '../adapters/db/index.ts';
import { lookup } from '../domain/catalog.ts';
import { addItemReferences } from '../pipeline/item-resolution.ts';
import type { PipelineDeps } from '../pipeline/runner.ts';
import { principalOf } from './auth.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { operations } from './openapi.gen.ts';
import { ProblemError } from './problems.ts';

// A partner's cross-references (its item number → our SKU). Adding them resumes the partner's held
// orders that they resolve, in the same transaction.

type ListQuery = NonNullable<operations['listItemReferences']['parameters']['query']>;
type AddBody = operations['addItemReferences']['requestBody']['content']['application/json'];
type IdParams = { id: string };

/** Item order has no timestamp: the cursor's time is a fixed one, its id the last item number. */
const cursorTime = new Date(0).toISOString();

async function partnerOr404(db: Database, id: string): Promise<void> {
  if ((await getPartner(db, id)) === undefined) throw new ProblemError('not-found', `partner ${id} does not exist`);
}

export function itemReferenceHandlers(db: Database, pipeline: PipelineDeps) {
  const { catalog } = pipeline;
  return {
    async listItemReferences(request: FastifyRequest<{ Params: IdParams; Querystring: ListQuery }>) {
      const { id } = request.params;
      const { prefix, cursor, limit = 100 } = request.query;
      await partnerOr404(db, id);
      const after = cursor === undefined ? undefined : decodeCursor(cursor).id;
      const references = await listItemReferences(db, id, {
        limit: limit + 1,
        ...(after === undefined ? {} : { after }),
        ...(prefix === undefined ? {} : { prefix }),
      });
      const page = references.slice(0, limit);
      const last = page.at(-1);
      return references.length > limit && last !== undefined
        ? { references: page, nextCursor: encodeCursor({ at: cursorTime, id: last.partnerItem }) }
        : { references: page };
    },

    async addItemReferences(request: FastifyRequest<{ Params: IdParams; Body: AddBody }>) {
      const { id } = request.params;
      const { references } = request.body;
      // A reference to a SKU the catalog cannot plan would resolve a line only to hold it again.
      const unplannable = references.flatMap((reference, index) =>
        lookup(catalog.skus, reference.sku) === undefined && catalog.default === undefined
          ? [{ in: 'body' as const, pointer: `/references/${index}/sku`, detail: `SKU "${reference.sku}" is not in the catalog` }]
          : [],
      );
      if (unplannable.length > 0)
        throw new ProblemError('invalid-request', 'a cross-reference must name a SKU the catalog has a plan for', unplannable);
      const seen = new Map<string, number>();
      const repeated = references.flatMap((reference, index) => {
        const first = seen.get(reference.partnerItem);
        seen.set(reference.partnerItem, first ?? index);
        return first === undefined
          ? []
          : [{ in: 'body' as const, pointer: `/references/${index}/partnerItem`, detail: `also given at /references/${first}` }];
      });
      if (repeated.length > 0) throw new ProblemError('invalid-request', 'each item number may be given once', repeated);
      const principal = principalOf(request);
      if (principal.role === 'person' && !(await personHasRole(db, principal.personId, 'order-desk')))
        throw new ProblemError('forbidden', 'cross-references are added by the admin or a person of the order desk (role order-desk)');
      await partnerOr404(db, id);
      const outcome = await addItemReferences(pipeline.store, pipeline, id, references);
      request.log.info({ partnerId: id, stored: outcome.stored, resumed: outcome.resumed.length }, 'item references added');
      return { stored: outcome.stored, resumed: outcome.resumed, stillHeld: outcome.stillHeld.length };
    },

    async deleteItemReference(request: FastifyRequest<{ Params: IdParams & { partnerItem: string } }>, reply: FastifyReply) {
      const { id, partnerItem } = request.params;
      if (!(await deleteItemReference(db, id, partnerItem)))
        throw new ProblemError('not-found', `partner ${id} has no cross-reference for item ${partnerItem}`);
      return reply.code(204).send();
    },
  };
}
