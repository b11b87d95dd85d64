/**
 * `npm run bench:sim`: prints events/s, wall time and peak memory of the
 * simulator on the workload (see sim-workload.ts; `--peers N`,
 * `--duration 2h`, `--seed N` pass through).
 *
 * It first bundles the workload with esbuild and runs the bundle in a
 * fresh node process. Under tsx every function gets esbuild's `keepNames`
 * wrapper, which gives each closure its own property dictionary: that
 * alone costs about 2 KB per simulated peer and a few percent of CPU,
 * which is not what the simulator itself costs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { SEMI_SPACE_MIB } from '../simulator/heap-advice.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'node_modules/.cache/relaylab-bench/sim-workload.mjs');
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(root, 'bench/sim-workload.ts')],
  // Module comments name paths from here, whatever the caller's directory: --by-module reads them.
  absWorkingDir: root,
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  keepNames: false,
  logLevel: 'warning',
  // CommonJS dependencies (yaml) may call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
});
// V8's default old-space limit (about 4 GiB here) would make a million-peer run spend its time in
// back-to-back full collections at the limit; a roomy limit lets peak RSS show what the run needs.
// The semi-space simulation runs get (simulator/heap-advice.ts says why and what it was measured to save).
const run = spawnSync(process.execPath, ['--max-old-space-size=16384', `--max-semi-space-size=${SEMI_SPACE_MIB}`, '--expose-gc', outfile, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exitCode = run.status ?? 1;
