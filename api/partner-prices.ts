import type { FastifyRequest } from 'fastify';
import { getPartner, listContractPrices, putContractPrices, type Database } from '../adapters/db/index.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { operations } from './openapi.gen.ts';
import { ProblemError } from './problems.ts';

// A partner's contract prices (SKU and currency → unit price), which approval policies compare
// order lines with. Admin only; put in bulk, listed in pages.

type ListQuery = NonNullable<operations['listContractPrices']['parameters']['query']>;
type PutBody = operations['putContractPrices']['requestBody']['content']['application/json'];
type IdParams = { id: string };

/** Price order has no timestamp: the cursor's time is a fixed one, its id the last currency (3 letters) then SKU. */
const cursorTime = new Date(0).toISOString();

async function partnerOr404(db: Database, id: string): Promise<void> {
  if ((await getPartner(db, id)) === undefined) throw new ProblemError('not-found', `partner ${id} does not exist`);
}

export function partnerPriceHandlers(db: Database) {
  return {
    async listContractPrices(request: FastifyRequest<{ Params: IdParams; Querystring: ListQuery }>) {
      const { id } = request.params;
      const { sku, cursor, limit = 100 } = request.query;
      await partnerOr404(db, id);
      const position = cursor === undefined ? undefined : decodeCursor(cursor).id;
      const prices = await listContractPrices(db, id, {
        limit: limit + 1,
        ...(position === undefined ? {} : { after: { currency: position.slice(0, 3), sku: position.slice(3) } }),
        ...(sku === undefined ? {} : { sku }),
      });
      const page = prices.slice(0, limit);
      const last = page.at(-1);
      return prices.length > limit && last !== undefined
        ? { prices: page, nextCursor: encodeCursor({ at: cursorTime, id: `${last.currency}${last.sku}` }) }
        : { prices: page };
    },

    async putContractPrices(request: FastifyRequest<{ Params: IdParams; Body: PutBody }>) {
      const { id } = request.params;
      const { prices } = request.body;
      const seen = new Map<string, number>();
      const repeated = prices.flatMap((price, index) => {
        const key = JSON.stringify([price.sku, price.currency]);
        const first = seen.get(key);
        seen.set(key, first ?? index);
        return first === undefined
          ? []
          : [{ in: 'body' as const, pointer: `/prices/${index}`, detail: `the same SKU and currency as /prices/${first}` }];
      });
      if (repeated.length > 0) throw new ProblemError('invalid-request', 'each SKU may have one price per currency', repeated);
      await partnerOr404(db, id);
      await putContractPrices(db, id, prices);
      request.log.info({ partnerId: id, stored: prices.length }, 'contract prices stored');
      return { stored: prices.length };
    },
  };
}
