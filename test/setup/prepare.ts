/**
 * `npm test`'s first step: starts or installs what the tests need and this
 * machine lacks, when it can (root: .ci/install-system.sh, .ci/start-postgres.sh,
 * .ci/start-docker.sh). It never fails the run: whatever is still missing
 * afterwards is reported by vitest.config.ts, one line per missing thing, and
 * the files that need it are left out. When everything is up it only checks
 * (a fraction of a second) and prints nothing.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM_PATH, NEEDS, problemWith, ROOT, type Need } from './requirements.ts';
import { SETUP_LOG, SETUP_STATE, type SetupState } from './setup-state.ts';

/** The script that provides each need, in the order they run. */
const STEPS: ReadonlyArray<{ script: string; provides: readonly Need[]; timeoutMs: number }> = [
  { script: '.ci/install-system.sh', provides: ['chromium', 'faketime', 'docker', 'postgres', 'root'], timeoutMs: 15 * 60_000 },
  { script: '.ci/start-postgres.sh', provides: ['postgres'], timeoutMs: 3 * 60_000 },
  { script: '.ci/start-docker.sh', provides: ['docker'], timeoutMs: 2 * 60_000 },
];

function runStep(script: string, timeoutMs: number): string | undefined {
  const started = Date.now();
  const run = spawnSync('bash', [join(ROOT, script)], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  appendFileSync(SETUP_LOG, `\n== ${new Date().toISOString()} bash ${script}\n${run.stdout ?? ''}${run.stderr ?? ''}`);
  if (run.status === 0) {
    console.log(`test setup: ran \`bash ${script}\` (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return undefined;
  }
  const lastLine = `${run.stderr ?? ''}${run.stdout ?? ''}`.trim().split('\n').pop() || (run.error?.message ?? `exit ${run.status}`);
  return `\`bash ${script}\` failed: ${lastLine.slice(0, 160)}; log: ${SETUP_LOG}`;
}

async function main(): Promise<void> {
  const state: SetupState = {};
  const isRoot = process.getuid?.() === 0;
  // A server elsewhere (RELAYLAB_PG_URL) is not ours to start.
  const ownPostgres = !process.env.RELAYLAB_PG_URL;
  let missing = (await Promise.all(NEEDS.map(async (need) => ((await problemWith(need)) ? need : undefined)))).filter((n): n is Need => !!n);
  if (isRoot) {
    for (const step of STEPS) {
      const wanted = step.provides.filter((need) => missing.includes(need) && (need !== 'postgres' || ownPostgres));
      // install-system.sh only for what a package provides: a stopped server needs starting, not installing.
      if (wanted.length === 0 || (step.script === '.ci/install-system.sh' && !needsInstall(wanted))) continue;
      const failure = runStep(step.script, step.timeoutMs);
      if (failure) for (const need of wanted) state[need] ??= failure;
      missing = (await Promise.all(missing.map(async (need) => ((await problemWith(need)) ? need : undefined)))).filter((n): n is Need => !!n);
    }
  }
  try {
    writeFileSync(SETUP_STATE, JSON.stringify({ at: Date.now(), tried: state }));
  } catch {
    // Only a richer message is lost; vitest.config.ts still reports what is missing.
  }
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Whether a need is missing because its program is not installed (rather than not started). */
function needsInstall(needs: readonly Need[]): boolean {
  const program: Record<Need, () => boolean> = {
    chromium: () => !existsSync(CHROMIUM_PATH),
    faketime: () => !onPath('faketime'),
    docker: () => !onPath('dockerd'),
    postgres: () => !onPath('pg_ctlcluster'),
    root: () => !onPath('ip') || !onPath('iptables'),
  };
  return needs.some((need) => program[need]());
}

await main();
