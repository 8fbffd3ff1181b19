import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  findApprovalLink,
  noteLinkEvent,
  spendApprovalLink,
  unspendApprovalLink,
  type Database,
  type StoredLink,
} from '../adapters/db/index.ts';
import type { ApprovalSummary, DecideApproval, Decision, DecisionResult } from '../domain/approval.ts';
import { readLinkToken, signedFor } from '../domain/approval-links.ts';
import { escapeHtml, summaryView } from '../domain/approval-messages.ts';

// The pages behind the links in approval messages. GET shows the summary and a confirm button and
// changes nothing (mail scanners and link previews follow links); the form's POST decides. A link
// is spent before the decision is asked for, so that two POSTs of it never both decide; it is given
// back only when no decision was taken (the gateway failed, the form lacked a reject's comment).

export interface ApprovalLinkDeps {
  decide: DecideApproval;
  /** Signs and checks the tokens (adapters/notify linkKey). */
  linkKey: Buffer;
  /** Tests move it to see a link expire. */
  now?: () => Date;
}

type LinkRequest = FastifyRequest<{ Params: { token: string }; Body: Record<string, string> | undefined }>;

const e = escapeHtml;
const verbs: Record<Decision, { button: string; done: string }> = {
  approve: { button: 'Approve', done: 'approved' },
  reject: { button: 'Reject', done: 'rejected' },
};

/** A page in the console's look (api/console/views/link.eta); `html` is built here and escaped piece by piece. */
function page(reply: FastifyReply, status: number, title: string, html: string, summary?: ApprovalSummary, after = ''): FastifyReply {
  return (
    reply
      .code(status)
      .header('cache-control', 'no-store')
      // The token is in the address: it must not leave with a Referer, nor be indexed.
      .header('referrer-policy', 'no-referrer')
      .header('x-robots-tag', 'noindex')
      .type('text/html; charset=utf-8')
      .view('link', { title, html, after, ...(summary === undefined ? {} : { view: summaryView(summary) }) })
  );
}

type Checked = { ok: true; link: StoredLink; decision: Decision | null } | { ok: false; status: number; title: string; text: string };

/** The link behind a token, or why it cannot be used: 403 not ours or changed, 410 expired or used. */
async function check(db: Database, deps: ApprovalLinkDeps, token: string, now: Date): Promise<Checked> {
  const invalid = {
    ok: false,
    status: 403,
    title: 'This link is not valid',
    text: 'It was not made by this gateway, or it was changed since. Use the link from your message as it is.',
  } as const;
  const reading = readLinkToken(token);
  if (reading.kind === 'malformed') return invalid;
  const link = await findApprovalLink(db, reading.id);
  if (link === undefined) return invalid;
  if (reading.kind === 'signed') {
    if (link.decision === null) return invalid;
    const claims = {
      id: link.id,
      approvalId: link.approvalId,
      personId: link.personId,
      decision: link.decision,
      expiresAt: Math.floor(link.expiresAt.getTime() / 1000),
    };
    if (!signedFor(reading, claims, deps.linkKey)) return invalid;
  }
  if (link.expiresAt.getTime() <= now.getTime())
    return {
      ok: false,
      status: 410,
      title: 'This link has expired',
      text: 'Decide in the gateway, or ask for the approval to be sent again.',
    };
  if (link.usedAt !== null)
    return {
      ok: false,
      status: 410,
      title: 'This link has been used',
      text: `It was used at ${link.usedAt.toISOString()}; each link works once.`,
    };
  return { ok: true, link, decision: link.decision };
}

function form(reply: FastifyReply, status: number, link: StoredLink, problem?: string): FastifyReply {
  const order = `order ${e(link.summary.externalRef)}`;
  const comment = (required: boolean) =>
    `<p><label for="comment">Comment${required ? ' (a rejection needs one)' : ' (optional)'}</label><br><textarea id="comment" name="comment" rows="3" cols="50" maxlength="2000"${required ? ' required' : ''}></textarea></p>`;
  const warning = problem === undefined ? '' : `<p class="notice problem" role="alert">${e(problem)}</p>`;
  const buttons =
    link.decision === null
      ? `<button name="decision" value="approve">Approve ${order}</button> <button name="decision" value="reject" class="danger">Reject ${order}</button>`
      : `<button${link.decision === 'reject' ? ' class="danger"' : ''}>${verbs[link.decision].button} ${order}</button>`;
  return page(
    reply,
    status,
    `Order ${link.summary.externalRef} waits for your decision`,
    `${warning}<p>Deciding as <b>${e(link.personName)}</b>, level ${link.level}.</p>`,
    link.summary,
    [
      `<h2>Your decision</h2><form method="post">${comment(link.decision === 'reject')}<p>${buttons}</p></form>`,
      '<p class="quiet">Nothing is decided until you press the button.</p>',
    ].join('\n'),
  );
}

