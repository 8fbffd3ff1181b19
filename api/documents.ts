import type { FastifyReply, FastifyRequest } from 'fastify';
import { getDocumentBody, getDocumentSummary, listDocuments, type Database, type DocumentFilter } from '../adapters/db/index.ts';
import { principalOf } from './auth.ts';
import { ProblemError } from './problems.ts';

export function documentHandlers(db: Database) {
  return {
    async listDocuments(request: FastifyRequest<{ Querystring: Partial<DocumentFilter> }>) {
      const { direction, type, after, limit } = request.query;
      const documents = await listDocuments(
        db,
        { partnerId: principalOf(request).partnerId },
        {
          limit: limit ?? 50,
          ...(direction === undefined ? {} : { direction }),
          ...(type === undefined ? {} : { type }),
          ...(after === undefined ? {} : { after }),
        },
      );
      if (documents === 'unknown-position')
        throw new ProblemError('invalid-cursor', 'after must be the id of one of your documents, as a previous page listed it', [
          { in: 'query', pointer: 'after', detail: 'not one of your documents' },
        ]);
      return { documents };
    },

    async getDocument(
      request: FastifyRequest<{ Params: { id: string }; Querystring: { view?: 'body' | 'summary' } }>,
      reply: FastifyReply,
    ) {
      if (request.query.view === 'summary') {
        const summary = await getDocumentSummary(db, { partnerId: principalOf(request).partnerId }, request.params.id);
        if (summary === undefined)
          throw new ProblemError('not-found', `document ${request.params.id} does not exist or belongs to another partner`);
        return reply.type('application/json').send(summary);
      }
      const document = await getDocumentBody(db, { partnerId: principalOf(request).partnerId }, request.params.id);
      if (document === undefined)
        throw new ProblemError('not-found', `document ${request.params.id} does not exist or belongs to another partner`);
      return reply.type(document.contentType).send(document.body);
    },
  };
}
