import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../reference/peer/demo.ts';

const demoDirs = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('relaylab-demo-'));
const linux = process.platform === 'linux';

describe('relaylab demo', () => {
  it('walks the seven steps in order, within a few seconds, and cleans up', async () => {
    const before = await demoDirs();
    const lines: string[] = [];
    const result = await runDemo((line) => lines.push(line));
    expect(result.ok, lines.join('\n')).toBe(true);
    expect(result.steps.map((s) => s.slice(0, 3))).toEqual(['1. ', '2. ', '3. ', '4. ', '5. ', '6. ', '7. ']);
    expect(result.steps[0]).toMatch(/A's certificate: alice@demo\.relaylab\.test, SHA-256 fingerprint [0-9a-f]{16}/);
    expect(result.steps[1]).toMatch(/registered .*HTTP 200/);
    expect(result.steps[2]).toMatch(linux ? /port \d+; A announced addresses 127\.0\.0\.2, 127\.0\.0\.1 \(127\.0\.0\.2 is a decoy/ : /port \d+; A announced addresses 127\.0\.0\.1$/);
    // B is a peer itself: its own Peer Server, ready sent.
    expect(result.steps[3]).toMatch(/B \(a peer too: port \d+, ready sent\) looked up alice@demo\.relaylab\.test: online/);
    // The try-order at work: the decoy fails, the real address wins.
    expect(result.steps[4]).toMatch(
      linux
        ? /^5\. B tried 127\.0\.0\.2:(\d+) (refused|timeout|http_error|wrong_host)\b[^;]* \d+ ms; 127\.0\.0\.1:\1 ok \d+ ms; winner http:\/\/127\.0\.0\.1:\1$/
        : /B tried 127\.0\.0\.1:\d+ ok \d+ ms; winner http:\/\/127\.0\.0\.1:\d+/,
    );
    expect(result.steps[6]).toMatch(/262144 bytes, SHA-256 [0-9a-f]{16}… matches A's file/);
    expect(result.elapsedMs).toBeLessThan(8_000); // typically under 1 s; slack for a loaded 2-core CI box
    expect(await demoDirs()).toEqual(before);
  });

  it('runs as `npx relaylab demo` and exits 0', async () => {
    // detached: npx runs node in a child of its own, so the whole process group is killed on timeout.
    const child = spawn('npx', ['relaylab', 'demo'], { cwd: new URL('../..', import.meta.url), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killGroup = () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, out }));
        timer = setTimeout(() => {
          killGroup();
          reject(new Error(`npx relaylab demo did not exit within 25 s:\n${out}`));
        }, 25_000);
      });
      expect(run.code, run.out).toBe(0);
      expect(run.out).toMatch(/^7\. B downloaded/m);
      expect(run.out).toMatch(/All seven steps hold/);
    } finally {
      clearTimeout(timer);
      killGroup();
    }
  }, 30_000);
});
