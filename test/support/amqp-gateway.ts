import { connectBroker, type Broker } from '../../adapters/amqp/index.ts';
import { brokerUrl, deleteTopology, memoryLog, testPrefix, type MemoryLog } from '../../adapters/amqp/test-support.ts';
import { deadLetterReplayer } from '../../app/jobs/dead-letters.ts';
import { startWorkers } from '../../app/workers.ts';
import { playOverRabbitMq } from '../../cli/vendor-sim/play.ts';
import { startTestApp, type TestApp } from './app.ts';
import { demoVendors } from './fulfillment.ts';

// The gateway in-process on the real RabbitMQ under a prefix of its own: the API, the fulfillment
// workers on their own connection, and simulated vendors on another.

export interface AmqpGateway {
  t: TestApp;
  gatewayBroker: Broker;
  vendorBroker: Broker;
  /** The brokers' log, and the workers' errors. */
  log: MemoryLog;
  /** Plays these vendors (ack → ship → complete) until close. */
  play(vendors: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export async function startAmqpGateway(tag: string): Promise<AmqpGateway> {
  const prefix = testPrefix();
  const log = memoryLog();
  const gatewayBroker = connectBroker({ url: brokerUrl, prefix, connectionName: `${tag}-gateway-${prefix}`, log });
  const vendorBroker = connectBroker({ url: brokerUrl, prefix, connectionName: `${tag}-vendors-${prefix}`, log });
  await gatewayBroker.ready();
  const t = await startTestApp('postgres', { server: { amqp: true, replayDeadLetter: deadLetterReplayer(gatewayBroker) } });
  const workers = startWorkers({
    db: t.database.db,
    fulfillment: t.deps.fulfillment,
    log: { info: () => undefined, warn: () => undefined, error: (...args: unknown[]) => log.error(JSON.stringify(args)) },
    broker: gatewayBroker,
    vendors: demoVendors,
    idleMs: 20,
    outbound: t.deps.outbound.endpoints,
  });
  const players: { stop(): Promise<void> }[] = [];
  return {
    t,
    gatewayBroker,
    vendorBroker,
    log,
    async play(vendors) {
      players.push(await playOverRabbitMq(vendorBroker, vendors, { delayMs: 0 }));
    },
    async close() {
      for (const player of players) await player.stop();
      await workers.stop();
      await vendorBroker.close();
      await gatewayBroker.close();
      await t.close();
      await deleteTopology(prefix, demoVendors);
    },
  };
}
