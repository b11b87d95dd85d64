/**
 * How fast relaylab starts from the installed package (issue 13): packs
 * it, installs the tarball into an empty folder with no dev dependencies,
 * then times `relaylab --help` and `relaylab demo` as child processes
 * (node straight on the installed bin: npx's own start-up is not ours).
 * Prints medians against the targets, and node's own bare start-up as the
 * floor, all measured in this one run.
 *
 *   npm run bench:startup [-- --runs 15]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packAndInstall } from '../test/support/pack-install.ts';

const TARGET_HELP_MS = 250;
const TARGET_DEMO_MS = 700;
const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Math.max(3, Number(values.runs));
const work = mkdtempSync(join(tmpdir(), 'relaylab-startup-'));

try {
  const { app } = packAndInstall(work);
  const bin = join(app, 'node_modules/relaylab/bin/relaylab.mjs');
  const time = (args: string[]) => {
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, args, { cwd: app, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, stdout: run.stdout };
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const sample = (args: string[]) => {
    time(args); // warm the file cache once
    return Array.from({ length: runs }, () => time(args));
  };
  const bare = median(sample(['-e', '0']).map((r) => r.ms));
  const help = median(sample([bin, '--help']).map((r) => r.ms));
  const demos = sample([bin, 'demo']);
  const demo = median(demos.map((r) => r.ms));
  const demoWork = median(demos.map((r) => Number(/All seven steps hold \((\d+) ms\)/.exec(r.stdout)?.[1] ?? NaN)));
  const row = (name: string, ms: number, target: number | null) => `${name.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms${target === null ? '' : `   target <= ${target} ms: ${ms <= target ? 'met' : `missed by ${(ms - target).toFixed(0)} ms`} (${(ms / target).toFixed(2)}x of target)`}`;
  process.stdout.write(
    [
      `relaylab start-up from the installed package, median of ${runs} runs each (this machine, this run)`,
      row('node -e 0 (the floor)', bare, null),
      row('relaylab --help', help, TARGET_HELP_MS),
      row('relaylab demo', demo, TARGET_DEMO_MS),
      row("  of which the demo's work", demoWork, null),
      '',
    ].join('\n'),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
