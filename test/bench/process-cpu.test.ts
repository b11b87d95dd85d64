import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuByPid, cpuSpentUs, parseStat, postgresBackendOf, processCpuUs } from '../../bench/process-cpu.ts';

describe('process CPU from /proc', () => {
  it('reads utime + stime after a command name holding spaces and parentheses', () => {
    const line = '4242 (post gres) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 37 5 0 0 20 0 1 0 12345 1000 10 18446744073709551615';
    expect(parseStat(line)).toEqual({ comm: 'post gres) (x)', ticks: 42 });
  });

  it('refuses a line that is not one', () => {
    expect(() => parseStat('garbage')).toThrow(/not a \/proc stat line/);
    expect(() => parseStat('1 (x) S')).toThrow(/no utime/);
  });

  it('counts what the processes of the second reading spent: growth, all of a newcomer, nothing for one that ended; null when none matched', () => {
    const before = new Map([[1, 1_000], [2, 5_000]]);
    const after = new Map([[1, 4_000], [3, 700]]);
    expect(cpuSpentUs(before, after)).toBe(3_000 + 700);
    expect(cpuSpentUs(new Map(), new Map())).toBeNull();
  });

  it("matches one database's backends by their title, not the server's own processes or another database's", () => {
    const ours = postgresBackendOf('relaylab_test_ab12');
    expect(ours('postgres', 'postgres: 15/main: relaylab relaylab_test_ab12 127.0.0.1(50312) idle ')).toBe(true);
    expect(ours('postgres', 'postgres: relaylab relaylab_test_ab12 [local] SELECT ')).toBe(true);
    expect(ours('postgres', 'postgres: 15/main: relaylab relaylab_test_ab123 127.0.0.1(50312) idle ')).toBe(false);
    expect(ours('postgres', 'postgres: 15/main: checkpointer ')).toBe(false);
    expect(ours('psql', 'psql relaylab_test_ab12 ')).toBe(false);
  });

  it.runIf(process.platform === 'linux')('reads a busy process by what it matches: between two readings of its own pid, and nothing for what matches none', async () => {
    // A copy of bash, so the kernel names the process after the file (15 characters at most); a fixed count of
    // iterations burns CPU however loaded the machine is; the trailing true keeps bash from exec'ing its last command.
    const dir = mkdtempSync(join(tmpdir(), 'relaylab-cpu-'));
    const probe = join(dir, 'rlcpuprobe');
    copyFileSync('/bin/bash', probe);
    const child = spawn(probe, ['-c', 'for ((i = 0; i < 300000; i++)); do :; done; sleep 30; true', 'rlcpuprobe-marker'], { stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      let spentUs = 0;
      for (let waited = 0; spentUs < 50_000 && waited < 20_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        spentUs = processCpuUs(pid);
      }
      const low = processCpuUs(pid);
      const byName = cpuByPid((comm, commandLine) => comm === 'rlcpuprobe' && commandLine.includes('rlcpuprobe-marker'));
      const high = processCpuUs(pid);
      expect([...byName.keys()]).toEqual([pid]);
      expect(byName.get(pid) as number).toBeGreaterThanOrEqual(low);
      expect(byName.get(pid) as number).toBeLessThanOrEqual(high);
      expect(low).toBeGreaterThanOrEqual(50_000);
      expect(cpuByPid((comm) => comm === 'no-such-command').size).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
