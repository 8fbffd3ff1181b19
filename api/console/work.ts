import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApprovalSummary } from '../../domain/approval.ts';
import { summaryView } from '../../domain/approval-messages.ts';
import { decisionHistory } from '../../pipeline/approvals.ts';
import type { components } from '../openapi.gen.ts';
import { apiFor, problemText } from './api-call.ts';
import type { ConsoleDeps } from './plugin.ts';
import { refusalOf, refusedPage, render } from './render.ts';
import { timeText } from './words.ts';
import { leaveNotice } from './session.ts';

// My work: the task lists and the approvals, with the buttons that act on them. Every action is the
// API's (claim, release, complete, decide), asked as the signed-in session.

type WorkItem = components['schemas']['WorkItem'];
type Approval = components['schemas']['Approval'];
type Form = Record<string, string | undefined>;

const workTypes: WorkItem['type'][] = ['person-task', 'approval', 'dead-letter', 'overdue-ack', 'deadline-missed'];

/** Only a page of My work: where a form sends the browser back to. */
const backTo = (back: string | undefined): string =>
  back !== undefined && /^\/console\/work(\?[\w\-=&%.]*)?$/.test(back) ? back : '/console/work';

export function workPages(deps: ConsoleDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/console/work', async (request: FastifyRequest<{ Querystring: Form }>, reply) => {
      const session = request.consoleSession!;
      const principal = session.principal;
      const me = principal.role === 'person' ? principal.personId : undefined;
      const query = request.query;
      const filters = {
        list: query.list === 'mine' ? 'mine' : 'all',
        type: workTypes.includes(query.type as WorkItem['type']) ? query.type : undefined,
        status: query.status === 'done' || query.status === 'cancelled' ? query.status : 'open',
        overdue: query.overdue === 'true',
      };
      const params = new URLSearchParams({ status: filters.status, limit: '50' });
      if (filters.list === 'mine' && me !== undefined) params.set('assignee', 'me');
      if (filters.type !== undefined) params.set('type', filters.type);
      if (filters.overdue) params.set('overdue', 'true');
      if (query.cursor !== undefined && query.cursor.length <= 1000) params.set('cursor', query.cursor);
      const answer = await apiFor(request)<{ tasks: WorkItem[]; nextCursor?: string }>('GET', `/v1/tasks?${params}`);
      if (!answer.ok) return refusedPage(request, reply, refusalOf(answer), { section: '/console/work', title: 'My work' });

      const seesOrders = principal.role === 'admin' || principal.role === 'partner';
      const tasks = answer.body.tasks.map((task) => {
        const open = task.status === 'open';
        return {
          id: task.id,
          title: task.title,
          type: task.type,
          comment: task.comment,
          due: timeText(task.dueAt),
          overdue: task.overdue,
          assigned: [...task.assignedRoles.map((r) => `role ${r}`), ...task.assignedPeople.map((p) => (p === me ? 'you' : p))].join(', '),
          claimedBy: task.claimedBy === null ? '' : task.claimedBy === me ? 'you' : task.claimedBy,
          href:
            task.type === 'approval'
              ? `/console/approvals/${encodeURIComponent(task.source.id)}`
              : seesOrders && task.orderId !== null
                ? `/console/orders/${encodeURIComponent(task.orderId)}`
                : undefined,
          canClaim: open && me !== undefined && task.claimedBy === null,
          canRelease: open && task.claimedBy !== null && (task.claimedBy === me || principal.role === 'admin'),
          decideHref: open && task.type === 'approval' ? `/console/approvals/${encodeURIComponent(task.source.id)}` : undefined,
          canComplete: open && (task.claimedBy === null || task.claimedBy === me || principal.role === 'admin'),
        };
      });
      const next =
        answer.body.nextCursor === undefined
          ? undefined
          : `/console/work?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(request.url.split('?')[1] ?? '')), cursor: answer.body.nextCursor })}`;
      return render(request, reply, 'work', {
        title: 'My work',
        section: '/console/work',
        isPerson: me !== undefined,
        filters,
        types: workTypes,
        tasks,
        next,
        back: request.url.length <= 500 ? request.url : '/console/work',
      });
    });

    /** A task's action, then back to the list with what came of it. */
    const act =
      (action: 'claim' | 'release' | 'complete', done: string) =>
      async (request: FastifyRequest<{ Params: { id: string }; Body: Form | undefined }>, reply: FastifyReply) => {
        const body = request.body ?? {};
        const comment = body.comment?.trim();
        const payload = action === 'complete' ? { ...(comment === undefined || comment === '' ? {} : { comment }) } : undefined;
        const answer = await apiFor(request)<WorkItem>('POST', `/v1/tasks/${encodeURIComponent(request.params.id)}/${action}`, payload);
        leaveNotice(
          reply,
          request,
          deps.publicBaseUrl,
          answer.ok ? { kind: 'done', text: `${answer.body.title}: ${done}.` } : { kind: 'problem', text: problemText(answer) },
        );
        return reply.redirect(backTo(body.back), 303);
      };
    app.post('/console/work/:id/claim', act('claim', 'claimed; it is yours now'));
    app.post('/console/work/:id/release', act('release', 'released to its roles'));
    app.post('/console/work/:id/complete', act('complete', 'completed'));

    app.get('/console/approvals/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const answer = await apiFor(request)<Approval>('GET', `/v1/approvals/${encodeURIComponent(request.params.id)}`);
      if (!answer.ok) return refusedPage(request, reply, refusalOf(answer), { section: '/console/work', title: 'Approval' });
      const approval = answer.body;
      const principal = request.consoleSession!.principal;
      const summary = consoleSummary(approval);
      return render(request, reply, 'approval', {
        title: `Order ${summary.externalRef}: approval`,
        section: '/console/work',
        approval,
        view: summaryView(summary),
        canDecide: approval.status === 'pending' && principal.role === 'person',
        orderHref: principal.role === 'admin' ? `/console/orders/${encodeURIComponent(approval.orderId)}` : undefined,
      });
    });

    app.post(
      '/console/approvals/:id/decision',
      async (request: FastifyRequest<{ Params: { id: string }; Body: Form | undefined }>, reply) => {
        const body = request.body ?? {};
        const decision = body.decision === 'approve' || body.decision === 'reject' ? body.decision : undefined;
        const comment = body.comment?.trim();
        const page = `/console/approvals/${encodeURIComponent(request.params.id)}`;
        if (decision === undefined) {
          leaveNotice(reply, request, deps.publicBaseUrl, { kind: 'problem', text: 'Choose Approve or Reject.' });
          return reply.redirect(page, 303);
        }
        const answer = await apiFor(request)<Approval>('POST', `/v1/approvals/${encodeURIComponent(request.params.id)}/decision`, {
          decision,
          ...(comment === undefined || comment === '' ? {} : { comment }),
        });
        leaveNotice(
          reply,
          request,
          deps.publicBaseUrl,
          answer.ok
            ? { kind: 'done', text: `You ${decision === 'approve' ? 'approved' : 'rejected'}; the approval is ${answer.body.status}.` }
            : { kind: 'problem', text: problemText(answer) },
        );
        return reply.redirect(page, 303);
      },
    );
  };
}

/** The API's approval, with its order, as the summary its people are sent. */
function consoleSummary(approval: Approval): ApprovalSummary {
  const order = approval.order;
  const level = approval.levels[approval.currentLevel - 1];
  return {
    approvalId: approval.id,
    orderId: approval.orderId,
    externalRef: order?.externalRef ?? approval.orderId,
    partner: order?.partner ?? { id: approval.partnerId, name: approval.partnerId },
    currency: order?.currency ?? '',
    computedTotal: order?.computedTotal ?? 0,
    ...(order?.statedTotal === undefined ? {} : { statedTotal: order.statedTotal }),
    lines: order?.lines ?? [],
    reasons: approval.reasons,
    level: { level: approval.currentLevel, name: level?.name ?? '', of: approval.levels.length },
    history: decisionHistory(
      approval.decisions.map((d) => ({
        ...d,
        personId: d.personId ?? null,
        personName: d.personName ?? null,
        provider: d.provider ?? null,
        envelopeId: d.envelopeId ?? null,
        comment: d.comment ?? null,
      })),
    ),
  };
}
