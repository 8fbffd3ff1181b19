import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  approvalsOfOrder,
  createPerson,
  createPersonKey,
  getApproval,
  getOrder,
  getPartner,
  listApprovals,
  listPeople,
  type ApprovalView,
  type Database,
} from '../adapters/db/index.ts';
import type { DecideApproval } from '../domain/approval.ts';
import { orderToDecide } from '../pipeline/approvals.ts';
import { principalOf } from './auth.ts';
import type { operations } from './openapi.gen.ts';
import { ProblemError } from './problems.ts';

// People who decide, the approvals waiting for them, and their decisions.

type PersonBody = operations['createPerson']['requestBody']['content']['application/json'];
type ListQuery = NonNullable<operations['listApprovals']['parameters']['query']>;
type DecisionBody = operations['decideApproval']['requestBody']['content']['application/json'];
type IdParams = { id: string };

/** The contract's Person: absent fields left out rather than null. */
const personView = (person: { id: string; name: string; email: string | null; phone: string | null; roles: string[] }) => ({
  id: person.id,
  name: person.name,
  ...(person.email === null ? {} : { email: person.email }),
  ...(person.phone === null ? {} : { phone: person.phone }),
  roles: person.roles,
});

export function approvalHandlers(db: Database, decide: DecideApproval) {
  const approvalOr404 = async (id: string): Promise<ApprovalView> => {
    const approval = await getApproval(db, id);
    if (approval === undefined) throw new ProblemError('not-found', `approval ${id} does not exist`);
    return approval;
  };

  return {
    async createPerson(request: FastifyRequest<{ Body: PersonBody }>, reply: FastifyReply) {
      const { name, email, phone, roles } = request.body;
      const person = await createPerson(db, {
        name,
        roles: [...new Set(roles)],
        ...(email === undefined ? {} : { email }),
        ...(phone === undefined ? {} : { phone }),
      });
      reply.code(201);
      return personView(person);
    },

    async listPeople() {
      return { people: (await listPeople(db)).map(personView) };
    },

    async createPersonKey(request: FastifyRequest<{ Params: IdParams }>, reply: FastifyReply) {
      const issued = await createPersonKey(db, request.params.id);
      if (issued === undefined) throw new ProblemError('not-found', `person ${request.params.id} does not exist`);
      reply.code(201);
      return issued;
    },

    async listApprovals(request: FastifyRequest<{ Querystring: ListQuery }>) {
      const principal = principalOf(request);
      const { assignee, status, limit = 100 } = request.query;
      if (assignee === 'me' && principal.role !== 'person')
        throw new ProblemError('invalid-request', 'assignee=me is for a person key: this key belongs to no person', [
          { in: 'query', pointer: '/assignee', code: 'not-a-person', detail: `a ${principal.role} key has no approvals of its own` },
        ]);
      const approvals = await listApprovals(db, {
        limit,
        ...(status === undefined ? {} : { status }),
        ...(assignee === 'me' && principal.role === 'person' ? { personId: principal.personId } : {}),
      });
      return { approvals };
    },

    async getApproval(request: FastifyRequest<{ Params: IdParams }>) {
      const approval = await approvalOr404(request.params.id);
      const [order, partner] = await Promise.all([getOrder(db, approval.orderId, { partnerId: null }), getPartner(db, approval.partnerId)]);
      return order === undefined ? approval : { ...approval, order: orderToDecide(order, partner?.name ?? approval.partnerId) };
    },

    async decideApproval(request: FastifyRequest<{ Params: IdParams; Body: DecisionBody }>) {
      const principal = principalOf(request);
      if (principal.role !== 'person') throw new ProblemError('forbidden', 'approvals are decided with a person key');
      const { decision, comment } = request.body;
      const result = await decide({
        approvalId: request.params.id,
        decision,
        via: 'api',
        by: { person: principal.personId },
        ...(comment === undefined ? {} : { comment }),
      });
      switch (result.kind) {
        case 'not-found':
          throw new ProblemError('not-found', `approval ${request.params.id} does not exist`);
        case 'not-yours':
          throw new ProblemError('forbidden', result.detail);
        case 'invalid':
          // A reject without its reason is the request's fault; anything else is the approval's state.
          if (decision === 'reject' && comment === undefined)
            throw new ProblemError('invalid-request', result.detail, [
              { in: 'body', pointer: '/comment', code: 'required', detail: result.detail },
            ]);
          throw new ProblemError('invalid-state', result.detail);
        case 'already-decided':
          throw new ProblemError(
            'already-decided',
            `approval ${request.params.id} is ${result.status} already; this decision changed nothing`,
          );
        case 'decided':
          return approvalOr404(request.params.id);
      }
    },

    async listOrderApprovals(request: FastifyRequest<{ Params: IdParams }>) {
      const principal = principalOf(request);
      const approvals = await approvalsOfOrder(db, request.params.id, principal.partnerId);
      if (approvals === undefined)
        throw new ProblemError('not-found', `order ${request.params.id} does not exist or belongs to another partner`);
      return { approvals };
    },
  };
}
