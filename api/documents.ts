import type { FastifyReply, FastifyRequest } from 'fastify';
import { getDocumentBody, getDocumentSummary, listDocuments, type Database, type DocumentFilter } from '../adapters/db/index.ts';
import { principalOf } from './auth.ts';
import { ProblemError } from './problems.ts';

export function documentHandlers(db: Database) {
  return {
    async listDocuments(request: FastifyRequest<{ Querystring: Partial<DocumentFilter> }>) {
      const { limit, ...filter } = request.query;
      const viewer = { partnerId: principalOf(request).partnerId };
      if (viewer.partnerId !== null && filter.partnerId !== undefined && filter.partnerId !== viewer.partnerId)
        throw new ProblemError('forbidden', "a partner key sees only its own partner's documents; leave partnerId out");
      const documents = await listDocuments(db, viewer, { ...filter, limit: limit ?? 50 });
      if ('unknownPosition' in documents)
        throw new ProblemError(
          'invalid-cursor',
          `${documents.unknownPosition} must be the id of one of your documents, as a previous page listed it`,
          [{ in: 'query', pointer: documents.unknownPosition, detail: 'not one of your documents' }],
        );
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
