import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Outbound } from '../adapters/http/index.ts';
import { readReply } from '../adapters/contract/index.ts';
import {
  createVendor,
  createVendorKey,
  getVendor,
  leaseMailbox,
  listApiKeys,
  listVendors,
  revokeApiKey,
  vendorChannel,
  type Database,
  type VendorChannel,
} from '../adapters/db/index.ts';
import type { VendorReply } from '../domain/vendor-reply.ts';
import { handleTaskEvent, type FulfillmentDeps } from '../pipeline/fulfillment.ts';
import { principalOf } from './auth.ts';
import { ProblemError } from './problems.ts';
import { checkTargetUrls } from './target-urls.ts';

// Vendors: registering them, and the mailbox through which vendors without a queue (or every
// vendor, when the gateway runs without RabbitMQ) take their requests and send their replies.

type NewVendorBody = { id: string; name: string; channel: VendorChannel; baseUrl?: string };
type PullQuery = { vendorId?: string; limit?: number; leaseSeconds?: number };
type ReplyBody = { messageId: string; type: VendorReply['type']; body: Record<string, unknown> };

/** Which vendors the mailbox serves: mailbox vendors always, amqp ones too when there is no broker. */
export const mailboxChannels = (amqp: boolean): VendorChannel[] => (amqp ? ['mailbox'] : ['mailbox', 'amqp']);

/** The vendor the request acts for: a vendor key's own, or the one an admin names. */
function actingVendor(request: FastifyRequest, named: string | undefined, where: { in: 'query' | 'body'; pointer: string }): string {
  const principal = principalOf(request);
  if (principal.role === 'vendor') {
    if (named !== undefined && named !== principal.vendorId)
      throw new ProblemError('forbidden', `this key is vendor ${principal.vendorId}'s, not ${named}'s`);
    return principal.vendorId;
  }
  if (named === undefined)
    throw new ProblemError('invalid-request', 'an admin key acts for a vendor it names', [
      { ...where, detail: 'is required with an admin key' },
    ]);
  return named;
}

export function vendorHandlers(db: Database, fulfillment: FulfillmentDeps, amqp: boolean, outbound: Outbound) {
  return {
    async createVendor(request: FastifyRequest<{ Body: NewVendorBody }>, reply: FastifyReply) {
      const { id, name, channel, baseUrl } = request.body;
      if (channel === 'http' && baseUrl === undefined)
        throw new ProblemError('invalid-request', 'an http vendor needs the base URL its requests are POSTed to', [
          { in: 'body', pointer: '/baseUrl', detail: 'is required when channel is http' },
        ]);
      await checkTargetUrls(outbound.endpoints, [{ pointer: '/baseUrl', url: baseUrl }]);
      const created = await createVendor(db, { id, name, channel, ...(baseUrl === undefined ? {} : { baseUrl }) });
      if (created === 'exists')
        throw new ProblemError('identity-in-use', `vendor ${id} is already registered`, [
          { in: 'body', pointer: '/id', detail: 'already in use' },
        ]);
      request.log.info({ vendorId: id, channel }, 'vendor registered');
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .header('location', `/v1/vendors/${id}`)
        .send({ ...created.vendor, apiKey: created.apiKey });
    },

    async listVendors() {
      return { vendors: await listVendors(db) };
    },

    async createVendorKey(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
      const vendor = await getVendor(db, request.params.id);
      if (vendor === undefined) throw new ProblemError('not-found', `vendor ${request.params.id} is not registered`);
      const { id, key } = await createVendorKey(db, vendor.id);
      request.log.info({ vendorId: vendor.id, keyId: id }, 'vendor key issued');
      return reply.code(201).header('cache-control', 'no-store').send({ id, vendorId: vendor.id, key });
    },

    async listVendorKeys(request: FastifyRequest<{ Params: { id: string } }>) {
      const vendor = await getVendor(db, request.params.id);
      if (vendor === undefined) throw new ProblemError('not-found', `vendor ${request.params.id} is not registered`);
      return { keys: await listApiKeys(db, { vendorId: vendor.id }) };
    },

    async revokeVendorKey(request: FastifyRequest<{ Params: { id: string; keyId: string } }>, reply: FastifyReply) {
      const { id, keyId } = request.params;
      if (!(await revokeApiKey(db, { vendorId: id }, keyId))) throw new ProblemError('not-found', `vendor ${id} has no key ${keyId}`);
      request.log.info({ vendorId: id, keyId }, 'vendor key revoked');
      return reply.code(204).send();
    },

    async pullVendorTasks(request: FastifyRequest<{ Querystring: PullQuery }>) {
      const vendorId = actingVendor(request, request.query.vendorId, { in: 'query', pointer: 'vendorId' });
      const channel = await vendorChannel(db, vendorId);
      if (!mailboxChannels(amqp).includes(channel)) {
        throw new ProblemError(
          'invalid-state',
          `vendor ${vendorId} is served ${channel === 'http' ? 'over HTTP at its base URL' : 'through its RabbitMQ queue'}, not through the mailbox`,
        );
      }
      const leased = await leaseMailbox(db, vendorId, mailboxChannels(amqp), request.query.limit ?? 50, request.query.leaseSeconds ?? 60);
      return {
        messages: leased.map((r) => ({
          messageId: r.messageId,
          correlationId: r.correlationId,
          type: r.type,
          routingKey: r.routingKey,
          leasedUntil: r.leasedUntil,
          body: r.body,
        })),
      };
    },

    async postVendorReply(request: FastifyRequest<{ Body: ReplyBody }>) {
      const { messageId, type, body } = request.body;
      const vendorId = actingVendor(request, typeof body.vendorId === 'string' ? body.vendorId : undefined, {
        in: 'body',
        pointer: '/body/vendorId',
      });
      const read = readReply(type, body);
      if (!read.ok) {
        throw new ProblemError(
          'invalid-request',
          `the ${type} body breaks asyncapi.yaml: ${read.problems.map((p) => `${p.pointer} ${p.detail}`).join('; ')}`,
          read.problems.map((p) => ({ in: 'body' as const, pointer: `/body${p.pointer === '/' ? '' : p.pointer}`, detail: p.detail })),
        );
      }
      const result = await handleTaskEvent(fulfillment, read.reply, { vendorId, messageId });
      if (result.kind === 'refused') throw new ProblemError('reply-refused', `${result.code}: ${result.detail}`);
      if (result.kind === 'applied') return { outcome: 'applied', orderStatus: result.status };
      return result.kind === 'ignored' ? { outcome: 'ignored', reason: result.reason } : { outcome: 'duplicate' };
    },
  };
}
