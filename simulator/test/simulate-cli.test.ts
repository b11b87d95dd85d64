import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulate } from '../simulate-cli.ts';
import { runSeedsOnWorkers } from '../workers/run-seeds.ts';

const ROOT = join(import.meta.dirname, '../..');
const SMALL = `# a tiny scenario for CLI tests
name: tiny
peers: 12
duration: 1h
topology:
  - kind: public
    share: 50%
  - kind: home-nat
    share: 50%
    port_forward: upnp
assertions:
  - false_expiries == 0
  - p95(time_to_connect_ms) < 1
`;

function relaylab(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('simulate (library entry)', () => {
  it('writes results.json, names failed assertions and the command that reproduces them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const file = join(dir, 'tiny.yaml');
    writeFileSync(file, SMALL);
    const lines: string[] = [];
    const outcome = await simulate({ file, outDir: join(dir, 'out'), seed: 7, write: (l) => lines.push(l) });
    expect(outcome.failed).toEqual([expect.stringMatching(/^seed 7: p95\(time_to_connect_ms\) < 1 \(was \d+/)]);
    expect(outcome.reproduce).toBe(`relaylab simulate ${file} --seed 7 --peers 12 --duration 1h --strategy sequential`);
    expect(lines[0]).toMatch(/seed 7, 12 peers, 1h/);
    expect(lines).toContain(`reproduce: ${outcome.reproduce}`);
    const results = JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8'));
    expect(results).toMatchObject({ schema: 'relaylab.simulator.results/2', scenario: 'tiny', seed: 7, passed: false });
    // Re-running the reproduce command's settings gives the same bytes.
    const again = await simulate({ file, outDir: join(dir, 'again'), seed: 7, write: () => {} });
    expect(again.failed).toEqual(outcome.failed);
    expect(readFileSync(join(dir, 'again/results.json'), 'utf8')).toBe(readFileSync(join(dir, 'out/results.json'), 'utf8'));
  });
});

describe('simulate: what the console says about broken invariants and the relay\'s listing', () => {
  it('prints the first three examples of a broken invariant under its failed assertion, and a listing line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const file = join(dir, 'restart.yaml');
    // A memory-store relay going down loses every broadcast: lookups find live peers missing until they re-ready.
    writeFileSync(file, `${SMALL.replace('duration: 1h', 'duration: 2h\njoin_spread: 30m').replace('  - p95(time_to_connect_ms) < 1\n', '')}traffic: { lookups_per_peer_per_hour: 30 }\nrelay:\n  outages: [ { at: 1h, duration: 5m } ]\n`);
    const lines: string[] = [];
    const outcome = await simulate({ file, outDir: join(dir, 'out'), write: (l) => lines.push(l) });
    const failedAt = lines.findIndex((l) => /^assertion failed: seed 1: false_expiries == 0 \(was \d+\)$/.test(l));
    expect(failedAt).toBeGreaterThan(0);
    const shown = lines.slice(failedAt + 1, failedAt + 4);
    expect(shown).toHaveLength(3);
    for (const line of shown) expect(JSON.parse(line.replace(/^ {2}e\.g\. /, ''))).toMatchObject({ status: 404, target_listing_ended_ms: 3_600_000 });
    expect(lines[failedAt + 4]).toBe('  (7 more in results.json invariant_examples)');
    expect(outcome.results[0]?.invariant_examples.false_expiries).toHaveLength(10);
    expect(lines).toContainEqual(expect.stringMatching(/^listed after departure: none \(no listed peer departed\); expiry gaps 12 \(longest [\d.]+ s\), \d+ lookups fell into one \(false expiries\)$/));
  });
});

describe('simulate: what the console says about the model and about empty values', () => {
  it('names a hypothesis before the run, and prints no made-up 0 for a pair with no successes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const file = join(dir, 'closed.yaml');
    writeFileSync(file, SMALL.replace('    port_forward: upnp\n', '').replace('duration: 1h\n', 'duration: 1h\nrelay_traffic_from: shared-port-hypothesis\n'));
    const lines: string[] = [];
    await simulate({ file, outDir: join(dir, 'out'), write: (l) => lines.push(l), compareStrategies: true });
    expect(lines[0]).toMatch(/relay traffic from shared-port-hypothesis$/);
    expect(lines[1]).toMatch(/^HYPOTHESIS: relay_traffic_from: shared-port-hypothesis\. /);
    // Default homes (address-and-port-dependent filtering) stay closed even under the hypothesis.
    expect(lines).toContainEqual(expect.stringMatching(/^public -> home-nat EIM\/APDF: sequential 0\.0% \(no successes\) \| race 0\.0% \(no successes\)$/));
  });
});

