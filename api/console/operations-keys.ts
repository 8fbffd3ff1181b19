import type { FastifyInstance, FastifyReply } from 'fastify';
import type { components } from '../openapi.gen.ts';
import { apiFor, problemText, type ApiCall } from './api-call.ts';
import { noticeThen, queryOf, queryValue, refusedPage, section, segment, type OpsRequest } from './operations-common.ts';
import { timeText } from './words.ts';
import type { ConsoleDeps } from './plugin.ts';
import { render, refusalOf, type Refusal } from './render.ts';

// Who holds keys to the gateway (partners, vendors, people), registering them, and their keys:
// issued here (shown once, on the page that answers the form, never in an address or a cookie) and
// revoked here (the next request with the key fails).

type ApiKey = components['schemas']['ApiKey'];
type Kind = 'partners' | 'vendors' | 'people';

interface Holder {
  id: string;
  name: string;
  /** What else tells this holder apart: identities, channel, roles. */
  detail: string;
}

interface Listing {
  holders: Holder[];
  nextCursor?: string;
}

interface KindView {
  title: string;
  one: string;
  /** Reads one page of holders. */
  list(api: ApiCall, query: { q?: string; cursor?: string }): Promise<{ ok: true; listing: Listing } | { ok: false; refusal: Refusal }>;
}

const partnerDetail = (p: components['schemas']['Partner']): string =>
  [
    ...(p.x12?.identities.map((i) => `X12 ${i.qualifier}/${i.id}`) ?? []),
    ...(p.cxml === undefined ? [] : [`cXML ${p.cxml.fromIdentity}`]),
  ].join(', ');

const kinds: Record<Kind, KindView> = {
  partners: {
    title: 'Partners',
    one: 'partner',
    async list(api, { q, cursor }) {
      const answer = await api<components['schemas']['PartnerPage']>('GET', `/v1/partners${queryOf({ q, cursor, limit: 50 })}`);
      if (!answer.ok) return { ok: false, refusal: refusalOf(answer) };
      return {
        ok: true,
        listing: {
          holders: answer.body.partners.map((p) => ({ id: p.id, name: p.name, detail: partnerDetail(p) })),
          ...(answer.body.nextCursor === undefined ? {} : { nextCursor: answer.body.nextCursor }),
        },
      };
    },
  },
  vendors: {
    title: 'Vendors',
    one: 'vendor',
    async list(api) {
      const answer = await api<{ vendors: components['schemas']['Vendor'][] }>('GET', '/v1/vendors');
      if (!answer.ok) return { ok: false, refusal: refusalOf(answer) };
      return {
        ok: true,
        listing: {
          holders: answer.body.vendors.map((v) => ({
            id: v.id,
            name: v.name,
            detail: `${v.channel}${v.baseUrl === undefined ? '' : ` ${v.baseUrl}`}`,
          })),
        },
      };
    },
  },
  people: {
    title: 'People',
    one: 'person',
    async list(api) {
      const answer = await api<{ people: components['schemas']['Person'][] }>('GET', '/v1/people');
      if (!answer.ok) return { ok: false, refusal: refusalOf(answer) };
      return {
        ok: true,
        listing: {
          holders: answer.body.people.map((p) => ({
            id: p.id,
            name: p.name,
            detail: [p.email, p.roles.join(', ')].filter((s) => s !== undefined && s !== '').join(' · '),
          })),
        },
      };
    },
  },
};

/** One holder by id: a partner has a read of its own; vendors and people are few and read as a list. */
async function holderOf(api: ApiCall, kind: Kind, id: string): Promise<{ ok: true; holder: Holder } | { ok: false; refusal: Refusal }> {
  if (kind === 'partners') {
    const answer = await api<components['schemas']['Partner']>('GET', `/v1/partners/${segment(id)}`);
    return answer.ok
      ? { ok: true, holder: { id: answer.body.id, name: answer.body.name, detail: partnerDetail(answer.body) } }
      : { ok: false, refusal: refusalOf(answer) };
  }
  const listed = await kinds[kind].list(api, {});
  if (!listed.ok) return listed;
  const holder = listed.listing.holders.find((h) => h.id === id);
  if (holder === undefined) return { ok: false, refusal: { status: 404, reason: `${kinds[kind].one} ${id} does not exist` } };
  return { ok: true, holder };
}

/** A key's prefix as a form sends it back, for the notice only. */
const prefixOf = (text: string | undefined): string => (text !== undefined && /^[a-z]{3}_[\w-]{1,8}$/.test(text) ? text : 'key');

