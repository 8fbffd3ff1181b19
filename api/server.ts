import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fastifyCookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import openapiGlue from 'fastify-openapi-glue';
import { parse as parseYaml } from 'yaml';
import { defaultStreamTiming, eventFeed, type Database, type StreamTiming } from '../adapters/db/index.ts';
import type { Outbound } from '../adapters/http/index.ts';
import type { SecretBox } from '../adapters/webhook/index.ts';
import type { FulfillmentDeps } from '../pipeline/fulfillment.ts';
import { findBadText, mayHoldBadText } from '../domain/text.ts';
import type { PipelineDeps } from '../pipeline/runner.ts';
import { firstTooDeep, jsonDepthLimit } from '../domain/json-depth.ts';
import { packageFile } from '../package-files.ts';
import { bearerAuth, bearerToken } from './auth.ts';
import { clientErrorHandler } from './client-errors.ts';
import type { DecideApproval } from '../domain/approval.ts';
import type { ApprovalDeps } from '../pipeline/approvals.ts';
import { approvalHandlers } from './approvals.ts';
import { cxmlHandlers } from './cxml.ts';
import { deadLetterHandlers, type Replayer } from './dead-letters.ts';
import { documentHandlers } from './documents.ts';
import { esignHandlers, type EsignCallbacks } from './esign.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
import { healthHandlers } from './health.ts';
import { databaseOutage } from './outage.ts';
import type { Metrics } from './metrics.ts';
import { orderHandlers } from './orders.ts';
import { itemReferenceHandlers } from './item-references.ts';
import { partnerPriceHandlers } from './partner-prices.ts';
import { partnerHandlers } from './partners.ts';
import { invalidCharacters, ProblemError } from './problems.ts';
import { taskHandlers } from './tasks.ts';
import { workItemHandlers } from './work-items.ts';
import { validatorCompiler } from './validation.ts';
import { vendorHandlers } from './vendors.ts';
import { webhookHandlers } from './webhooks.ts';
import { x12Handlers } from './x12.ts';
import type { ApprovalLinkDeps } from './approval-links.ts';
import { notificationHandlers } from './notifications.ts';
import { timelineHandlers } from './timeline.ts';
import { streamHandlers } from './stream.ts';
import { reportHandlers } from './reports.ts';
import { consoleRoutes } from './console/plugin.ts';

export const openapiPath = packageFile('openapi.yaml');

export function loadSpecification(): Record<string, unknown> {
  return parseYaml(readFileSync(openapiPath, 'utf8')) as Record<string, unknown>;
}