function outcomePage(reply: FastifyReply, link: StoredLink, decision: Decision, result: DecisionResult): FastifyReply {
  const order = `Order ${link.summary.externalRef}`;
  switch (result.kind) {
    case 'decided':
      return page(
        reply,
        200,
        `${order}: ${verbs[decision].done}`,
        `<p>Thank you. The approval is now ${e(result.status)}; the order is ${e(result.orderStatus)}.</p>`,
      );
    case 'already-decided':
      return page(
        reply,
        409,
        `${order} was decided already`,
        `<p>Someone decided it before you: the approval is ${e(result.status)}. Nothing was changed.</p>`,
      );
    case 'not-found':
      return page(reply, 410, `${order}: the approval no longer exists`, '<p>Nothing was changed.</p>');
    case 'not-yours':
      return page(reply, 403, `${order} is not waiting for you`, `<p>${e(result.detail)}</p><p>Nothing was changed.</p>`);
    case 'invalid':
      return page(reply, 400, `${order}: not decided`, `<p>${e(result.detail)}</p>`);
  }
}

export function approvalLinkRoutes(db: Database, deps: ApprovalLinkDeps) {
  const now = deps.now ?? (() => new Date());
  return async (app: FastifyInstance): Promise<void> => {
    // The confirm form's body is parsed by the console's scope these routes are registered in.
    app.get('/a/:token', { schema: { hide: true } }, async (request: LinkRequest, reply) => {
      const checked = await check(db, deps, request.params.token, now());
      if (!checked.ok) return page(reply, checked.status, checked.title, `<p>${e(checked.text)}</p>`);
      const { link } = checked;
      await noteLinkEvent(db, link, 'approval.link-opened', { userAgent: request.headers['user-agent'] ?? null });
      // No button for what can no longer be decided; the POST would say the same (the decision is the approvals' to refuse).
      if (link.approvalStatus !== 'pending')
        return page(
          reply,
          409,
          `Order ${link.summary.externalRef} was decided already`,
          `<p>The approval is ${e(link.approvalStatus)}.</p>`,
        );
      if (link.currentLevel !== link.level)
        return page(
          reply,
          409,
          `Order ${link.summary.externalRef} no longer waits for this level`,
          `<p>Level ${link.level} has been decided; the approval is at level ${link.currentLevel}.</p>`,
        );
      return form(reply, 200, link);
    });

    app.post('/a/:token', { schema: { hide: true } }, async (request: LinkRequest, reply) => {
      const at = now();
      const checked = await check(db, deps, request.params.token, at);
      if (!checked.ok) return page(reply, checked.status, checked.title, `<p>${e(checked.text)}</p>`);
      const { link } = checked;
      const body = request.body ?? {};
      const decision = link.decision ?? (body.decision === 'approve' || body.decision === 'reject' ? body.decision : undefined);
      if (decision === undefined) return form(reply, 400, link, 'Choose Approve or Reject.');
      const comment = body.comment?.trim() ?? '';
      if (decision === 'reject' && comment === '') return form(reply, 400, link, 'A rejection needs a comment.');
      if (!(await spendApprovalLink(db, link.id, at)))
        return page(reply, 410, 'This link has been used', '<p>Each link works once; it was used a moment ago.</p>');
      let result: DecisionResult;
      try {
        result = await deps.decide({
          approvalId: link.approvalId,
          decision,
          ...(comment === '' ? {} : { comment }),
          via: 'link',
          by: { person: link.personId },
        });
      } catch (error) {
        await unspendApprovalLink(db, link.id);
        throw error;
      }
      // Spent for good unless nothing was decided and the person can put it right (a reject's comment).
      if (result.kind === 'invalid') await unspendApprovalLink(db, link.id);
      await noteLinkEvent(db, link, 'approval.link-used', {
        decision,
        outcome: result.kind,
        ...(result.kind === 'decided' || result.kind === 'already-decided' ? { status: result.status } : {}),
      });
      return outcomePage(reply, link, decision, result);
    });
  };
}
