import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canCancel } from '../../domain/order-status.ts';
import { defaultBox } from '../../domain/task-graph-layout.ts';
import type { components } from '../openapi.gen.ts';
import { apiFor, problemText, type ApiAnswer } from './api-call.ts';
import { lineRows, money, partyLines, taskGraph, type TaskJson } from './order-view.ts';
import type { ConsoleDeps } from './plugin.ts';
import { refusalOf, refusedPage, render } from './render.ts';
import { leaveNotice } from './session.ts';
import { when } from './words.ts';

// One order: its header, its lines as a tree, its task graph, its approvals and its timeline, from
// the API's four reads of the order; and the cancel form, which goes through the API's use case.

type Order = components['schemas']['Order'];
type Approval = components['schemas']['Approval'];
type TimelineEntry = components['schemas']['TimelineEntry'];
type Partner = components['schemas']['Partner'];
type OrderRequest = FastifyRequest<{ Params: { id: string }; Body: Record<string, string | undefined> | undefined }>;

const orderHref = (id: string) => `/console/orders/${encodeURIComponent(id)}`;

const who = (assignee: { role?: string; person?: string } | undefined): string =>
  assignee === undefined ? '' : assignee.person !== undefined ? `person ${assignee.person}` : `role ${assignee.role ?? '?'}`;

function levelState(approval: Approval, level: number): string {
  if (approval.status === 'pending' && level === approval.currentLevel) return 'deciding now';
  if (level < approval.currentLevel || approval.decisions.some((d) => d.level === level)) return 'decided';
  return 'not reached';
}

function approvalView(approval: Approval) {
  return {
    id: approval.id,
    status: approval.status,
    created: when(approval.createdAt),
    decided: when(approval.decidedAt),
    reasons: approval.reasons.map((r) => (r.lineNumber === undefined ? r.detail : `line ${r.lineNumber}: ${r.detail}`)),
    levels: approval.levels.map((level) => ({
      level: level.level,
      name: level.name,
      assignees: level.assignees.map(who).join(', '),
      mode: level.mode === 'all' ? 'all of them' : 'any one',
      method: level.method === 'signature' ? `signature (${level.signatureProvider ?? '?'})` : 'click',
      sla: level.sla ?? '',
      escalateTo: who(level.escalateTo),
      state: levelState(approval, level.level),
    })),
    decisions: approval.decisions.map((d) => ({
      level: d.level,
      decision: d.decision === 'approve' ? 'approved' : 'rejected',
      by: d.personName ?? d.personId ?? d.provider ?? '',
      via: d.via,
      comment: d.comment ?? '',
      at: when(d.at),
    })),
  };
}

function timelineView(entries: readonly TimelineEntry[]) {
  return entries.map((entry) => ({
    at: when(entry.at),
    kind: entry.kind,
    summary: entry.summary,
    ...(entry.kind === 'document' ? { documentHref: `/console/documents/${encodeURIComponent(entry.ref.id)}` } : {}),
  }));
}

/** Each document of the order once, in the order the timeline met them. */
function documentsOf(entries: readonly TimelineEntry[]) {
  const seen = new Map<string, { href: string; label: string }>();
  for (const entry of entries)
    if (entry.kind === 'document' && !seen.has(entry.ref.id))
      seen.set(entry.ref.id, {
        href: `/console/documents/${encodeURIComponent(entry.ref.id)}`,
        label: `${entry.direction === 'outbound' ? 'Out' : 'In'}: ${entry.type ?? 'document'} (${entry.channel ?? '?'})`,
      });
  return [...seen.values()];
}

export function orderPageRoutes(deps: ConsoleDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/console/orders/:id', async (request: OrderRequest, reply) => {
      const session = request.consoleSession;
      if (session === undefined) throw new Error('the console hook lets no one in without a session');
      const api = apiFor(request);
      const path = `/v1/orders/${encodeURIComponent(request.params.id)}`;
      const [order, tasks, approvals, timeline] = await Promise.all([
        api<Order>('GET', path),
        api<{ tasks: TaskJson[] }>('GET', `${path}/tasks`),
        api<{ approvals: Approval[] }>('GET', `${path}/approvals`),
        api<{ entries: TimelineEntry[] }>('GET', `${path}/timeline`),
      ]);
      if (!order.ok)
        // A malformed id names no order: told as one, 404.
        return refusedPage(
          request,
          reply,
          { ...refusalOf(order as ApiAnswer), ...(order.status === 400 ? { status: 404 } : {}) },
          {
            section: '/console/orders',
            title: order.status === 404 || order.status === 400 ? 'No such order' : 'The order could not be read',
            back: { href: '/console/orders', label: 'Back to the orders' },
          },
        );
      const o = order.body;
      const partner =
        session.principal.role === 'admin' ? await api<Partner>('GET', `/v1/partners/${encodeURIComponent(o.partnerId)}`) : undefined;
      const entries = timeline.ok ? timeline.body.entries : [];
      const graph = taskGraph(tasks.ok ? tasks.body.tasks : []);
      return render(request, reply, 'order', {
        title: `Order ${o.externalRef}`,
        section: '/console/orders',
        order: o,
        href: orderHref(o.id),
        partner: partner === undefined ? session.name : partner.ok ? partner.body.name : o.partnerId,
        facts: {
          received: when(o.createdAt),
          updated: when(o.updatedAt),
          total: money(o.totals.amount, o.currency),
          statedTotal: o.statedTotal === undefined ? undefined : money(o.statedTotal, o.currency),
          buyer: partyLines(o.buyer),
          shipTo: partyLines(o.shipTo),
          billTo: partyLines(o.billTo),
        },
        lines: lineRows(o.lines).map((row) => ({
          ...row,
          unitPrice: money(row.line.unitPrice, o.currency),
          amount: money(row.line.amount, o.currency),
        })),
        graph,
        box: defaultBox,
        approvals: approvals.ok ? approvals.body.approvals.map(approvalView) : [],
        timeline: timelineView(entries),
        documents: documentsOf(entries),
        unread: [tasks, approvals, timeline].filter((a) => !a.ok).map((a) => problemText(a as ApiAnswer)),
        cancellable: canCancel(o.status),
      });
    });

    app.post('/console/orders/:id/cancel', async (request: OrderRequest, reply) => {
      const reason = (request.body?.reason ?? '').trim().slice(0, 500);
      const answer = await apiFor(request)(
        'POST',
        `/v1/orders/${encodeURIComponent(request.params.id)}/cancel`,
        reason === '' ? {} : { reason },
      );
      leaveNotice(
        reply,
        request,
        deps.publicBaseUrl,
        answer.ok ? { kind: 'done', text: 'The order is cancelled.' } : { kind: 'problem', text: `Not cancelled: ${problemText(answer)}` },
      );
      return reply.redirect(orderHref(request.params.id), 303);
    });
  };
}