export function keyRoutes(deps: ConsoleDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    for (const kind of Object.keys(kinds) as Kind[]) {
      const view = kinds[kind];
      const base = `/console/operations/${kind}`;

      app.get(base, async (request: OpsRequest, reply) => {
        const q = queryValue(request.query.q)?.trim().slice(0, 200) ?? '';
        const cursor = queryValue(request.query.cursor);
        const listed = await view.list(apiFor(request), { ...(q === '' ? {} : { q }), ...(cursor === undefined ? {} : { cursor }) });
        if (!listed.ok) return refusedPage(request, reply, listed.refusal);
        return render(request, reply, 'operations-holders', {
          title: view.title,
          section,
          kind,
          one: view.one,
          base,
          q,
          holders: listed.listing.holders,
          older: listed.listing.nextCursor === undefined ? undefined : `${base}${queryOf({ q, cursor: listed.listing.nextCursor })}`,
          first: cursor === undefined ? undefined : `${base}${queryOf({ q })}`,
        });
      });

      app.get(`${base}/:id`, async (request: OpsRequest, reply) => {
        const api = apiFor(request);
        const id = request.params.id ?? '';
        const [found, keys] = await Promise.all([
          holderOf(api, kind, id),
          api<{ keys: ApiKey[] }>('GET', `/v1/${kind}/${segment(id)}/api-keys`),
        ]);
        if (!found.ok) return refusedPage(request, reply, found.refusal, { href: base, label: `Back to ${view.title.toLowerCase()}` });
        if (!keys.ok) return refusedPage(request, reply, refusalOf(keys), { href: base, label: `Back to ${view.title.toLowerCase()}` });
        return render(request, reply, 'operations-holder', {
          title: found.holder.name,
          section,
          kind,
          one: view.one,
          kindTitle: view.title,
          base,
          holder: found.holder,
          keys: keys.body.keys.map((k) => ({
            id: k.id,
            prefix: k.prefix,
            created: timeText(k.createdAt),
            createdAt: k.createdAt,
            lastUsed: timeText(k.lastUsedAt),
            revoked: timeText(k.revokedAt),
          })),
        });
      });

      app.post(`${base}/:id/keys`, async (request: OpsRequest, reply) => {
        const api = apiFor(request);
        const id = request.params.id ?? '';
        const issued = await api<{ id: string; key: string }>('POST', `/v1/${kind}/${segment(id)}/api-keys`);
        if (!issued.ok)
          return noticeThen(
            request,
            reply,
            deps.publicBaseUrl,
            { kind: 'problem', text: `No key was issued: ${problemText(issued)}` },
            `${base}/${segment(id)}`,
          );
        const found = await holderOf(api, kind, id);
        return newKeyPage(request, reply, {
          title: 'New key',
          lead: `A new key for the ${view.one} ${found.ok ? found.holder.name : id}.`,
          key: issued.body.key,
          back: { href: `${base}/${segment(id)}`, label: `Back to ${found.ok ? found.holder.name : `the ${view.one}`}` },
        });
      });

      app.post(`${base}/:id/keys/:keyId/revoke`, async (request: OpsRequest, reply) => {
        const id = request.params.id ?? '';
        const prefix = prefixOf(request.body?.prefix);
        const answer = await apiFor(request)('DELETE', `/v1/${kind}/${segment(id)}/api-keys/${segment(request.params.keyId)}`);
        const notice = answer.ok
          ? { kind: 'done' as const, text: `Key ${prefix}… is revoked: it fails from the next request on.` }
          : { kind: 'problem' as const, text: `Key ${prefix}… was not revoked: ${problemText(answer)}` };
        return noticeThen(request, reply, deps.publicBaseUrl, notice, `${base}/${segment(id)}`);
      });
    }

    app.post('/console/operations/partners', async (request: OpsRequest, reply) => {
      const name = request.body?.name?.trim() ?? '';
      const created = await apiFor(request)<components['schemas']['Partner']>('POST', '/v1/partners', { name });
      if (!created.ok)
        return noticeThen(
          request,
          reply,
          deps.publicBaseUrl,
          { kind: 'problem', text: `The partner was not registered: ${problemText(created)}` },
          '/console/operations/partners',
        );
      return noticeThen(
        request,
        reply,
        deps.publicBaseUrl,
        { kind: 'done', text: `Partner ${created.body.name} is registered. Create a key for it below.` },
        `/console/operations/partners/${segment(created.body.id)}`,
      );
    });

    // A vendor's first key comes with its registration, so that answer is the page that shows it.
    app.post('/console/operations/vendors', async (request: OpsRequest, reply) => {
      const body = request.body ?? {};
      const channel = body.channel ?? '';
      const baseUrl = body.baseUrl?.trim() ?? '';
      const created = await apiFor(request)<components['schemas']['Vendor'] & { apiKey: string }>('POST', '/v1/vendors', {
        id: body.id?.trim() ?? '',
        name: body.name?.trim() ?? '',
        channel,
        ...(baseUrl === '' ? {} : { baseUrl }),
      });
      if (!created.ok)
        return noticeThen(
          request,
          reply,
          deps.publicBaseUrl,
          { kind: 'problem', text: `The vendor was not registered: ${problemText(created)}` },
          '/console/operations/vendors',
        );
      return newKeyPage(request, reply, {
        title: 'Vendor registered',
        lead: `The vendor ${created.body.name} (${created.body.id}, ${created.body.channel}) is registered, with this key.`,
        key: created.body.apiKey,
        back: { href: `/console/operations/vendors/${segment(created.body.id)}`, label: `Go to ${created.body.name}` },
      });
    });

    app.post('/console/operations/people', async (request: OpsRequest, reply) => {
      const body = request.body ?? {};
      const email = body.email?.trim() ?? '';
      const roles = (body.roles ?? '').split(/[\s,]+/).filter((r) => r !== '');
      const created = await apiFor(request)<components['schemas']['Person']>('POST', '/v1/people', {
        name: body.name?.trim() ?? '',
        roles,
        ...(email === '' ? {} : { email }),
      });
      if (!created.ok)
        return noticeThen(
          request,
          reply,
          deps.publicBaseUrl,
          { kind: 'problem', text: `The person was not registered: ${problemText(created)}` },
          '/console/operations/people',
        );
      return noticeThen(
        request,
        reply,
        deps.publicBaseUrl,
        { kind: 'done', text: `${created.body.name} is registered. Create a key below, or let them sign in by e-mail.` },
        `/console/operations/people/${segment(created.body.id)}`,
      );
    });
  };
}

/** The one page that shows a new key: the answer to the form itself, never stored and never cached. */
function newKeyPage(
  request: OpsRequest,
  reply: FastifyReply,
  page: { title: string; lead: string; key: string; back: { href: string; label: string } },
) {
  reply.header('cache-control', 'no-store');
  return render(request, reply, 'operations-new-key', { ...page, section });
}
