import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandCpuUs, parseStat, processCpuUs } from '../../bench/process-cpu.ts';

describe('process CPU from /proc', () => {
  it('reads utime + stime after a command name holding spaces and parentheses', () => {
    const line = '4242 (post gres) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 37 5 0 0 20 0 1 0 12345 1000 10 18446744073709551615';
    expect(parseStat(line)).toEqual({ comm: 'post gres) (x)', ticks: 42 });
  });

  it('refuses a line that is not one', () => {
    expect(() => parseStat('garbage')).toThrow(/not a \/proc stat line/);
    expect(() => parseStat('1 (x) S')).toThrow(/no utime/);
  });

  it.runIf(process.platform === 'linux')('sums every process of one command: a busy child counts, a command nobody runs is null', async () => {
    // A child that burns about a second of CPU under its own command name (a copy of bash: the kernel names a process after its file, 15 characters at most), then waits to be read.
    const dir = mkdtempSync(join(tmpdir(), 'relaylab-cpu-'));
    const probe = join(dir, 'rlcpuprobe');
    copyFileSync('/bin/bash', probe);
    // The trailing true: bash would otherwise exec its last command, and the process would be named sleep.
    const child = spawn(probe, ['-c', 'end=$((SECONDS+1)); while [ $SECONDS -lt $end ]; do :; done; sleep 5; true'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const byName = commandCpuUs('rlcpuprobe');
      expect(byName).not.toBeNull();
      expect(byName as number).toBeGreaterThan(100_000);
      expect(byName as number).toBeCloseTo(processCpuUs(child.pid as number), -4);
      expect(commandCpuUs('no-such-command-here')).toBeNull();
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