describe('simulate progress (what a TTY shows on one redrawn line)', () => {
  const BUSY = SMALL.replace('peers: 12', 'peers: 300').replace('duration: 1h', 'duration: 4h').replace('  - p95(time_to_connect_ms) < 1\n', '');

  it.each([
    ['one seed in process', 1, undefined, /^\[[#.]{30}\] \d+% seed 1$/],
    ['two seeds on worker threads', 2, runSeedsOnWorkers, /^\[[#.]{30}\] \d+% 2 seeds$/],
  ] as const)('%s: a bar that only moves forward, then a cleared line', async (_what, seeds, runSeeds, shape) => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const file = join(dir, 'busy.yaml');
    writeFileSync(file, BUSY);
    const shown: string[] = [];
    await simulate({ file, outDir: join(dir, 'out'), seeds, runSeeds, write: () => {}, progress: (text) => shown.push(text) });
    const bars = shown.filter((t) => t !== '');
    expect(bars.length).toBeGreaterThan(2);
    for (const bar of bars) expect(bar).toMatch(shape);
    const percents = bars.map((b) => Number(/\] (\d+)%/.exec(b)?.[1]));
    expect(percents.every((p, i) => i === 0 || p >= (percents[i - 1] as number))).toBe(true);
    expect(shown.at(-1)).toBe('');
  }, 60_000);
});

describe('simulate --compare-strategies', () => {
  it('runs both strategies on the same seed and reports them per NAT pair', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const file = join(dir, 'homes.yaml');
    // Distinct LANs: a remote private address is unroutable, so sequential pays the 5 s timeout and race does not.
    writeFileSync(file, SMALL.replace('duration: 1h\n', 'duration: 1h\nlan_addressing: distinct\n'));
    const outcome = await simulate({ file, outDir: join(dir, 'out'), write: () => {}, compareStrategies: true });
    const rows = outcome.results[0]?.strategy_comparison ?? [];
    expect(rows.map((r) => `${r.caller} -> ${r.callee}`)).toEqual(['public -> public', 'public -> home-nat EIM/APDF', 'home-nat EIM/APDF -> public', 'home-nat EIM/APDF -> home-nat EIM/APDF']);
    const toHome = rows.find((r) => r.caller === 'public' && r.callee === 'home-nat EIM/APDF');
    expect(toHome?.sequential.tries).toBeGreaterThan(0);
    expect(toHome?.sequential.time_to_connect_p95_ms).toBeGreaterThan(5000);
    expect(toHome?.race.time_to_connect_p95_ms).toBeLessThan(1000);
    expect(JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8')).strategy_comparison).toEqual(rows);
  });
});

describe('simulate --compare-extensions', () => {
  // Forwarded homes whose users typed no public address, and peers leaving gracefully as well as crashing.
  const EXTENSIONS = `${SMALL.replace('peers: 12', 'peers: 40').replace('duration: 1h', 'duration: 2h\nlan_addressing: distinct\nannounce_public_address: false').replace('  - p95(time_to_connect_ms) < 1\n', '')}churn: { leaves_per_hour: 20%, crashes_per_hour: 20% }\n`;
  const SIDE_KEYS = ['relay_extensions', 'listed_after_leave_ms', 'listed_after_crash_ms', 'listed_after_departure_ms', 'connect_success_ratio', 'time_to_connect_p50_ms', 'stale_lookup_ratio', 'connects_to_dead_peers', 'relay_requests', 'relay_requests_per_second', 'peak_relay_requests_per_second'];

  it('runs the same seed without and with each extension, and prints, writes and keeps the difference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const file = join(dir, 'ext.yaml');
    writeFileSync(file, EXTENSIONS);
    const lines: string[] = [];
    const outcome = await simulate({ file, outDir: join(dir, 'out'), write: (l) => lines.push(l), compareExtensions: ['goodbye', 'observed-address'] });
    const rows = outcome.results[0]?.extension_comparison ?? [];
    expect(rows.map((r) => [r.extension, r.seed, r.without.relay_extensions, r.with.relay_extensions])).toEqual([['goodbye', 1, [], ['goodbye']], ['observed-address', 1, [], ['observed-address']]]);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['extension', 'seed', 'without', 'with', 'difference', 'pairs']);
      expect(Object.keys(row.without)).toEqual(SIDE_KEYS);
      expect(row.pairs.map((p) => `${p.caller} -> ${p.callee}`)).toEqual(outcome.results[0]?.pairs.map((p) => `${p.caller} -> ${p.callee}`));
    }
    const [goodbye, observed] = rows;
    // A graceful leave is unlisted within a relay call's way to the relay, not after most of the TTL; crashes are untouched.
    expect(goodbye?.without.listed_after_leave_ms.mean_ms).toBeGreaterThan(1_800_000);
    expect(goodbye?.with.listed_after_leave_ms.mean_ms).toBeLessThan(1000);
    expect(goodbye?.difference.listed_after_leave_mean_ms).toBeLessThan(-1_799_000);
    expect(goodbye?.with.listed_after_crash_ms.mean_ms).toBeGreaterThan(1_800_000);
    // The extension's cost: one goodbye per leave, one more ready per NATed peer.
    expect(goodbye?.difference.relay_requests_per_second).toBeGreaterThan(0);
    expect(observed?.difference.relay_requests_per_second).toBeGreaterThan(0);
    const toHome = observed?.pairs.find((p) => p.caller === 'public' && p.callee === 'home-nat EIM/APDF');
    expect(toHome?.without).toMatchObject({ success_ratio: 0, time_to_connect_p95_ms: null, note: 'no successes' });
    expect(toHome?.with.success_ratio).toBe(1);
    expect(observed?.difference.connect_success_ratio).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8')).extension_comparison).toEqual(rows);
    expect(lines).toContain('comparing on seed 1: relay extension goodbye on');
    expect(lines).toContain('extension goodbye (seed 1), without -> with:');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}listed after a graceful leave mean [\d.]+ s -> mean \d+ ms \(\d+ peers\); after a crash mean [\d.]+ s -> mean [\d.]+ s \(\d+ peers\)$/));
    expect(lines).toContain('  public -> home-nat EIM/APDF: 0.0% (no successes) -> 100.0% p95 ' + toHome?.with.time_to_connect_p95_ms + ' ms');
    expect(outcome.reproduce).toMatch(/ --compare-extensions goodbye,observed-address$/);
    // Same seed, same bytes.
    await simulate({ file, outDir: join(dir, 'again'), write: () => {}, compareExtensions: ['goodbye', 'observed-address'] });
    expect(readFileSync(join(dir, 'again/results.json'), 'utf8')).toBe(readFileSync(join(dir, 'out/results.json'), 'utf8'));
  });

  it('takes an extension the scenario offers away for the comparison, and keeps the scenario\'s own run as the side with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const file = join(dir, 'ext.yaml');
    writeFileSync(file, `${EXTENSIONS}relay:\n  extensions: [goodbye]\n`);
    const outcome = await simulate({ file, outDir: join(dir, 'out'), write: () => {}, compareExtensions: ['goodbye'] });
    const first = outcome.results[0];
    const [row] = first?.extension_comparison ?? [];
    expect([row?.without.relay_extensions, row?.with.relay_extensions]).toEqual([[], ['goodbye']]);
    expect(row?.with.relay_requests).toBe(first?.counters.relayRequests);
    expect(row?.with.listed_after_leave_ms.mean_ms).toBe(first?.distributions.listed_after_leave_ms?.mean);
  });
});

