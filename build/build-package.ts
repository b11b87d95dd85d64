/**
 * `npm run build` (and `prepack`): the installed package's dist/.
 *
 *   1. tsc -p tsconfig.build.json: JavaScript and type declarations, the
 *      source tree's layout kept (relative imports rewritten .ts -> .js);
 *   2. the files the code reads beside itself: conformance/SPEC.md and
 *      COVERAGE.md, the simulator's worker entry;
 *   3. RemoteHouse's page bundled once, so no user needs esbuild.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFromSource } from '../reference/peer/ui/assets.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = join(root, 'dist');
const BESIDE_THE_CODE = ['conformance/SPEC.md', 'conformance/COVERAGE.md', 'simulator/workers/seed-worker-entry.mjs'];

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${tsc.status})\n`);
  process.exit(1);
}
for (const file of BESIDE_THE_CODE) {
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  copyFileSync(join(root, file), join(dist, file));
}
const ui = await bundleFromSource();
const uiDir = join(dist, 'reference/peer/ui/remotehouse');
mkdirSync(uiDir, { recursive: true });
writeFileSync(join(uiDir, 'app.js'), ui.js);
writeFileSync(join(uiDir, 'app.css'), ui.css);
process.stdout.write(`build: dist/ ready (RemoteHouse page ${Math.round(ui.js.length / 1024)} KiB)\n`);
