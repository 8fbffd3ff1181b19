import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Outbound } from '../adapters/http/index.ts';
import {
  deleteWebhookSubscription,
  getPartner,
  insertWebhookSource,
  insertWebhookSubscription,
  listWebhookDeliveries,
  listWebhookSubscriptions,
  replaceWebhookSubscriptionSecret,
  retryWebhookDelivery,
  setWebhookSubscriptionPaused,
  type Database,
  type DeliveryFilter,
} from '../adapters/db/index.ts';
import {
  isStandardSecret,
  manualRetryStep,
  newStandardSecret,
  receiveWebhook,
  sourceKinds,
  sourceSecretContext,
  subscriptionSecretContext,
  webhookMaps,
  type SecretBox,
} from '../adapters/webhook/index.ts';
import { runOrderPipeline, type PipelineDeps } from '../pipeline/runner.ts';
import { principalOf } from './auth.ts';
import type { components } from './openapi.gen.ts';
import { invalidOrder, replyWithOutcome } from './outcome-reply.ts';
import { ProblemError, type FieldError } from './problems.ts';
import { checkTargetUrls } from './target-urls.ts';

// Webhooks in (shops posting orders, signed) and out (partners' subscriptions and the delivery
// log). The deliveries themselves are made by adapters/webhook/send.ts, on api/main.ts's interval.

type SourceCreate = components['schemas']['WebhookSourceCreate'];
type SubscriptionCreate = { url: string; eventTypes: components['schemas']['WebhookEventType'][] };

const viewerOf = (request: FastifyRequest) => ({ partnerId: principalOf(request).partnerId });

const noSubscription = (id: string): ProblemError =>
  new ProblemError('not-found', `subscription ${id} does not exist or belongs to another partner`);

/** What a source registration asks for that its kind does not allow, each with its field. */
function sourceProblems(body: SourceCreate): FieldError[] {
  const kind = sourceKinds.get(body.kind);
  const wrong = (pointer: string, detail: string): FieldError => ({ in: 'body', pointer, detail });
  if (kind === undefined) return [wrong('/kind', `unknown source kind; one of ${[...sourceKinds.keys()].join(', ')}`)];
  const problems: FieldError[] = [];
  if (kind.accountHeader !== undefined && body.account === undefined)
    problems.push(wrong('/account', `is required: ${body.kind} webhooks name their account in ${kind.accountHeader}`));
  if (kind.accountHeader === undefined && body.account !== undefined)
    problems.push(wrong('/account', `${body.kind} sources are found by their own id, not by an account`));
  if (kind.secret === 'given' && body.secret === undefined)
    problems.push(wrong('/secret', `is required: ${body.kind} makes the secret it signs with`));
  if (kind.scheme.name === 'standard-webhooks' && body.secret !== undefined && !isStandardSecret(body.secret))
    problems.push(wrong('/secret', 'must be a Standard Webhooks secret: whsec_ and at least 24 bytes in base64'));
  const map = body.map ?? kind.defaultMap;
  if (!webhookMaps.has(map))
    problems.push(wrong('/map', `no map "${map}" in mappings/webhooks/; one of ${[...webhookMaps.keys()].join(', ')}`));
  return problems;
}

/**
 * Every event goes to each subscription that wants it: without a bound, one partner's subscriptions
 * would turn each of its events into any number of outbound requests.
 */
export const subscriptionsPerPartner = 25;

