import type { FastifyReply, FastifyRequest } from 'fastify';
import { getOrder, listOrderEvents, listOrders, type Database, type Viewer } from '../adapters/db/index.ts';
import { cancelOrder } from '../pipeline/cancel.ts';
import { runOrderPipeline, type PipelineDeps } from '../pipeline/runner.ts';
import { principalOf } from './auth.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { operations } from './openapi.gen.ts';
import { presentOrder, translateOrderJson, type OrderJson } from './order-json.ts';
import { invalidOrder, replyWithOutcome } from './outcome-reply.ts';
import { ProblemError } from './problems.ts';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

type CreateBody = NonNullable<operations['createOrder']['requestBody']>['content']['application/json'];
type ListQuery = NonNullable<operations['listOrders']['parameters']['query']>;
type IdParams = { id: string };

const viewerOf = (request: FastifyRequest): Viewer => ({ partnerId: principalOf(request).partnerId });

async function orderOr404(db: Database, id: string, viewer: Viewer): Promise<OrderJson> {
  const order = await getOrder(db, id, viewer);
  if (order === undefined) throw new ProblemError('not-found', `order ${id} does not exist or belongs to another partner`);
  return presentOrder(order);
}

export function orderHandlers(db: Database, pipeline: PipelineDeps) {
  return {
    async createOrder(request: FastifyRequest<{ Body: CreateBody }>, reply: FastifyReply) {
      const principal = principalOf(request);
      if (principal.partnerId === null) throw new ProblemError('forbidden', "orders are submitted with the partner's own key");
      const key = String(request.headers['idempotency-key']);
      const outcome = await runOrderPipeline(
        pipeline,
        {
          channel: 'api',
          partnerId: principal.partnerId,
          actor: `partner:${principal.partnerId}`,
          dedupe: { scope: 'api', key },
          documentType: 'order.json',
          contentType: 'application/json',
          body: request.rawBody ?? Buffer.from(JSON.stringify(request.body)),
          payload: request.body,
        },
        {
          translate: (body) => translateOrderJson(body, { idempotencyKey: key }),
          respond: (stored) => ({ status: 201, body: presentOrder(stored) }),
        },
      );
      return replyWithOutcome(reply, outcome, {
        created(answer, orderId) {
          request.log.info({ orderId }, 'order stored');
          answer.header('location', `/v1/orders/${orderId}`);
        },
        keyReused() {
          throw new ProblemError(
            'idempotency-key-reused',
            `Idempotency-Key "${key}" was first used with a different body; use a new key for a new order`,
          );
        },
        invalid(problems) {
          throw invalidOrder(problems);
        },
      });
    },

    async listOrders(request: FastifyRequest<{ Querystring: ListQuery }>) {
      const { limit, cursor, sort, partnerId, ...filters } = request.query;
      const viewer = viewerOf(request);
      if (viewer.partnerId !== null && partnerId !== undefined && partnerId !== viewer.partnerId)
        throw new ProblemError('forbidden', 'a partner key lists only its own orders; leave partnerId out', [
          { in: 'query', pointer: 'partnerId', detail: 'names another partner' },
        ]);
      const page = await listOrders(db, viewer, {
        ...filters,
        limit: limit ?? 50,
        ...(sort === undefined ? {} : { sort }),
        ...(partnerId === undefined ? {} : { partnerId }),
        ...(cursor === undefined ? {} : { cursor: decodeCursor(cursor) }),
      });
      return {
        orders: page.orders.map(presentOrder),
        ...(page.next === undefined ? {} : { nextCursor: encodeCursor(page.next) }),
      };
    },

    async getOrder(request: FastifyRequest<{ Params: IdParams }>) {
      return orderOr404(db, request.params.id, viewerOf(request));
    },

    async listOrderEvents(request: FastifyRequest<{ Params: IdParams }>) {
      await orderOr404(db, request.params.id, viewerOf(request));
      return { events: await listOrderEvents(db, request.params.id) };
    },

    async cancelOrder(request: FastifyRequest<{ Params: IdParams; Body: { reason?: string } | undefined }>) {
      const principal = principalOf(request);
      const reason = request.body?.reason;
      const outcome = await cancelOrder(pipeline.store, {
        orderId: request.params.id,
        partnerId: principal.partnerId,
        actor: principal.partnerId === null ? 'admin' : `partner:${principal.partnerId}`,
        ...(reason === undefined ? {} : { reason }),
      });
      if (outcome.kind === 'not-found')
        throw new ProblemError('not-found', `order ${request.params.id} does not exist or belongs to another partner`);
      if (outcome.kind === 'refused')
        throw new ProblemError(
          'invalid-state',
          `the order is "${outcome.status}"; only orders that have not shipped anything can be cancelled`,
        );
      return presentOrder(outcome.order);
    },
  };
}
