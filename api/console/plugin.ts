import fastifyStatic from '@fastify/static';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../adapters/db/index.ts';
import { packageFile } from '../../package-files.ts';
import { approvalLinkRoutes, type ApprovalLinkDeps } from '../approval-links.ts';
import { orderRoutes } from './orders.ts';
import { documentPages } from './documents.ts';
import { render } from './render.ts';
import { reportPages } from './reports.ts';
import { sameToken, sessionOf } from './session.ts';
import { operationsRoutes } from './operations.ts';
import { signInRoutes } from './sign-in.ts';
import { workPages } from './work.ts';

// The operations console: server-rendered pages under /console over the same API the machines use
// (api-call.ts). Everything it loads comes from the gateway itself: the content security policy
// names no other host, so a page works offline and leaks nothing to a CDN.

export interface ConsoleDeps {
  db: Database;
  /** The gateway's address as people reach it (PUBLIC_BASE_URL): e-mailed links point there, https makes cookies Secure. */
  publicBaseUrl?: string;
  /** Tests move it. */
  now?: () => Date;
  /** The pages behind approval links (/a/{token}), served in the console's look; without it they are not served. */
  approvalLinks?: ApprovalLinkDeps;
}

// Open without a session: signing in, the stylesheet and scripts, and approval links (their token is the credential).
const publicPaths = /^\/(console\/(sign-in(\/|$|\?)|assets\/)|a\/)/;

const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

export function consoleRoutes(deps: ConsoleDeps) {
  const now = deps.now ?? (() => new Date());
  return async (app: FastifyInstance): Promise<void> => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 65_536 }, (_request, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    await app.register(fastifyView, {
      engine: { eta: new Eta({ views: fileURLToPath(packageFile('api/console/views/')), cache: true }) },
      templates: fileURLToPath(packageFile('api/console/views/')),
      production: true,
    });
    await app.register(fastifyStatic, {
      root: fileURLToPath(packageFile('api/console/assets/')),
      prefix: '/console/assets/',
      maxAge: '1h',
    });

    app.addHook('onRequest', async (request, reply) => {
      reply.headers(securityHeaders);
      if (!request.url.startsWith('/console/assets/')) reply.header('cache-control', 'no-store');
      request.consoleSession = await sessionOf(deps.db, request, now());
    });
    // Every page but sign-in needs a session, and every form but sign-in's carries the session's token.
    app.addHook('preHandler', async (request: FastifyRequest<{ Body: Record<string, string> | undefined }>, reply: FastifyReply) => {
      const path = request.url;
      if (publicPaths.test(path) || path === '/console/sign-out' || path === '/console') return;
      const session = request.consoleSession;
      if (session === undefined) {
        if (request.method === 'GET') return reply.redirect(`/console/sign-in?next=${encodeURIComponent(path)}`, 303);
        return render(
          request,
          reply,
          'message',
          {
            title: 'Signed out',
            paragraphs: ['Sign in again, then repeat what you did.'],
            back: { href: '/console/sign-in', label: 'Sign in' },
          },
          401,
        );
      }
      if (request.method !== 'GET' && request.method !== 'HEAD' && !sameToken(request.body?._csrf, session.csrf))
        return render(
          request,
          reply,
          'message',
          { title: 'The form could not be accepted', paragraphs: ['Its form token is missing or wrong. Reload the page and try again.'] },
          403,
        );
    });

    if (deps.approvalLinks !== undefined) await app.register(approvalLinkRoutes(deps.db, deps.approvalLinks));
    await app.register(signInRoutes(deps));
    await app.register(workPages(deps));
    await app.register(operationsRoutes(deps));
    await app.register(orderRoutes(deps));
    await app.register(documentPages());
    await app.register(reportPages(now));
    app.get('/console/*', async (request, reply) =>
      render(
        request,
        reply,
        'message',
        {
          title: 'No such page',
          paragraphs: [`The console has no page at ${request.url.split('?')[0] ?? ''}.`],
          back: { href: '/console', label: 'Back to the console' },
        },
        404,
      ),
    );
  };
}
