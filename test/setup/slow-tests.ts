/**
 * Test files `npm run test:quick` leaves out because they are slow, not
 * because they need something (requirements.ts covers those). Each took
 * more than about 2 s of test time on this 2-core machine when measured
 * (2026-12-02), mostly because they run the whole conformance suite or spawn
 * the CLI (a tsx process, about a second each) many times. `npm test` runs
 * them all. A new file that would push test:quick past a minute joins this
 * list, or says so itself: a test file whose source has a line comment
 * `// @slow` (reason after it) is left out as well.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listTestFiles, ROOT } from './requirements.ts';

export const SLOW_TAG = /^\s*\/\/\s*@slow\b/m;

/** The listed files and the tagged ones. */
export function slowTests(root = ROOT): string[] {
  const tagged = listTestFiles(root).filter((file) => SLOW_TAG.test(readFileSync(join(root, file), 'utf8')));
  return [...new Set([...SLOW_TESTS, ...tagged])];
}

export const SLOW_TESTS: readonly string[] = [
  // The conformance suite, end to end, against many relays.
  'conformance/mutants/kill-matrix.test.ts',
  'conformance/robustness.test.ts',
  'conformance/truth.test.ts',
  'conformance/conformance.test.ts',
  'conformance/other-implementations.test.ts',
  'conformance/foreign-relays/foreign-relay.test.ts',
  // The CLI as processes.
  'conformance/cli.test.ts',
  'test/peer/cli.test.ts',
  'cli/usability.test.ts',
  'cli/help-text.test.ts',
  'cli/sweep-cli.test.ts',
  'simulator/test/simulate-cli.test.ts',
  'test/relay/client-cli.test.ts',
  'test/relay/client-cli-input.test.ts',
  'test/relay/process.test.ts',
  'test/relay/hardening-process.test.ts',
  'test/relay/large-body-process.test.ts',
  'test/peer/demo.test.ts',
  'test/peer/private-dotfiles-cli.test.ts',
  'test/peer/renewal.test.ts',
  'test/remotehouse/peer-ui-cli.test.ts',
  'conformance/runner/target-process.test.ts',
  'conformance/runner/time-control.test.ts',
  'test/bench/sim-bench.test.ts',
  'test/bench/relay-bench.test.ts',
  // Run the CLI or whole suites to produce what they check (added 2026-12-02 by other work on issue 13).
  'test/schemas/conformance-results.test.ts',
  'test/schemas/simulator-results.test.ts',
  'test/schemas/simulator-sweep.test.ts',
  'cli/progress/long-runs.test.ts',
  'cli/progress/relay-stdout.test.ts',
  'conformance/runner/reports/repro.test.ts',
  // Builds, packs and installs the package; runs README.md's commands.
  'test/package/pack-install.test.ts',
  'test/readme/readme-commands.test.ts',
];