/** "POST /v1/orders" → the request body media types its operation names. */
function requestMediaTypes(specification: Record<string, unknown>): Map<string, string[]> {
  const types = new Map<string, string[]>();
  for (const [path, operations] of Object.entries(
    specification.paths as Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> } }>>,
  )) {
    for (const [method, operation] of Object.entries(operations)) {
      const content = operation.requestBody?.content;
      if (content !== undefined) types.set(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`, Object.keys(content));
    }
  }
  return types;
}

/** Everything the HTTP server uses, built once by the composition root (app/compose.ts); the server builds nothing of its own. */
export interface ServerDeps {
  db: Database;
  /** The order pipeline: store, catalog, stage timer. */
  pipeline: PipelineDeps;
  fulfillment: FulfillmentDeps;
  /** Takes a person's (or a signature's) decision on an approval. */
  decideApproval: DecideApproval;
  /** What approvals need beyond a decision: the escalation job's. */
  approvals: ApprovalDeps;
  /** Seals webhook secrets and our cXML shared secrets. */
  secrets: SecretBox;
  /** Where the gateway may send: registrations of URLs are checked with it, and the workers send through it. */
  outbound: Outbound;
  metrics: Metrics;
  bodyLimitBytes: number;
  /** Without one the server logs nothing (tests). */
  logger?: FastifyBaseLogger;
  /** Whether amqp vendors are served over RabbitMQ (AMQP_URL set) rather than through the mailbox. */
  amqp: boolean;
  /** Publishes a dead letter again; absent without a broker. */
  replayDeadLetter?: Replayer;
  /** Whether start-up is done (database reached and migrated): until then only /healthz and /readyz answer. */
  lifecycle: Lifecycle;
  /** How long a client may take with its headers, and with its whole request (config.ts). */
  timeouts: ServerTimeouts;
  /** Bearer token GET /metrics asks for; absent, it is open. */
  metricsToken?: string;
  /** Signature providers' callbacks and the decision they lead to; absent, their routes answer 404. */
  esign?: EsignCallbacks;
  /** The pages behind approval links (/a/{token}); without it they are not served. */
  approvalLinks?: ApprovalLinkDeps;
  /** GET /v1/stream's polling and heartbeat intervals; defaults when absent (tests shorten them). */
  stream?: StreamTiming;
  /** The gateway's address as people reach it (PUBLIC_BASE_URL): the console's e-mailed links point there. */
  publicBaseUrl?: string;
  /** The console's clock (sessions, sign-in links); now when absent. */
  clock?: () => Date;
}

export interface ServerTimeouts {
  headersMs: number;
  requestMs: number;
}

export const defaultTimeouts: ServerTimeouts = { headersMs: 10_000, requestMs: 30_000 };

export interface Lifecycle {
  started(): boolean;
}

export async function buildServer(options: ServerDeps): Promise<FastifyInstance> {
  const { db, pipeline, fulfillment, metrics, lifecycle, timeouts } = options;
  const app: FastifyInstance = Fastify({
    ...(options.logger === undefined ? { logger: false } : { loggerInstance: options.logger }),
    bodyLimit: options.bodyLimitBytes,
    // A slow sender holds a connection only so long (Node's defaults: 60 s and 5 min). Node enforces
    // both only when it checks its connections (every 30 s by default); checking every quarter of
    // the headers' time, at most every second, keeps the limits within that margin.
    requestTimeout: timeouts.requestMs,
    http: {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(timeouts.headersMs / 4))),
    },
    clientErrorHandler: clientErrorHandler(() => app.log),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Refused during shutdown by our own hook below, as problem+json like every other error.
    return503OnClosing: false,
  });
  const specification = loadSpecification();

  app.setValidatorCompiler(validatorCompiler);
  const outage = databaseOutage();
  app.setErrorHandler(errorHandler(outage));
  app.setNotFoundHandler(notFoundHandler);

  // Keep the bytes as sent: they are stored as the original document and fingerprinted.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    if (body.length === 0) return done(new ProblemError('malformed-json', 'the body is empty'));
    const text = body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return done(new ProblemError('malformed-json', (error as Error).message));
    }
    // First, so that no walk after it (the text check below included) can run out of stack.
    const tooDeep = firstTooDeep(parsed);
    if (tooDeep !== undefined) {
      const detail = `nested deeper than ${jsonDepthLimit} arrays and objects`;
      return done(
        new ProblemError('invalid-request', `body ${tooDeep}: ${detail}`, [{ in: 'body', pointer: tooDeep, code: 'max-depth', detail }]),
      );
    }
    // Refused before any handler: stored, such a text would fail the transaction (a 500).
    const bad = mayHoldBadText(text) ? findBadText(parsed) : [];
    if (bad.length > 0) return done(invalidCharacters('body', bad));
    done(null, parsed);
  });

  // Answers finished while shutting down close their keep-alive connection, so that close() can end.
  let closing = false;
  const streamTiming = options.stream ?? defaultStreamTiming;
  const feed = eventFeed(db, streamTiming, (error) => app.log.warn({ err: error }, 'event stream: reading events failed; trying again'));
  const stream = streamHandlers(db, feed);
  app.addHook('preClose', async () => {
    closing = true;
    // Open streams never end by themselves; close() would wait for them for ever.
    feed.stop();
    stream.closeAll();
  });
  // X12 arrives as bytes; its channel reads the delimiters from each ISA.
  app.addContentTypeParser(
    ['application/edi-x12', 'text/plain', 'text/xml', 'application/xml'],
    { parseAs: 'buffer' },
    (_request, body: Buffer, done) => done(null, body),
  );

  // Named in the spec as response types only (errors, the live stream, reports as CSV); as a request
  // body each is refused like any unknown type.
  app.addContentTypeParser(['application/problem+json', 'text/event-stream', 'text/csv'], (_request, _payload, done) =>
    done(new ProblemError('unsupported-media-type', 'send orders as application/json'), undefined),
  );

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) throw new ProblemError('service-unavailable', 'the gateway is shutting down', undefined, { 'retry-after': '1' });
    if (!lifecycle.started() && !request.url.startsWith('/healthz') && !request.url.startsWith('/readyz')) {
      throw new ProblemError('service-unavailable', 'the gateway is starting: waiting for its database', undefined, { 'retry-after': '5' });
    }
  });
  // Each operation takes only the body types the spec names; the parsers above are shared by all.
  const mediaTypes = requestMediaTypes(specification);
  app.addHook('preValidation', async (request) => {
    const allowed = mediaTypes.get(`${request.method} ${request.routeOptions.url}`);
    const sent = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (allowed !== undefined && sent !== undefined && !allowed.includes(sent)) {
      throw new ProblemError(
        'unsupported-media-type',
        `${request.method} ${request.routeOptions.url} takes ${allowed.join(' or ')}, not ${sent}`,
      );
    }
  });
  // Query and path parameters are looked up in the database: the same characters are refused there.
  app.addHook('preValidation', async (request) => {
    for (const [part, values] of [
      ['query', request.query],
      ['path', request.params],
    ] as const) {
      const bad = findBadText(values ?? {}).map(({ pointer, detail }) => ({ pointer: pointer.slice(1).replace(/\/\d+$/, ''), detail }));
      if (bad.length > 0) throw invalidCharacters(part, bad);
    }
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    // An answer that needed the database (an API route, or readiness) shows it is back.
    if (outage.isDown && reply.statusCode < 400 && (request.url.startsWith('/v1/') || request.url === '/readyz')) outage.up(request.log);
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.requestDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  // Console sessions are cookies, read by the console's pages and by the API's security handler.
  await app.register(fastifyCookie);
  await app.register(swagger, { mode: 'static', specification: { document: specification as never } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const metricsAccess = bearerToken(options.metricsToken);
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!metricsAccess(request.headers.authorization))
      throw new ProblemError('unauthorized', 'GET /metrics asks for the METRICS_TOKEN as a bearer token', undefined, {
        'www-authenticate': 'Bearer',
      });
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  await app.register(openapiGlue, {
    specification,
    serviceHandlers: {
      ...orderHandlers(db, pipeline),
      ...partnerHandlers(db, options.outbound, options.secrets, pipeline.calendars ?? new Map()),
      ...itemReferenceHandlers(db, pipeline),
      ...healthHandlers(db, outage, options.lifecycle),
      ...x12Handlers(db, pipeline),
      ...cxmlHandlers(db, pipeline, options.bodyLimitBytes),
      ...documentHandlers(db),
      ...taskHandlers(db),
      ...workItemHandlers(db, fulfillment, options.decideApproval),
      ...approvalHandlers(db, options.decideApproval),
      ...vendorHandlers(db, fulfillment, options.amqp, options.outbound),
      ...deadLetterHandlers(db, options.replayDeadLetter),
      ...webhookHandlers(db, pipeline, options.secrets, options.outbound),
      ...partnerPriceHandlers(db),
      ...esignHandlers(db, options.esign),
      ...notificationHandlers(db),
      ...timelineHandlers(db),
      ...reportHandlers(db),
      ...stream.handlers,
    },
    securityHandlers: { bearerAuth: bearerAuth(db) },
  });
  await app.register(
    consoleRoutes({
      db,
      ...(options.approvalLinks === undefined ? {} : { approvalLinks: options.approvalLinks }),
      ...(options.publicBaseUrl === undefined ? {} : { publicBaseUrl: options.publicBaseUrl }),
      ...(options.clock === undefined ? {} : { now: options.clock }),
    }),
  );
  return app;
}
