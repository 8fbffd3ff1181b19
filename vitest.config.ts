import { defineConfig } from 'vitest/config';

// Three groups: everything that shares the local services runs in parallel first; then the console's
// browser tests, one Chromium at a time; then, alone and one file at a time, the fault tests. They run real gateway processes and inject faults through a TCP
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
          exclude: ['node_modules/**', 'test/faults/**', 'test/console/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The console in a real headless Chromium, one browser at a time after the main group.
        test: {
          name: 'browser',
          include: ['test/console/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 1 },
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
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
