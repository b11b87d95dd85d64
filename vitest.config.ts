import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['reference/**/*.test.ts', 'conformance/**/*.test.ts', 'simulator/**/*.test.ts', 'cli/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: keep parallelism modest so real-socket tests are not starved.
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
    pool: 'forks',
  },
});
