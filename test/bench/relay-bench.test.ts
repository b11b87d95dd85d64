/**
 * bench:relay as a user runs it, at toy size: both servers start, the load
 * runs, and every figure is printed beside its target (ratios and their
 * range, CPU per request, failed requests, bytes per live broadcast).
 * Timings are not checked (benchmarks, not timed tests); that the script
 * works end to end, and says what it measured, is.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = new URL('../../bench/relay.bench.ts', import.meta.url).pathname;
const TSX = new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url).pathname;

describe('npm run bench:relay (toy size)', () => {
  it('prints each endpoint against bare, every ratio beside its target, no failed requests, and the bytes per live broadcast', async () => {
    const env = { ...process.env, BENCH_SECONDS: '0.4', BENCH_ROUNDS: '1', BENCH_MEMORY_COUNT: '300' };
    const { stdout } = await run(process.execPath, [TSX, SCRIPT], { env, timeout: 120_000 });
    expect(stdout).toMatch(/^relaylab bench:relay · store memory · 50 connections with client certificates/m);
    for (const endpoint of ['lookup', 'ready', 'heartbeat']) {
      for (const side of ['bare', 'relay']) expect(stdout).toMatch(new RegExp(`^${endpoint}\\s+${side}\\s+\\d+\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+\\s+[\\d.]+\\s+0$`, 'm'));
      expect(stdout).toMatch(new RegExp(`^${endpoint} req/s, relay/bare\\s+\\d+% \\(\\d+%-\\d+%\\)\\s+>= \\d+%\\s+(meets|MISSES)`, 'm'));
      expect(stdout).toMatch(new RegExp(`^${endpoint} p99, relay/bare\\s+[\\d.]+x \\([\\d.]+x-[\\d.]+x\\)\\s+<= 1.50x\\s+(meets|MISSES)`, 'm'));
    }
    expect(stdout).toMatch(/^failed requests \(all servers, all rounds\)\s+0\s+0\s+meets$/m);
    expect(stdout).toMatch(/^bytes per live broadcast with its identity \(300, memory store\)\s+\d+ B\s+<= 700 B\s+(meets|MISSES)/m);
  }, 120_000);
});
