import type { FastifyRequest } from 'fastify';
import type { ApiCall } from './api-call.ts';

// Partners by name rather than id on the console's pages. Only the admin may list partners; a
// partner signed in sees only itself, by the name its session carries.

/** Partner names by id, for the admin (empty for anyone else). */
export async function partnerNames(api: ApiCall, admin: boolean): Promise<Map<string, string>> {
  if (!admin) return new Map();
  const answer = await api<{ partners: { id: string; name: string }[] }>('GET', '/v1/partners?limit=500');
  return new Map(answer.ok ? answer.body.partners.map((p) => [p.id, p.name]) : []);
}

/** The partner's name: a partner signed in knows its own; the admin asks the API. */
export async function partnerName(api: ApiCall, request: FastifyRequest, partnerId: string): Promise<string> {
  const session = request.consoleSession;
  if (session?.principal.role !== 'admin') return session?.name ?? partnerId;
  const answer = await api<{ name: string }>('GET', `/v1/partners/${encodeURIComponent(partnerId)}`);
  return answer.ok ? answer.body.name : partnerId;
}
