import type { FastifyInstance } from 'fastify';
import type { components } from '../openapi.gen.ts';
import { apiFor, problemText } from './api-call.ts';
import { noticeThen, queryOf, queryValue, refusedPage, section, segment, type OpsRequest } from './operations-common.ts';
import { timeText } from './words.ts';
import type { ConsoleDeps } from './plugin.ts';
import { render, refusalOf } from './render.ts';

// Messages that did not get through: dead letters from RabbitMQ (replayed from here) and the
// webhook deliveries to partners' subscriptions (retried from here).

type DeadLetter = components['schemas']['DeadLetter'];
type Delivery = components['schemas']['WebhookDelivery'];
type Subscription = components['schemas']['WebhookSubscription'];

/** How much of a message the list shows; the API has the whole of it. */
const messageShown = 4_000;

/** The message as pretty JSON when it is JSON, cut short when long. */
export function messageView(body: string): string {
  let text = body;
  try {
    text = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // not JSON: shown as it came
  }
  return text.length > messageShown ? `${text.slice(0, messageShown)}\n… (${text.length - messageShown} more characters)` : text;
}

const deliveryStates = ['pending', 'delivered', 'failed'] as const;

export function queueRoutes(deps: ConsoleDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/console/operations/dead-letters', async (request: OpsRequest, reply) => {
      const replayed = queryValue(request.query.replayed) === 'true';
      const queue = queryValue(request.query.queue)?.trim().slice(0, 255) ?? '';
      const cursor = queryValue(request.query.cursor);
      const answer = await apiFor(request)<{ deadLetters: DeadLetter[]; nextCursor?: string }>(
        'GET',
        `/v1/dead-letters${queryOf({ replayed: String(replayed), queue, cursor, limit: 50 })}`,
      );
      if (!answer.ok)
        return refusedPage(request, reply, refusalOf(answer), { href: '/console/operations/dead-letters', label: 'Back to dead letters' });
      const letters = answer.body.deadLetters.map((letter) => ({
        id: letter.id,
        queue: letter.queue,
        routingKey: letter.routingKey,
        reason: letter.reason,
        type: letter.type ?? 'message',
        messageId: letter.messageId ?? '',
        diedAt: letter.diedAt,
        died: timeText(letter.diedAt),
        replayedAt: letter.replayedAt ?? null,
        replayed: timeText(letter.replayedAt),
        message: messageView(letter.body),
      }));
      const next = answer.body.nextCursor;
      return render(request, reply, 'operations-dead-letters', {
        title: 'Dead letters',
        section,
        letters,
        replayed,
        queue,
        back: `/console/operations/dead-letters${queryOf({ replayed: String(replayed), queue, cursor })}`,
        older:
          next === undefined
            ? undefined
            : `/console/operations/dead-letters${queryOf({ replayed: String(replayed), queue, cursor: next })}`,
        newest: cursor === undefined ? undefined : `/console/operations/dead-letters${queryOf({ replayed: String(replayed), queue })}`,
      });
    });

    app.post('/console/operations/dead-letters/:id/replay', async (request: OpsRequest, reply) => {
      const id = request.params.id ?? '';
      const back = localBack(request.body?.back, '/console/operations/dead-letters');
      const answer = await apiFor(request)<DeadLetter>('POST', `/v1/dead-letters/${segment(id)}/replay`);
      const notice = answer.ok
        ? { kind: 'done' as const, text: `Dead letter ${id} was published again at ${timeText(answer.body.replayedAt)}.` }
        : { kind: 'problem' as const, text: `Dead letter ${id} was not replayed: ${problemText(answer)}` };
      return noticeThen(request, reply, deps.publicBaseUrl, notice, back);
    });

    app.get('/console/operations/webhooks', async (request: OpsRequest, reply) => {
      const api = apiFor(request);
      const state = deliveryStates.find((s) => s === queryValue(request.query.state));
      const subscription = queryValue(request.query.subscription);
      const subscriptionId = subscription !== undefined && /^[0-9a-f-]{36}$/i.test(subscription) ? subscription : undefined;
      const [deliveries, subscriptions] = await Promise.all([
        api<{ deliveries: Delivery[] }>('GET', `/v1/webhooks/deliveries${queryOf({ state, subscriptionId, limit: 50 })}`),
        api<{ subscriptions: Subscription[] }>('GET', '/v1/webhooks/subscriptions'),
      ]);
      if (!deliveries.ok) return refusedPage(request, reply, refusalOf(deliveries));
      if (!subscriptions.ok) return refusedPage(request, reply, refusalOf(subscriptions));
      const urlOf = new Map(subscriptions.body.subscriptions.map((s) => [s.id, s.url]));
      return render(request, reply, 'operations-webhooks', {
        title: 'Webhook deliveries',
        section,
        state: state ?? '',
        states: deliveryStates,
        subscriptionId: subscriptionId ?? '',
        back: `/console/operations/webhooks${queryOf({ state, subscription: subscriptionId })}`,
        deliveries: deliveries.body.deliveries.map((d) => ({
          id: d.id,
          eventType: d.eventType,
          state: d.state,
          attempts: d.attempts,
          lastError: d.lastError ?? d.lastStatusClass ?? '',
          createdAt: d.createdAt,
          created: timeText(d.createdAt),
          next: timeText(d.nextAttemptAt),
          delivered: timeText(d.deliveredAt),
          url: urlOf.get(d.subscriptionId) ?? d.subscriptionId,
          // A failed one gets one more attempt; a pending one that already failed is attempted now.
          retry: d.state === 'failed' || (d.state === 'pending' && d.attempts > 0),
        })),
        subscriptions: subscriptions.body.subscriptions.map((s) => ({
          id: s.id,
          partnerId: s.partnerId,
          url: s.url,
          eventTypes: s.eventTypes.join(', '),
          paused: s.paused,
          created: timeText(s.createdAt),
          createdAt: s.createdAt,
        })),
      });
    });

    app.post('/console/operations/webhooks/deliveries/:id/retry', async (request: OpsRequest, reply) => {
      const id = request.params.id ?? '';
      const back = localBack(request.body?.back, '/console/operations/webhooks');
      const answer = await apiFor(request)<Delivery>('POST', `/v1/webhooks/deliveries/${segment(id)}/retry`);
      const notice = answer.ok
        ? { kind: 'done' as const, text: `Delivery ${id} (${answer.body.eventType}) is due now; it is attempted within moments.` }
        : { kind: 'problem' as const, text: `Delivery ${id} was not retried: ${problemText(answer)}` };
      return noticeThen(request, reply, deps.publicBaseUrl, notice, back);
    });
  };
}

/** The list a form was sent from, to go back to with its filters; only a page of this part. */
function localBack(back: string | undefined, fallback: string): string {
  const ours = back !== undefined && (back === fallback || back.startsWith(`${fallback}?`));
  return ours && /^[\w\-./?=&%]*$/.test(back) && !back.includes('//') ? back : fallback;
}
