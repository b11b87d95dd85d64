import { defineConfig } from 'vitest/config';
import { filesByNeed, TEST_INCLUDE } from './test/setup/requirements.ts';
import { slowTests } from './test/setup/slow-tests.ts';

/**
 * `npm run test:quick`: under a minute with no PostgreSQL, Docker, Chromium,
 * faketime or root. Leaves out every file that needs one of them (the rules
 * in test/setup/requirements.ts) and the slow files in
 * test/setup/slow-tests.ts (listed, or tagged `// @slow`); starts nothing,
 * type-checks nothing.
 */
const needing = Object.values(filesByNeed()).flat();

export default defineConfig({
  test: {
    include: TEST_INCLUDE,
    exclude: ['**/node_modules/**', ...needing, ...slowTests()],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    poolOptions: { forks: { minForks: 1, maxForks: 2 } },
    pool: 'forks',
  },
});