export function webhookHandlers(
  db: Database,
  pipeline: PipelineDeps,
  secrets: SecretBox,
  outbound: Outbound,
  clock: () => Date = () => new Date(),
) {
  return {
    async receiveWebhook(request: FastifyRequest<{ Params: { source: string }; Body: unknown }>, reply: FastifyReply) {
      const body = request.rawBody ?? Buffer.alloc(0);
      const receipt = await receiveWebhook(
        { db, secrets },
        { source: request.params.source, headers: request.headers, body, payload: request.body, now: clock() },
      );
      switch (receipt.kind) {
        case 'unauthenticated':
          throw new ProblemError('webhook-unauthenticated', receipt.detail);
        case 'outside-window':
          throw new ProblemError('webhook-outside-window', receipt.detail);
        case 'no-event-id':
          throw new ProblemError('invalid-request', `a webhook needs ${receipt.headers.join(' or ')}, which marks a repeat`, [
            { in: 'header', pointer: receipt.headers[0] ?? '', detail: 'is required' },
          ]);
        case 'event-id-too-long':
          throw new ProblemError(
            'invalid-request',
            `${receipt.header} is ${receipt.length} characters long; at most ${receipt.limit} are accepted`,
            [{ in: 'header', pointer: receipt.header, code: 'too-long', detail: `at most ${receipt.limit} characters` }],
          );
        case 'ignored':
          request.log.info({ sourceId: receipt.source.id, topic: receipt.topic }, 'webhook topic ignored');
          return reply.code(202).send({
            status: 'ignored',
            ...(receipt.topic === undefined ? {} : { topic: receipt.topic }),
            detail: `map ${receipt.source.map} turns only ${webhookMaps.get(receipt.source.map)?.topics.join(', ')} into orders`,
          });
      }
      const { source, eventId, topic } = receipt;
      const outcome = await runOrderPipeline(
        pipeline,
        {
          channel: 'webhook',
          partnerId: source.partnerId,
          actor: `partner:${source.partnerId}`,
          // Shops resend an event they think was lost: the same event id gets the first answer.
          dedupe: { scope: `webhook:${source.id}`, key: eventId },
          documentType: topic,
          contentType: 'application/json',
          body,
          payload: request.body,
          control: {
            source: source.kind,
            sourceId: source.id,
            topic,
            ...(source.account === undefined ? {} : { account: source.account }),
          },
        },
        {
          translate: receipt.translate,
          respond: (stored) => ({ status: 200, body: { orderId: stored.id, externalRef: stored.externalRef, status: stored.status } }),
        },
      );
      return replyWithOutcome(reply, outcome, {
        created: (_answer, orderId) => request.log.info({ orderId, sourceId: source.id, eventId }, 'webhook order stored'),
        keyReused() {
          throw new ProblemError('webhook-id-reused', `event ${eventId} was first received with a different body`);
        },
        invalid(problems) {
          throw invalidOrder(problems);
        },
      });
    },

    async createWebhookSource(request: FastifyRequest<{ Params: { id: string }; Body: SourceCreate }>, reply: FastifyReply) {
      const partner = await getPartner(db, request.params.id);
      if (partner === undefined) throw new ProblemError('not-found', `partner ${request.params.id} does not exist`);
      const problems = sourceProblems(request.body);
      if (problems.length > 0)
        throw new ProblemError('invalid-request', problems.map((p) => `${p.pointer}: ${p.detail}`).join('; '), problems);
      const { kind, account, secret: given, map } = request.body;
      const sourceKind = sourceKinds.get(kind);
      const secret = given ?? newStandardSecret();
      const id = randomUUID();
      const source = await insertWebhookSource(db, {
        id,
        partnerId: partner.id,
        kind,
        ...(account === undefined ? {} : { account }),
        map: map ?? (sourceKind?.defaultMap as string),
        sealedSecret: secrets.seal(secret, sourceSecretContext(id)),
      });
      if (source === 'account-taken')
        throw new ProblemError('identity-in-use', `this ${kind} account already belongs to a webhook source`, [
          { in: 'body', pointer: '/account', detail: 'already in use' },
        ]);
      request.log.info({ partnerId: partner.id, sourceId: id, kind }, 'webhook source registered');
      const url = sourceKind?.accountHeader === undefined ? `/v1/webhooks/${id}` : `/v1/webhooks/${kind}`;
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...source, url, ...(given === undefined ? { secret } : {}) });
    },

    async createWebhookSubscription(request: FastifyRequest<{ Body: SubscriptionCreate }>, reply: FastifyReply) {
      const { partnerId } = principalOf(request);
      if (partnerId === null) throw new ProblemError('forbidden', "subscriptions are made with the partner's own key");
      // Set with a partner key: judged without the allow-list (unless configured), here and at every delivery.
      await checkTargetUrls(outbound.webhooks, [{ pointer: '/url', url: request.body.url }]);
      const id = randomUUID();
      const secret = newStandardSecret();
      const subscription = await insertWebhookSubscription(
        db,
        {
          id,
          partnerId,
          url: request.body.url,
          eventTypes: request.body.eventTypes,
          sealedSecret: secrets.seal(secret, subscriptionSecretContext(id)),
        },
        subscriptionsPerPartner,
      );
      if (subscription === undefined) {
        throw new ProblemError(
          'limit-reached',
          `a partner may have at most ${subscriptionsPerPartner} webhook subscriptions: delete one, or subscribe one URL to more event types`,
        );
      }
      request.log.info({ partnerId, subscriptionId: id }, 'webhook subscription created');
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...subscription, secret });
    },

    async listWebhookSubscriptions(request: FastifyRequest) {
      return { subscriptions: await listWebhookSubscriptions(db, viewerOf(request)) };
    },

    async updateWebhookSubscription(request: FastifyRequest<{ Params: { id: string }; Body: { paused: boolean } }>) {
      const subscription = await setWebhookSubscriptionPaused(db, viewerOf(request), request.params.id, request.body.paused);
      if (subscription === undefined) throw noSubscription(request.params.id);
      request.log.info({ subscriptionId: subscription.id, paused: subscription.paused }, 'webhook subscription changed');
      return subscription;
    },

    async deleteWebhookSubscription(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
      if (!(await deleteWebhookSubscription(db, viewerOf(request), request.params.id))) throw noSubscription(request.params.id);
      request.log.info({ subscriptionId: request.params.id }, 'webhook subscription deleted');
      return reply.code(204).send();
    },

    async rotateWebhookSubscriptionSecret(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
      const { id } = request.params;
      const secret = newStandardSecret();
      if (!(await replaceWebhookSubscriptionSecret(db, viewerOf(request), id, secrets.seal(secret, subscriptionSecretContext(id)))))
        throw noSubscription(id);
      request.log.info({ subscriptionId: id }, 'webhook subscription secret rotated');
      return reply.header('cache-control', 'no-store').send({ id, secret });
    },

    async listWebhookDeliveries(request: FastifyRequest<{ Querystring: Partial<DeliveryFilter> }>) {
      const { state, subscriptionId, limit } = request.query;
      return {
        deliveries: await listWebhookDeliveries(db, viewerOf(request), {
          limit: limit ?? 50,
          ...(state === undefined ? {} : { state }),
          ...(subscriptionId === undefined ? {} : { subscriptionId }),
        }),
      };
    },

    async retryWebhookDelivery(request: FastifyRequest<{ Params: { id: string } }>) {
      const delivery = await retryWebhookDelivery(db, viewerOf(request), request.params.id, clock(), manualRetryStep);
      if (delivery === undefined)
        throw new ProblemError('not-found', `delivery ${request.params.id} does not exist or belongs to another partner`);
      return delivery;
    },
  };
}
