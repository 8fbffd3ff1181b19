import { loadConfig, ConfigError } from '../config.ts';
import type { FastifyBaseLogger } from 'fastify';
import { connectDatabase, describeDatabase, ensureAdminKey, migrateToLatest, type Database } from '../adapters/db/index.ts';
import { deliverDueWebhooks, loadSecretKey, secretBox, type SecretBox } from '../adapters/webhook/index.ts';
import { connectBroker } from '../adapters/amqp/index.ts';
import { fulfillmentDeps, pushStuckDocuments } from '../adapters/partners/index.ts';
import { startFulfillmentWorkers } from './fulfillment-workers.ts';
import { createLogger } from './logger.ts';
import { buildServer, startCatalog } from './server.ts';

// Starts the gateway: validated config, migrated database, admin key, HTTP server, graceful shutdown.

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = connectDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    log: { warn: (message) => logger.warn({ component: 'knex' }, message), error: (message) => logger.error({ component: 'knex' }, message) },
  });
  await migrateToLatest(db);
  const secrets = loadSecretKey(config.secretKey, config.dataDir);
  const catalog = startCatalog();
  const broker = config.amqpUrl === undefined ? undefined : connectBroker({ url: config.amqpUrl, prefix: config.amqpPrefix, connectionName: `ordergate-${process.pid}`, log: brokerLog(logger) });
  const workers = startFulfillmentWorkers({ db, fulfillment: fulfillmentDeps(db), log: logger, ...(broker === undefined ? {} : { broker }), vendors: Object.keys(catalog.vendors) });
  const app = await buildServer({
    db,
    bodyLimitBytes: config.bodyLimitBytes,
    logger,
    secretKey: secrets.key,
    catalog,
    amqp: broker !== undefined,
    ...(workers.replay === undefined ? {} : { replayDeadLetter: workers.replay }),
  });

  app.log.info(`database: ${describeDatabase({ url: config.databaseUrl, dataDir: config.dataDir })}`);
  if (broker === undefined) {
    app.log.warn('AMQP_URL is not set: vendors registered as amqp (and those nobody registered) take their requests through the mailbox (GET /v1/vendor/tasks, POST /v1/vendor/replies)');
  } else {
    app.log.info(`RabbitMQ: exchanges and queues named ${config.amqpPrefix}.*; connecting in the background`);
  }
  if (secrets.source.from === 'file') {
    // The key itself is never logged; where it is, is.
    const message = `webhook secrets are sealed with the key in ${secrets.source.path}; back it up, and set ORDERGATE_SECRET_KEY to the same value on every instance that shares this database`;
    if (secrets.source.created) app.log.warn(`ORDERGATE_SECRET_KEY is not set: generated a key (mode 0600). ${message}`);
    else app.log.info(message);
  }
  const webhooks = startWebhookDeliveries(db, secretBox(secrets.key), app.log);
  const admin = await ensureAdminKey(db, config.adminKey);
  if (admin.generated !== undefined) {
    // Printed once, straight to the terminal and not into the logs; only its hash is stored.
    process.stdout.write(`\n  Admin API key (shown once, only its hash is stored):\n\n    ${admin.generated}\n\n  Set ORDERGATE_ADMIN_KEY to choose your own.\n\n`);
  }

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: no new requests, finishing in-flight ones');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    try {
      await webhooks.stop();
      await app.close();
      app.log.info('http server closed');
      await workers.stop();
      await broker?.close();
      await db.destroy();
      app.log.info('database pool closed');
    } finally {
      clearTimeout(force);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
}

const brokerLog = (logger: FastifyBaseLogger) => ({
  info: (message: string) => logger.info({ component: 'amqp' }, message),
  warn: (message: string) => logger.warn({ component: 'amqp' }, message),
  error: (message: string) => logger.error({ component: 'amqp' }, message),
});

/** Outbound webhooks, and documents whose push never happened, every few seconds; a run still going when the next is due is not doubled. */
function startWebhookDeliveries(db: Database, secrets: SecretBox, log: FastifyBaseLogger) {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= deliverDueWebhooks({ db, secrets }, new Date())
      .then(() => pushStuckDocuments(db))
      .then(
        () => undefined,
        (error: unknown) => log.error({ err: error }, 'webhook or document push run failed'),
      )
      .finally(() => {
        running = undefined;
      });
  }, 5_000);
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await running;
    },
  };
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`ordergate failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
