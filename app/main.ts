import type { AddressInfo } from 'node:net';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import { connectBroker } from '../adapters/amqp/index.ts';
import {
  connectDatabase,
  describeDatabase,
  ensureAdminKey,
  isDatabaseUnavailable,
  migrateToLatest,
  type Database,
} from '../adapters/db/index.ts';
import { createOutbound, defaultRetryPolicy } from '../adapters/http/index.ts';
import { loadSecretKey } from '../adapters/webhook/index.ts';
import { buildServer } from '../api/server.ts';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { packageRoot, packageVersion } from '../package-files.ts';
import { policyGate } from '../pipeline/approval-gate.ts';
import { levelNotice } from '../pipeline/approval-notices.ts';
import { composeServer, startApprovalPolicies, startCalendars, startCatalog } from './compose.ts';
import { signatureSenders } from '../adapters/esign/index.ts';
import { ackOverdueJob } from './jobs/ack-overdue.ts';
import { escalationsJob } from './jobs/escalations.ts';
import { signatureRequestsJob } from './jobs/signature-requests.ts';
import { deadLetterReplayer } from './jobs/dead-letters.ts';
import { documentPushesJob } from './jobs/document-pushes.ts';
import { webhookDeliveriesJob } from './jobs/webhook-deliveries.ts';
import { notificationsJob } from './jobs/notifications.ts';
import { emailSender, noticeSettings, twilioSender } from '../adapters/notify/index.ts';
import { createLogger } from './logger.ts';
import { explainStartFailure } from './start-failure.ts';
import { startWorkers, type Workers } from './workers.ts';

// The composition root: the one place the process is wired. Validated config, each dependency built
// once and handed to the HTTP server and the workers, the port opened, the database waited for and
// migrated, the admin key, the workers; graceful shutdown.

