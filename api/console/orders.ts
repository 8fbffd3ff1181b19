import type { FastifyInstance, FastifyRequest } from 'fastify';
import { orderStatuses } from '../../domain/order-status.ts';
import type { components } from '../openapi.gen.ts';
import { apiFor, problemText, type ApiAnswer } from './api-call.ts';
import { orderPageRoutes } from './order-page.ts';
import { dateProblem, ordersQuery, searchForm, searchHref } from './order-search.ts';
import type { ConsoleDeps } from './plugin.ts';
import { render } from './render.ts';
import { when } from './words.ts';
import { money } from './order-view.ts';

// Orders in flight: the list with its search, newest first, one page of 50 at a time. The page is
// whole without its script (plain links and a GET form); orders-live.js adds the stream's news.

type OrderPage = components['schemas']['OrderPage'];
type PartnerPage = components['schemas']['PartnerPage'];
type ListRequest = FastifyRequest<{ Querystring: Record<string, string | undefined> }>;

const channels = ['api', 'x12', 'cxml', 'webhook'];

export function orderRoutes(deps: ConsoleDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/console/orders', async (request: ListRequest, reply) => {
      const session = request.consoleSession;
      if (session === undefined) throw new Error('the console hook lets no one in without a session');
      const admin = session.principal.role === 'admin';
      const api = apiFor(request);
      const form = searchForm(request.query);
      const cursor = request.query.cursor;
      const formProblem = dateProblem(form);
      const [answer, partners] = await Promise.all([
        formProblem === undefined ? api<OrderPage>('GET', `/v1/orders?${ordersQuery(form, cursor, admin)}`) : undefined,
        admin ? api<PartnerPage>('GET', '/v1/partners?limit=200') : undefined,
      ]);
      const names = new Map((partners?.ok === true ? partners.body.partners : []).map((p) => [p.id, p.name]));
      const nameOf = (id: string) => names.get(id) ?? (admin ? id : session.name);
      const problem = formProblem ?? (answer !== undefined && !answer.ok ? problemText(answer as ApiAnswer) : undefined);
      const page = answer?.ok === true ? answer.body : { orders: [] };
      return render(
        request,
        reply,
        'orders',
        {
          title: 'Orders',
          section: '/console/orders',
          ...(problem === undefined ? {} : { notice: { kind: 'problem' as const, text: problem } }),
          form,
          admin,
          statuses: orderStatuses,
          channels,
          // More partners than one page: the partner's id is typed instead of chosen.
          partnerOptions: partners?.ok === true && partners.body.nextCursor === undefined ? partners.body.partners : undefined,
          orders: page.orders.map((order) => ({
            id: order.id,
            href: `/console/orders/${encodeURIComponent(order.id)}`,
            ref: order.externalRef,
            partner: nameOf(order.partnerId),
            channel: order.channel,
            status: order.status,
            received: when(order.createdAt),
            updated: when(order.updatedAt),
            total: money(order.totals.amount, order.currency),
          })),
          nextHref: page.nextCursor === undefined ? undefined : searchHref(form, page.nextCursor),
          firstHref: cursor === undefined ? undefined : searchHref(form),
          showHref: searchHref(form),
          // New orders may not match a search by what the stream does not tell (reference, status, channel, an end date).
          narrowed: form.ref !== '' || form.status !== '' || form.channel !== '' || form.to !== '',
          // The live script's stream: the partner filter goes to the server; the rest is the list's to apply.
          streamUrl: `/v1/stream${admin && /^[0-9a-f-]{36}$/i.test(form.partner) ? `?partnerId=${form.partner}` : ''}`,
        },
        answer === undefined || answer.ok ? (formProblem === undefined ? 200 : 400) : answer.status,
      );
    });

    await app.register(orderPageRoutes(deps));
  };
}
