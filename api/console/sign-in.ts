import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  consoleKeyOf,
  endSession,
  openSession,
  sendSignInLink,
  signInLinkMinutes,
  spendSignInLink,
  type SignInHolder,
} from '../../adapters/db/index.ts';
import type { ConsoleDeps } from './plugin.ts';
import { homeOf, render } from './render.ts';
import { cookieOptions, freshToken, sameToken, sessionCookie, signInCookie } from './session.ts';

// Signing in and out. A key opens a session for what that key may do; an e-mailed link opens one
// for its person. The link's page asks for a press of a button before spending it: mail scanners
// and previews open links, and must not use them up.

type Form = Record<string, string | undefined>;
type FormRequest = FastifyRequest<{ Body: Form | undefined; Querystring: { next?: string }; Params: { token: string } }>;

/** Only a page of the console: an address from a form must not send the browser elsewhere. */
export const localNext = (next: string | undefined): string | undefined =>
  next !== undefined && /^\/console(\/[\w\-./?=&%~]*)?$/.test(next) && !next.includes('//') ? next : undefined;

export function signInRoutes(deps: ConsoleDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const linkBase = deps.publicBaseUrl ?? 'http://localhost:8080';

  /** The sign-in page with a fresh token for its forms, double-submitted in a cookie. */
  function signInPage(request: FastifyRequest, reply: FastifyReply, next: string | undefined, problem?: string, status = 200) {
    const formToken = freshToken();
    reply.setCookie(signInCookie, formToken, cookieOptions(request, deps.publicBaseUrl, 3_600));
    return render(
      request,
      reply,
      'sign-in',
      {
        title: 'Sign in',
        formToken,
        next: localNext(next) ?? '',
        linkMinutes: signInLinkMinutes,
        ...(problem === undefined ? {} : { notice: { kind: 'problem' as const, text: problem } }),
      },
      status,
    );
  }

  const formTokenOk = (request: FormRequest): boolean => {
    const cookie = request.cookies[signInCookie];
    return cookie !== undefined && sameToken(request.body?._csrf, cookie);
  };

  async function signIn(request: FastifyRequest, reply: FastifyReply, holder: SignInHolder, next: string | undefined) {
    const { token } = await openSession(db, holder, now());
    reply.setCookie(sessionCookie, token, cookieOptions(request, deps.publicBaseUrl));
    reply.clearCookie(signInCookie, { path: '/' });
    // The next request reads the session afresh; its role decides the landing page there.
    return reply.redirect(localNext(next) ?? '/console', 303);
  }

  return async (app: FastifyInstance): Promise<void> => {
    app.get('/console/sign-in', async (request: FormRequest, reply) =>
      // Signed in already (a bookmark, the back button): straight on to where the page would lead.
      request.consoleSession === undefined
        ? signInPage(request, reply, request.query.next)
        : reply.redirect(localNext(request.query.next) ?? '/console', 303),
    );

    app.post('/console/sign-in', async (request: FormRequest, reply) => {
      const body = request.body ?? {};
      if (!formTokenOk(request)) return signInPage(request, reply, body.next, 'The form had expired; please sign in again.', 403);
      const key = body.key?.trim() ?? '';
      if (key === '' || key.length > 200) return signInPage(request, reply, body.next, 'Enter an API key.', 400);
      const found = await consoleKeyOf(db, key);
      if ('refused' in found)
        return signInPage(
          request,
          reply,
          body.next,
          found.refused === 'vendor'
            ? 'Vendor keys serve the vendor API only; sign in with a person’s, partner’s or admin key.'
            : 'This key is unknown or revoked.',
          401,
        );
      return signIn(request, reply, found, body.next);
    });

    app.post('/console/sign-in/link', async (request: FormRequest, reply) => {
      const body = request.body ?? {};
      if (!formTokenOk(request)) return signInPage(request, reply, undefined, 'The form had expired; please try again.', 403);
      const email = body.email?.trim() ?? '';
      if (!/^[^\s@]{1,64}@[^\s@]{1,190}$/.test(email)) return signInPage(request, reply, undefined, 'Enter an e-mail address.', 400);
      await sendSignInLink(db, email, now(), ({ token, name, expiresAt }) => ({
        subject: 'Your ordergate sign-in link',
        text:
          `Hello ${name},\n\nsign in to the ordergate console with this link (it works once, until ${expiresAt.toISOString()}):\n\n` +
          `${linkBase}/console/sign-in/link/${token}\n\nIf you did not ask for it, ignore this message.\n`,
      }));
      // The same answer whether or not someone has the address: the page must not tell who is known.
      return render(request, reply, 'message', {
        title: 'Check your mail',
        paragraphs: [
          `If a person with the address ${email} is known here, a sign-in link is on its way. It works once, for ${signInLinkMinutes} minutes.`,
        ],
        back: { href: '/console/sign-in', label: 'Back to sign-in' },
      });
    });

    app.get('/console/sign-in/link/:token', async (request: FormRequest, reply) => {
      const formToken = freshToken();
      reply.setCookie(signInCookie, formToken, cookieOptions(request, deps.publicBaseUrl, 3_600));
      reply.header('referrer-policy', 'no-referrer');
      return render(request, reply, 'message', {
        title: 'Sign in to ordergate',
        paragraphs: ['Press the button to sign in with this link. It works once.'],
        form: { action: `/console/sign-in/link/${encodeURIComponent(request.params.token)}`, token: formToken, button: 'Sign in' },
      });
    });

    app.post('/console/sign-in/link/:token', async (request: FormRequest, reply) => {
      if (!formTokenOk(request))
        return signInPage(request, reply, undefined, 'The form had expired; open the link from your mail again.', 403);
      const token = request.params.token;
      const personId = token.length > 100 ? undefined : await spendSignInLink(db, token, now());
      if (personId === undefined)
        return render(
          request,
          reply,
          'message',
          {
            title: 'This link cannot be used',
            paragraphs: ['It was used already, has expired, or was not made here. Ask for a new one.'],
            back: { href: '/console/sign-in', label: 'Sign in' },
          },
          410,
        );
      return signIn(request, reply, { personId }, undefined);
    });

    app.post('/console/sign-out', async (request: FormRequest, reply) => {
      const session = request.consoleSession;
      // A sign-out without the session's token is refused like any other forged form.
      if (session !== undefined && sameToken(request.body?._csrf, session.csrf)) await endSession(db, session.token);
      else if (session !== undefined) return reply.code(403).type('text/plain').send('The form token is missing or wrong.');
      reply.clearCookie(sessionCookie, { path: '/' });
      return reply.redirect('/console/sign-in', 303);
    });

    app.get('/console', async (request, reply) => {
      const session = request.consoleSession;
      return reply.redirect(session === undefined ? '/console/sign-in' : homeOf(session.principal.role), 303);
    });
  };
}
