import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../reference/peer/demo.ts';

const demoDirs = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('relaylab-demo-'));

describe('relaylab demo', () => {
  it('walks the seven steps in order, within a few seconds, and cleans up', async () => {
    const before = await demoDirs();
    const lines: string[] = [];
    const result = await runDemo((line) => lines.push(line));
    expect(result.ok, lines.join('\n')).toBe(true);
    expect(result.steps.map((s) => s.slice(0, 3))).toEqual(['1. ', '2. ', '3. ', '4. ', '5. ', '6. ', '7. ']);
    expect(result.steps[0]).toMatch(/A's certificate: alice@demo\.relaylab\.test, SHA-256 fingerprint [0-9a-f]{16}/);
    expect(result.steps[1]).toMatch(/registered .*HTTP 200/);
    expect(result.steps[2]).toMatch(/port \d+; A announced addresses 127\.0\.0\.1/);
    expect(result.steps[4]).toMatch(/B tried 127\.0\.0\.1:\d+ ok \d+ ms; winner http:\/\/127\.0\.0\.1:\d+/);
    expect(result.steps[6]).toMatch(/262144 bytes, SHA-256 [0-9a-f]{16}… matches A's file/);
    expect(result.elapsedMs).toBeLessThan(8_000); // typically under 1 s; slack for a loaded 2-core CI box
    expect(await demoDirs()).toEqual(before);
  });

  it('runs as `npx relaylab demo` and exits 0', async () => {
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('npx', ['relaylab', 'demo'], { cwd: new URL('../..', import.meta.url), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/^7\. B downloaded/m);
    expect(run.out).toMatch(/All seven steps hold/);
  }, 30_000);
});