describe('relaylab simulate (command line)', () => {
  it('exits 1 naming the failed assertion and printing how to reproduce it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    writeFileSync(join(dir, 'tiny.yaml'), SMALL);
    const run = relaylab(['simulate', join(dir, 'tiny.yaml'), '--seed', '3', '--out', join(dir, 'out')]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/assertion failed: seed 3: p95\(time_to_connect_ms\) < 1/);
    expect(run.stdout).toMatch(/reproduce: relaylab simulate .*tiny\.yaml --seed 3 --peers 12 --duration 1h/);
  });

  it('exits 0 when every assertion holds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    writeFileSync(join(dir, 'tiny.yaml'), SMALL.replace('  - p95(time_to_connect_ms) < 1\n', ''));
    const run = relaylab(['simulate', join(dir, 'tiny.yaml'), '--out', join(dir, 'out')]);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/pass {2}false_expiries == 0/);
  });

  it.each([
    ['a bad field', 'protocol:\n  strategy: zigzag\n', /^relaylab: .*bad\.yaml:\d+: protocol\.strategy: expected one of sequential, race, got "zigzag"\n$/],
    ['an unknown metric', 'assertions:\n  - p95(time_to_conect_ms) < 5\n', /^relaylab: .*bad\.yaml:\d+: assertions\[0\]: "time_to_conect_ms" is not a distribution/],
  ])('exits 2 with one line naming file, line and field for %s', (_what, tail, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    writeFileSync(join(dir, 'bad.yaml'), `name: bad\npeers: 4\nduration: 1h\ntopology:\n  - kind: public\n    share: 100%\n${tail}`);
    const run = relaylab(['simulate', join(dir, 'bad.yaml')]);
    expect(run.status).toBe(2);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('relaylab:'))).toHaveLength(1);
    expect(run.stderr.split('\n').find((l) => l.startsWith('relaylab:')) + '\n').toMatch(message);
  });

  it('--seeds 3 runs three seeds on worker threads and reports each metric with a 95% confidence interval', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    writeFileSync(join(dir, 'tiny.yaml'), SMALL.replace('  - p95(time_to_connect_ms) < 1\n', ''));
    const run = relaylab(['simulate', join(dir, 'tiny.yaml'), '--seed', '5', '--seeds', '3', '--out', join(dir, 'out')]);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/seed 5 \(\+2 more\), 12 peers/);
    expect(run.stdout).toMatch(/^over 3 seeds: false_expiries = 0 ± 0 \(95% CI\)$/m);
    expect(run.stdout).toMatch(/^over 3 seeds: connect_success_ratio = [\d.]+ ± [\d.]+ \(95% CI\)$/m);
    const results = JSON.parse(readFileSync(join(dir, 'out/results.json'), 'utf8'));
    expect(results.seeds).toEqual([5, 6, 7]);
    expect(results.runs.map((r: { seed: number }) => r.seed)).toEqual([5, 6, 7]);
    expect(results.passed).toBe(true);
    const successes = results.metrics.find((m: { metric: string }) => m.metric === 'connect_success_ratio');
    expect(successes.values).toEqual(results.runs.map((r: { metrics: Record<string, number> }) => r.metrics.connect_success_ratio));
    expect(successes.mean).toBeCloseTo(successes.values.reduce((a: number, b: number) => a + b, 0) / 3, 5);
  });

  it('exits 2 up front when --peers makes distinct LAN addressing run out of /24s', () => {
    const run = relaylab(['simulate', 'scenarios/two-homes.yaml', '--peers', '100000']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^relaylab: scenarios\/two-homes\.yaml: lan_addressing: distinct gives each LAN its own 10\.x\.y\.0\/24, at most 65536 LANs, but this run may place up to \d+ peers .*with the --peers\/--duration given/m);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('piped into a reader that closes early (| head), it neither crashes nor prints a stack trace, and still writes its files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    writeFileSync(join(dir, 'tiny.yaml'), SMALL.replace('  - p95(time_to_connect_ms) < 1\n', ''));
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli/main.ts'), 'simulate', join(dir, 'tiny.yaml'), '--out', join(dir, 'out')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    // Like head: read the first line (printed before the run), then close the pipe before the summary comes.
    child.stdout.once('data', () => child.stdout.destroy());
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    // Progress lines (issue 13) go to stderr; nothing else may.
    expect(stderr.split('\n').filter((l) => l !== '' && !/^(simulate): \d+% · /.test(l))).toEqual([]);
    expect(status).toBe(0);
    expect(existsSync(join(dir, 'out/results.json'))).toBe(true);
  });

  it.each([
    ['an unknown extension', 'goodbye,farewell', /^relaylab: --compare-extensions: unknown extension "farewell" \(known: goodbye, observed-address\)$/],
    ['renew, which the simulator cannot exercise', 'renew', /^relaylab: --compare-extensions: renew is not simulated/],
    ['nothing', '', /^relaylab: --compare-extensions: name at least one extension/],
  ])('exits 2 with one line for --compare-extensions naming %s', (_what, names, message) => {
    const run = relaylab(['simulate', 'scenarios/same-lan.yaml', '--compare-extensions', names]);
    expect(run.status).toBe(2);
    const said = run.stderr.split('\n').filter((l) => l.startsWith('relaylab:'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(message);
  });

  it('exits 2 for a bad --duration', () => {
    const run = relaylab(['simulate', 'scenarios/same-lan.yaml', '--duration', 'forever']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--duration: expected a duration/);
  });
});