async function main(): Promise<void> {
  const config = loadConfig();
  facts = config;
  const logger = createLogger(config.logLevel);
  // Which file runs says whether this is the compiled build (dist/app/main.js) or the sources under tsx.
  logger.info(
    `starting ordergate ${packageVersion()} (${relative(fileURLToPath(packageRoot), fileURLToPath(import.meta.url))}, node ${process.version})…`,
  );
  const db = connectDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    log: {
      warn: (message) => logger.warn({ component: 'knex' }, message),
      error: (message) => logger.error({ component: 'knex' }, message),
    },
  });
  const secrets = loadSecretKey(config.secretKey, config.dataDir);
  // Checked before the port opens: a bad calendar, catalog or policy stops the start.
  const calendars = startCalendars(config.calendarsDir);
  const catalog = startCatalog(calendars);
  const approvalGate = policyGate(startApprovalPolicies(config.approvalsDir, calendars), catalog);
  const broker =
    config.amqpUrl === undefined
      ? undefined
      : connectBroker({
          url: config.amqpUrl,
          prefix: config.amqpPrefix,
          connectionName: `ordergate-${process.pid}`,
          log: brokerLog(logger),
        });
  let started = false;
  // The links in approval messages, and the key they are checked with (derived from the secret key).
  const notices = noticeSettings(config, secrets.key);
  const deps = composeServer({
    db,
    catalog,
    approvals: { gate: approvalGate, notice: levelNotice(notices) },
    calendars,
    outbound: createOutbound(config.outbound),
    secretKey: secrets.key,
    bodyLimitBytes: config.bodyLimitBytes,
    timeouts: { headersMs: config.headersTimeoutMs, requestMs: config.requestTimeoutMs },
    ...(config.metricsToken === undefined ? {} : { metricsToken: config.metricsToken }),
    logger,
    amqp: broker !== undefined,
    ...(broker === undefined ? {} : { replayDeadLetter: deadLetterReplayer(broker) }),
    started: () => started,
    // Providers without settings are undefined: their callback routes answer 404.
    esign: { docusign: config.docusign, acrobatSign: config.acrobatSign },
    approvalLinks: { linkKey: notices.linkKey },
    publicBaseUrl: config.publicBaseUrl,
  });
  const app = await buildServer(deps);
  let workers: Workers | undefined = undefined;
  // Without SMTP_URL (or Twilio) approval messages are kept, listed and marked not-sent.
  const email = config.smtpUrl === undefined ? undefined : emailSender({ smtpUrl: config.smtpUrl, from: config.smtpFrom });
  const sms = config.twilio === undefined ? undefined : twilioSender(config.twilio);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: no new requests, finishing in-flight ones');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    try {
      await app.close();
      app.log.info('http server closed');
      await workers?.stop();
      email?.close();
      deps.outbound.close();
      await broker?.close();
      await db.destroy();
      app.log.info('database pool closed');
    } finally {
      clearTimeout(force);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  // Listening from the first moment: /healthz says the process lives, /readyz says it is not ready
  // yet, and everything else is 503 until the database has been reached and migrated.
  await app.listen({ port: config.port, host: config.host });
  app.log.info(`database: ${describeDatabase({ url: config.databaseUrl, dataDir: config.dataDir })}`);
  app.log.info('migrating the database…');
  const migrating = performance.now();
  if (!(await untilMigrated(db, app.log, () => stopping))) return;
  app.log.info(`database migrated in ${seconds(performance.now() - migrating)}`);
  const admin = await ensureAdminKey(db, config.adminKey);
  if (admin.generated !== undefined) {
    // Printed once, straight to the terminal and not into the logs; only its hash is stored.
    process.stdout.write(
      `\n  Admin API key (shown once, only its hash is stored):\n\n    ${admin.generated}\n\n  Set ORDERGATE_ADMIN_KEY to choose your own.\n\n`,
    );
  }
  workers = startWorkers({
    db,
    fulfillment: deps.fulfillment,
    log: logger,
    ...(broker === undefined ? {} : { broker }),
    vendors: Object.keys(catalog.vendors),
    outbound: deps.outbound.endpoints,
    jobs: [
      webhookDeliveriesJob(db, deps.secrets, deps.outbound.webhooks),
      documentPushesJob(db, { retry: defaultRetryPolicy, outbound: deps.outbound.endpoints, secrets: deps.secrets }),
      ackOverdueJob(db),
      escalationsJob({ approvals: deps.approvals, baseUrl: notices.baseUrl }),
      signatureRequestsJob(deps.approvals.store, {
        db,
        senders: signatureSenders({ docusign: config.docusign, acrobatSign: config.acrobatSign }),
      }),
      notificationsJob(db, { ...(email === undefined ? {} : { email: email.send }), ...(sms === undefined ? {} : { sms }) }),
    ],
  });
  started = true;

  if (broker === undefined) {
    app.log.warn(
      'AMQP_URL is not set: vendors registered as amqp (and those nobody registered) take their requests through the mailbox (GET /v1/vendor/tasks, POST /v1/vendor/replies)',
    );
  } else {
    app.log.info(`RabbitMQ: exchanges and queues named ${config.amqpPrefix}.*; connecting in the background`);
  }
  if (config.outbound.allowHttp)
    app.log.warn('OUTBOUND_ALLOW_HTTP=true: webhooks, vendors and partner endpoints may be sent to over plain http (development only)');
  if (config.outbound.allowHosts.length + config.outbound.allowCidrs.length > 0)
    app.log.info(
      `outbound allow-list: ${[...config.outbound.allowHosts, ...config.outbound.allowCidrs].join(', ')} (admin-set URLs${config.outbound.webhooksUseAllowList ? ' and webhook subscriptions' : ''})`,
    );
  if (config.smtpUrl === undefined)
    app.log.info('SMTP_URL is not set: approval e-mails are kept and listed by GET /v1/notifications, marked not-sent');
  if (secrets.source.from === 'file') {
    // The key itself is never logged; where it is, is.
    const message = `webhook secrets are sealed with the key in ${secrets.source.path}; back it up, and set ORDERGATE_SECRET_KEY to the same value on every instance that shares this database`;
    if (secrets.source.created) app.log.warn(`ORDERGATE_SECRET_KEY is not set: generated a key (mode 0600). ${message}`);
    else app.log.info(message);
  }
  // performance.now() counts from the start of the process.
  app.log.info(`ready in ${seconds(performance.now())}: the API answers on ${localUrl(app.server.address(), config)}`);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Where to reach the gateway from this machine: localhost when it listens on every address. */
function localUrl(address: string | AddressInfo | null, config: Config): string {
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host =
    config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}`;
}

/**
 * A database host that is restarting (or not up yet) is waited for, with back-off, for as long as
 * it takes: a gateway without a supervisor must not exit because it started first. Anything else
 * (a wrong password, a failing migration) ends the start. False when stopped meanwhile.
 */
async function untilMigrated(db: Database, log: FastifyBaseLogger, stopping: () => boolean): Promise<boolean> {
  for (let attempt = 0; !stopping(); attempt++) {
    try {
      await migrateToLatest(db);
      if (attempt > 0) log.info(`database reached after ${attempt + 1} attempts; migrated`);
      return true;
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      const waitMs = Math.min(15_000, 500 * 2 ** attempt);
      log.warn(`database not reachable (${error instanceof Error ? error.message : String(error)}); trying again in ${waitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
  return false;
}

const brokerLog = (logger: FastifyBaseLogger) => ({
  info: (message: string) => logger.info({ component: 'amqp' }, message),
  warn: (message: string) => logger.warn({ component: 'amqp' }, message),
  error: (message: string) => logger.error({ component: 'amqp' }, message),
});

/** Read once the configuration is; what a start failure is explained with. */
let facts: Config | undefined;

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    const config = facts ?? { port: 0, host: '', dataDir: '', databaseUrl: undefined };
    process.stderr.write(`ordergate failed to start: ${explainStartFailure(error, config)}\n`);
    if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace')
      process.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
  }
  process.exit(1);
});
