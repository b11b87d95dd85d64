import { defineConfig } from 'vitest/config';
import { missingLine, missingNeeds, TEST_INCLUDE } from './test/setup/requirements.ts';

/**
 * Every test. A test file that needs something this machine lacks
 * (PostgreSQL, a Docker engine, Chromium, faketime, root: see
 * test/setup/requirements.ts) is left out, with one line per missing thing
 * saying how to get it; `npm test` first starts or installs what it can
 * (test/setup/prepare.ts).
 */
export default defineConfig(async () => {
  const missing = await missingNeeds();
  for (const m of missing) console.warn(missingLine(m));
  return {
    test: {
      include: TEST_INCLUDE,
      exclude: ['**/node_modules/**', ...missing.flatMap((m) => m.files)],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // Two cores: keep parallelism modest so real-socket tests are not starved.
      poolOptions: { forks: { minForks: 1, maxForks: 2 } },
      pool: 'forks' as const,
    },
  };
});
