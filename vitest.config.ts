import { defineConfig } from 'vitest/config';

// Two groups: everything that shares the local services runs in parallel first; then, alone and one
// file at a time, the fault tests. They run real gateway processes and inject faults through a TCP
// proxy of their own (test/support/tcp-proxy.ts) or on a private PostgreSQL they start themselves
// (test/faults/private-postgres.ts); they never stop or restart the machine's PostgreSQL or
// RabbitMQ, and their global setup fails the run if either one's process changed meanwhile.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'main',
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**', 'test/faults/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          fileParallelism: false,
          globalSetup: ['test/faults/services-untouched.setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
