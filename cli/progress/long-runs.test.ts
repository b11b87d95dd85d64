/**
 * Long runs as a user runs them (real child processes, real signals):
 * progress on stderr (plain 10% lines when piped, a redrawn bar on a
 * pseudo-terminal), and Ctrl-C writing partial reports with exit 130.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, CliProcess } from '../../test/support/spawn-cli.ts';

const REPO = join(import.meta.dirname, '../..');
const SCENARIO = join(REPO, 'scenarios/mass-churn.yaml');
const work = mkdtempSync(join(tmpdir(), 'relaylab-long-runs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function waitForStderr(cli: CliProcess, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(cli.stderr)) {
    if (cli.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} on stderr (exit ${cli.child.exitCode})\n${cli.stdout}\n${cli.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function exitOf(cli: CliProcess, timeoutMs = 60_000): Promise<number | null> {
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
  return cli.exited.finally(() => clearTimeout(timer));
}

const PROGRESS_LINE = /^simulate: (\d+)% · virtual \S+ of 4h · elapsed \S+ · ETA \S+ · (\S+ events\/s|events\/s —)$/;

describe('progress of a long run', () => {
  it('piped: one plain line at each 10% step on stderr, nothing else; stdout ends with the wall time', async () => {
    const cli = new CliProcess(['simulate', SCENARIO, '--out', join(work, 'piped')]);
    expect(await exitOf(cli)).toBe(0);
    const lines = cli.stderr.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(PROGRESS_LINE);
    const percents = lines.map((l) => Number(PROGRESS_LINE.exec(l)?.[1]));
    expect(percents).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(lines.at(-1)).toMatch(/ETA 0s · [\d.]+k? ?\S* events\/s$/);
    expect(cli.stdout.trimEnd().split('\n').at(-1)).toMatch(/^wall time [\d.]+(ms|s|m)/);
  }, 90_000);

  it('on a terminal (script -qc gives a pseudo-terminal): a redrawn bar, no plain step lines', () => {
    const out = join(work, 'tty');
    const command = [process.execPath, CLI, 'simulate', SCENARIO, '--out', out].map((w) => `'${w}'`).join(' ');
    // stdout goes to a file so what the terminal shows is stderr alone.
    const shown = execFileSync('script', ['-qec', `${command} > ${join(work, 'tty.out')}`, '/dev/null'], { encoding: 'utf8', timeout: 90_000 });
    // cli-progress redraws in place: back to column 1 (ESC [1G), the bar, the text, clear to the end of the line.
    const frames = shown.split('\x1b[1G').filter((f) => /^[█░]{20} simulate: \d+% · virtual \S+ of 4h · elapsed \S+ · ETA \S+ · /.test(f));
    expect(frames.length).toBeGreaterThan(2);
    expect(frames.at(-1)).toMatch(/^█{20} simulate: 100% /);
    expect(shown).not.toMatch(/^simulate: \d+% /m);
    expect(readFileSync(join(work, 'tty.out'), 'utf8')).toMatch(/wall time/);
  }, 90_000);
});

describe('Ctrl-C during a long run', () => {
  it('simulate: SIGINT after it started writes results.json marked partial and report.html, exit 130', async () => {
    const out = join(work, 'sim-int');
    const cli = new CliProcess(['simulate', SCENARIO, '--peers', '300', '--duration', '24h', '--out', out]);
    await waitForStderr(cli, /simulate: 10%/);
    cli.child.kill('SIGINT');
    expect(await exitOf(cli)).toBe(130);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { partial?: { signal: string; note: string }; events_processed: number };
    expect(results.partial?.signal).toBe('SIGINT');
    expect(results.partial?.note).toMatch(/^seed 1 stopped at virtual \S+ of 1d; assertions not judged/);
    // A cut-short run judges nothing: no assertion passes or fails, nothing says FAIL, no reproduce line.
    const judged = results as unknown as { passed: boolean | null; assertions: Array<{ passed: boolean | null }> };
    expect(judged.passed).toBeNull();
    expect(judged.assertions.length).toBeGreaterThan(0);
    expect(judged.assertions.every((a) => a.passed === null)).toBe(true);
    expect(cli.stdout).not.toMatch(/^FAIL |^reproduce:/m);
    expect(cli.stdout).toMatch(/^not judged /m);
    expect(Object.keys(results.partial ?? {})).toEqual(['signal', 'note']);
    expect(results.events_processed).toBeGreaterThan(0);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(cli.stdout).toMatch(/^PARTIAL \(stopped by SIGINT\): seed 1 stopped at virtual/m);
  }, 120_000);

  it('simulate: a second Ctrl-C exits 130 at once, writing nothing', async () => {
    const out = join(work, 'sim-int-twice');
    const cli = new CliProcess(['simulate', SCENARIO, '--peers', '3000', '--duration', '24h', '--out', out]);
    // Started: the header line is on stdout before the run begins.
    await cli.waitFor(/^simulate /m, 60_000);
    cli.child.kill('SIGINT');
    await waitForStderr(cli, /interrupted: stopping/);
    cli.child.kill('SIGINT');
    expect(await exitOf(cli)).toBe(130);
    expect(cli.stderr).toMatch(/interrupted again: exiting now/);
    expect(existsSync(join(out, 'results.json'))).toBe(false);
  }, 120_000);

  it('conformance against the embedded relay: SIGINT mid-run writes partial reports, exit 130', async () => {
    const reports = join(work, 'conf-int');
    const cli = new CliProcess(['conformance', '--reports', reports]);
    await waitForStderr(cli, /conformance: 10% · cases \d+ of \d+/);
    cli.child.kill('SIGINT');
    expect(await exitOf(cli)).toBe(130);
    const results = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as { partial?: { signal: string; note: string }; cases: unknown[]; exitCode: number };
    expect(results.partial?.signal).toBe('SIGINT');
    // The file's exit code is the process's, not what the finished cases alone would earn.
    expect(results.exitCode).toBe(130);
    const [, done, total] = /^(\d+) of (\d+) cases finished/.exec(results.partial?.note ?? '') ?? [];
    expect(Number(done)).toBe(results.cases.length);
    expect(Number(done)).toBeLessThan(Number(total));
    for (const file of ['junit.xml', 'report.html']) expect(existsSync(join(reports, file))).toBe(true);
    // The verdict says it judged only what finished, never a bare "every MUST passes".
    expect(cli.stdout).toMatch(/^RESULT \(PARTIAL, stopped by SIGINT: only the cases that finished were judged\): /m);
  }, 120_000);

  it('conformance with --target-cmd: SIGINT stops the relay it started', async () => {
    const dataDir = join(work, 'relay-data');
    // The relay's TLS pair first (generated on its first start), for --ca.
    const first = new CliProcess(['relay', '--port', '0', '--data-dir', dataDir]);
    await first.waitFor(/relay listening on/);
    expect(await first.stop()).toBe(0);
    const port = 20_000 + (process.pid % 20_000);
    const pidFile = join(work, 'relay.pid');
    const relayCmd = `echo $$ > ${pidFile}; exec '${process.execPath}' '${CLI}' relay --port ${port} --data-dir '${dataDir}' --test-mode --ttl 5s`;
    const reports = join(work, 'conf-cmd-int');
    const cli = new CliProcess(['conformance', '--target', `https://127.0.0.1:${port}`, '--ca', join(dataDir, 'relay-cert.pem'), '--target-cmd', relayCmd, '--reports', reports]);
    await waitForStderr(cli, /conformance: 10%/, 90_000);
    const relayPid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(relayPid)).toBe(true);
    cli.child.kill('SIGINT');
    expect(await exitOf(cli, 90_000)).toBe(130);
    expect(alive(relayPid)).toBe(false);
    const results = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as { partial?: { signal: string } };
    expect(results.partial?.signal).toBe('SIGINT');
  }, 180_000);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

