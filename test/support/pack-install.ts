/**
 * relaylab as a user installs it: build, `npm pack`, and the tarball
 * installed with --omit=dev into `<work>/app`, beside any `extra` packages
 * the user's app has. Shared by test/package/pack-install.test.ts and
 * bench/startup.bench.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export interface Installed {
  /** The app folder; relaylab is in its node_modules. */
  app: string;
  /** The tarball's files, as npm pack listed them. */
  files: string[];
}

export function packAndInstall(work: string, extra: readonly string[] = []): Installed {
  // prepack's build, run first so its lines stay out of pack's JSON.
  execFileSync(NPM, ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const packed = JSON.parse(execFileSync(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'uses-relaylab', version: '1.0.0', private: true, type: 'module' }));
  execFileSync(NPM, ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed[0]!.filename), ...extra], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'], timeout: 240_000 });
  return { app, files: packed[0]!.files.map((f) => f.path) };
}
