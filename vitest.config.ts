import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // 2-core machines: forks keep memory per file isolated without oversubscribing.
    pool: 'forks',
    maxWorkers: 2,
  },
});
