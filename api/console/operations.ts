import type { FastifyInstance } from 'fastify';
import type { components } from '../openapi.gen.ts';
import { apiFor, type ApiAnswer } from './api-call.ts';
import { section, type OpsRequest } from './operations-common.ts';
import { keyRoutes } from './operations-keys.ts';
import { queueRoutes } from './operations-queues.ts';
import type { ConsoleDeps } from './plugin.ts';
import { render, sectionsFor } from './render.ts';

// Operations, for admins: what did not get through (dead letters, webhook deliveries) and who holds
// keys (partners, vendors, people). The API decides what each read shows; the section's own gate
// keeps a partner's session out of pages whose reads the API would also answer for a partner (its
// own webhook deliveries), so that the section is the admin's, as the navigation says.

/** How far the overview counts: past it, it says "at least". */
const countedUpTo = 50;

/**
 * How many the read listed: a list with a cursor says whether more follow; one with only a limit,
 * that its page was full; a whole list is its length.
 */
const countOf = (answer: ApiAnswer<Record<string, unknown>>, field: string, list: 'cursor' | 'limit' | 'whole'): string | undefined => {
  if (!answer.ok) return undefined;
  const items = answer.body[field];
  const n = Array.isArray(items) ? items.length : 0;
  const more = list === 'cursor' ? answer.body.nextCursor !== undefined : list === 'limit' && n >= countedUpTo;
  return more ? `${n}+` : String(n);
};

export function operationsRoutes(deps: ConsoleDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('preHandler', async (request, reply) => {
      if (sectionsFor(request.consoleSession?.principal.role).some((s) => s.href === section)) return;
      return render(request, reply, 'message', { title: 'Not for this sign-in', paragraphs: ['Operations are for administrators.'] }, 403);
    });

    app.get(section, async (request: OpsRequest, reply) => {
      const api = apiFor(request);
      const [deadLetters, failing, partners, vendors] = await Promise.all([
        api<Record<string, unknown>>('GET', `/v1/dead-letters?limit=${countedUpTo}`),
        api<Record<string, unknown>>('GET', `/v1/webhooks/deliveries?state=failed&limit=${countedUpTo}`),
        api<Record<string, unknown>>('GET', `/v1/partners?limit=${countedUpTo}`),
        api<{ vendors: components['schemas']['Vendor'][] }>('GET', '/v1/vendors'),
      ]);
      return render(request, reply, 'operations', {
        title: 'Operations',
        section,
        cards: [
          {
            href: `${section}/dead-letters`,
            label: 'Dead letters',
            count: countOf(deadLetters, 'deadLetters', 'cursor'),
            what: 'waiting for a replay',
          },
          { href: `${section}/webhooks`, label: 'Webhook deliveries', count: countOf(failing, 'deliveries', 'limit'), what: 'failed' },
          { href: `${section}/partners`, label: 'Partners', count: countOf(partners, 'partners', 'cursor'), what: 'registered' },
          {
            href: `${section}/vendors`,
            label: 'Vendors',
            count: countOf(vendors as ApiAnswer<Record<string, unknown>>, 'vendors', 'whole'),
            what: 'registered',
          },
          { href: `${section}/people`, label: 'People', count: undefined, what: 'who decide approvals, and their keys' },
        ],
      });
    });

    await app.register(queueRoutes(deps));
    await app.register(keyRoutes(deps));
  };
}
