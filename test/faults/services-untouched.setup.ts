import { machineServices, servicesChanged } from './machine-services.ts';

// The faults project's global setup: the machine's PostgreSQL and RabbitMQ are read before the
// first test and after the last (pids and start times, machine-services.ts), and the run fails if
// either was stopped or restarted. The fault tests inject their faults through a proxy of their
// own (test/support/tcp-proxy.ts) or on a PostgreSQL of their own (private-postgres.ts), never on these.

export default async function setup(): Promise<() => Promise<void>> {
  const before = await machineServices();
  console.info(`faults: the machine's services before the tests: ${JSON.stringify(before)}`);
  return async () => {
    const after = await machineServices();
    const changes = servicesChanged(before, after);
    if (changes.length > 0) {
      // vitest reports an error thrown here but keeps its exit code: the run fails by this line.
      process.exitCode = 1;
      throw new Error(`the fault tests stopped or restarted a service they did not start:\n${changes.join('\n')}`);
    }
    console.info(`faults: the machine's PostgreSQL and RabbitMQ are the same processes after the tests`);
  };
}
