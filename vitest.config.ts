import { defineConfig } from 'vitest/config';

// Two groups: everything that shares the local services runs in parallel first; then, alone and one
// file at a time, the fault tests that stop and restart those services.
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
          testTimeout: 120_000,
          hookTimeout: 120_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
