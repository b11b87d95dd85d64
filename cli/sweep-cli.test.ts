/**
 * `relaylab sweep` and `relaylab report --merge` as a user runs them: real
 * processes, worker threads, exit codes, one-line errors. The sweep is
 * small (12 peers, 1 h, 8 runs) so each process takes about a second.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const TINY = `name: tiny
peers: 12
duration: 1h
topology:
  - kind: public
    share: 50%
  - kind: home-nat
    share: 50%
    port_forward: upnp
churn: { crashes_per_hour: 10% }
`;

function relaylab(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function expectUsageError(run: ReturnType<typeof relaylab>, message: string): void {
  expect(run.stderr).toBe(`relaylab: ${message}\n`);
  expect(run.status).toBe(2);
}

describe('relaylab sweep --shard and relaylab report --merge, as processes', () => {
  it('3 shards merged are byte for byte the unsharded sweep; a missing shard is refused in one line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, TINY);
    const sweep = ['sweep', file, '--set', 'protocol.heartbeat_interval=10m,30m', '--set', 'link.loss=0,1%', '--seeds', '2'];
    const whole = relaylab([...sweep, '--out', join(dir, 'whole')]);
    expect(whole.stderr.split('\n').filter((l) => l !== '' && !/^(sweep): \d+% · /.test(l))).toEqual([]);
    expect(whole.status).toBe(0);
    expect(whole.stdout).toContain(`wrote ${join(dir, 'whole/results.json')} and ${join(dir, 'whole/report.html')}`);
    for (const i of [0, 1, 2]) expect(relaylab([...sweep, '--shard', `${i}/3`, '--out', join(dir, 'shards')]).status).toBe(0);
    const shards = [0, 1, 2].map((i) => join(dir, 'shards', `shard-${i}-of-3.json`));
    const merged = relaylab(['report', '--merge', ...shards, '--out', join(dir, 'merged')]);
    expect(merged.stdout).toBe(`wrote ${join(dir, 'merged/results.json')} and ${join(dir, 'merged/report.html')}\n`);
    for (const name of ['results.json', 'report.html']) expect(readFileSync(join(dir, 'merged', name), 'utf8')).toBe(readFileSync(join(dir, 'whole', name), 'utf8'));
    expectUsageError(relaylab(['report', '--merge', shards[0] as string, shards[2] as string, '--out', join(dir, 'bad')]), '--merge: shard 1/3 is missing (given: 0/3, 2/3)');
  }, 60_000);

  it('refuses a bad value with the scenario loader\'s own problem, naming the --set, and a grid too large, before running', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, TINY);
    expectUsageError(relaylab(['sweep', file, '--set', 'churn.crashes_per_hour=1%,5', '--out', join(dir, 'out')]), `${file}: --set churn.crashes_per_hour=5: expected a ratio in [0, 1] or a percentage like "30%", got 5`);
    expectUsageError(relaylab(['sweep', file, '--set', 'protocol.heartbeat_interval=10m,20m,30m', '--set', 'link.loss=0,1%', '--seeds', '40']), '--set: the grid is 3 × 2 = 6 points × 40 seeds = 240 runs, more than 200; sweep fewer values or seeds, or split it into several sweeps');
  }, 60_000);

  it('piped into a reader that stops early (| head), it still finishes and writes its files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, TINY);
    const cli = `${JSON.stringify(process.execPath)} --import tsx ${JSON.stringify(join(ROOT, 'cli/main.ts'))}`;
    const run = spawnSync('sh', ['-c', `${cli} sweep ${JSON.stringify(file)} --set link.loss=0,1%,2% --out ${JSON.stringify(join(dir, 'out'))} | head -1`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout).toMatch(/^sweep .*: 3 points × 1 seeds = 3 runs/);
    expect(run.stderr.split('\n').filter((l) => l !== '' && !/^(sweep): \d+% · /.test(l))).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8')).runs).toBe(3);
  }, 60_000);
});
