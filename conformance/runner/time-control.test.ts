/**
 * Time on the relay's scale under --time-warp: strategy choice by the real
 * wait TTL/K, timelines whose waits take 1/K of the relay time they cover,
 * margins scaled by K, and verifyWarp against the reference relay started
 * under libfaketime (took effect) and against one that is not (did not).
 */
import { freePort } from '../../test/support/free-port.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrGenerateTlsPair } from '../../reference/relay/http/tls-pair.ts';
import { startRelay } from '../../reference/relay/http/start-relay.ts';
import { startTargetCommand } from './target-process.ts';
import { Target, type TargetClient, type TargetOptions } from './target.ts';
import { chooseStrategy, TimeControl, verifyWarp, type TimeFacts } from './time-control.ts';

const HAS_FAKETIME = spawnSync('sh', ['-c', 'command -v faketime']).status === 0;
const CLI = new URL('../../bin/relaylab.mjs', import.meta.url).pathname;

function facts(warp: number, overrides: Partial<TimeFacts> = {}): TimeFacts {
  return { ttlSeconds: 600, testProfileOffered: false, maxWaitSeconds: 120, production: false, strategy: 'real-time', unavailableReason: null, warp, warpCheck: null, ...overrides };
}

/** Real-time timelines never talk to the relay. */
const NO_CLIENT = null as unknown as TargetClient;

function targetOptions(url: string, caPem: string | null): TargetOptions {
  return { url, caPem, insecure: false, auth: { kind: 'mtls' }, untrustedSource: null } as TargetOptions;
}


let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'relaylab-time-control-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('chooseStrategy with a warp', () => {
  it('waits in real time when TTL / warp fits in --max-wait', () => {
    expect(chooseStrategy(600, false, 120, false, 60)).toEqual({ strategy: 'real-time', unavailableReason: null });
    expect(chooseStrategy(3600, false, 60, false, 60).strategy).toBe('real-time');
    expect(chooseStrategy(600, false, 120)).toMatchObject({ strategy: 'unavailable', unavailableReason: expect.stringMatching(/^TTL is 600 s, above --max-wait 120 s, and the relay offers no test-control profile/) });
  });

  it('names the real wait in the reason when even the warped TTL is too long', () => {
    const choice = chooseStrategy(3600, false, 30, false, 60);
    expect(choice.strategy).toBe('unavailable');
    expect(choice.unavailableReason).toMatch(/^TTL is 3600 s, 60 s of real time at --time-warp 60, above --max-wait 30 s, and the relay offers no test-control profile .*a larger --time-warp/);
    expect(chooseStrategy(3600, true, 30, false, 60).strategy).toBe('test-clock');
    expect(chooseStrategy(3600, true, 30, true, 60).unavailableReason).toMatch(/60 s of real time at --time-warp 60, above --max-wait 30 s, and --production forbids/);
  });

  it('treats a missing or unusable warp as none', () => {
    expect(chooseStrategy(600, false, 120, false, Number.NaN).strategy).toBe('unavailable');
    expect(new TimeControl({ ...facts(1), warp: undefined as unknown as number }).warp).toBe(1);
  });
});

describe('TimeControl and Timeline on the relay scale', () => {
  it('with warp 60, reach(now + 60 s) takes about a second of real time', async () => {
    const control = new TimeControl(facts(60));
    const startRelayMs = control.nowMs();
    const timeline = control.start(NO_CLIENT, startRelayMs, startRelayMs);
    const t0 = performance.now();
    await timeline.reach(startRelayMs + 60_000);
    const realMs = performance.now() - t0;
    const relayMs = timeline.nowMs() - startRelayMs;
    console.log(`warp 60: reach(now + 60 000) took ${realMs.toFixed(0)} ms real; relay scale moved ${relayMs} ms`);
    expect(realMs).toBeGreaterThan(950);
    expect(realMs).toBeLessThan(1300);
    expect(relayMs).toBeGreaterThanOrEqual(60_000);
    expect(relayMs).toBeLessThan(60_000 + 60 * 100);
  });

  it('with warp 1, reach and nowMs are real time, as before', async () => {
    const control = new TimeControl(facts(1));
    expect(Math.abs(control.nowMs() - Date.now())).toBeLessThanOrEqual(1);
    const timeline = control.start(NO_CLIENT, control.nowMs(), control.nowMs());
    const t0 = performance.now();
    await timeline.reach(timeline.nowMs() + 300);
    const realMs = performance.now() - t0;
    console.log(`warp 1: reach(now + 300) took ${realMs.toFixed(0)} ms real`);
    expect(realMs).toBeGreaterThan(280);
    expect(realMs).toBeLessThan(450);
    control.advancedMs += 5000;
    expect(control.nowMs() - Date.now()).toBeGreaterThanOrEqual(4999);
  });

  it('scales the latency margins by the warp and keeps the quarter-of-TTL margin as relay time', () => {
    const plain = new TimeControl(facts(1)).start(NO_CLIENT, 1_000_000, 1_000_100);
    expect(plain.surelyExpiredAtMs(20)).toBe(1_000_100 + 20_000 + 150);
    expect(plain.surelyLiveAtMs(20)).toBe(1_000_000 + 20_000 - 5000);
    expect(plain.surelyLiveAtMs(2)).toBe(1_000_000 + 2000 - 1000);
    const warped = new TimeControl(facts(60)).start(NO_CLIENT, 1_000_000, 1_000_100);
    expect(warped.surelyExpiredAtMs(600)).toBe(1_000_100 + 600_000 + 150 * 60);
    // A quarter of 600 s (150 s) beats 1 s real = 60 s relay; a quarter of 120 s (30 s) does not.
    expect(warped.surelyLiveAtMs(600)).toBe(1_000_000 + 600_000 - 150_000);
    expect(warped.surelyLiveAtMs(120)).toBe(1_000_000 + 120_000 - 60_000);
    expect(warped.latencyMs(300)).toBe(18_000);
    expect(warped.surelyExpiredAtMs(600, 0)).toBe(1_000_100 + 600_000);
  });

  it.runIf(HAS_FAKETIME)('agrees with the clock of a command run under faketime x60', async () => {
    const stub = join(dir, 'clock-stub.mjs');
    writeFileSync(
      stub,
      `import { createServer } from 'node:http';
createServer((req, res) => res.end(JSON.stringify({ now: Date.now() }))).listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));`,
    );
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const relay = await startTargetCommand({ command: `node ${stub} ${port}`, warp: 60, target: targetOptions(url, null) });
    const agent = new Agent();
    const relayNow = async () => ((await (await request(`${url}/api/health`, { dispatcher: agent })).body.json()) as { now: number }).now;
    try {
      const control = new TimeControl(facts(60));
      const r0 = await relayNow();
      const timeline = control.start(NO_CLIENT, control.nowMs(), control.nowMs());
      const t0 = performance.now();
      await timeline.reach(timeline.sentAtMs + 30_000);
      const r1 = await relayNow();
      const realMs = performance.now() - t0;
      console.log(`faketime x60: our reach(+30 000) took ${realMs.toFixed(0)} ms real; the child's clock moved ${r1 - r0} ms`);
      expect(r1 - r0).toBeGreaterThan(30_000 - 1000);
      expect(r1 - r0).toBeLessThan(30_000 + 60 * 60);
    } finally {
      await agent.close();
      await relay.close();
    }
  });
});

describe('verifyWarp', () => {
  it.runIf(HAS_FAKETIME)('took effect: the reference relay (CLI, TTL 20 s) under faketime x10 moves broadcast_expires 10 s per real second', async () => {
    const dataDir = join(dir, 'relay-warped');
    const { certificatePem } = await loadOrGenerateTlsPair(dataDir, '127.0.0.1');
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const options = targetOptions(url, certificatePem);
    const relay = await startTargetCommand({ command: `node ${CLI} relay --host 127.0.0.1 --port ${port} --ttl 20 --data-dir ${dataDir} --log-level warn`, warp: 10, target: options });
    const target = new Target(options);
    try {
      const t0 = performance.now();
      const check = await verifyWarp(target.client([]), 20, 10);
      const realMs = performance.now() - t0;
      console.log(`verifyWarp (warped relay): ${(realMs / 1000).toFixed(1)} s real: ${JSON.stringify(check)}`);
      expect(check.tookEffect).toBe(true);
      expect(check.detail).toMatch(/^two heartbeats [\d.]+ s apart moved broadcast_expires by \d+ s: the relay.s clock runs at (9\.\d|1[01]\.\d)x real time \(--time-warp 10 took effect\)/);
      expect(realMs).toBeLessThan(20_000 / 10 + 2000);
    } finally {
      await target.close();
      await relay.close();
    }
  });

  it('did not take effect: a relay in real time (TTL 20 s) with a claimed warp of 10 moves broadcast_expires 1 s per second', async () => {
    const relay = await startRelay({ host: '127.0.0.1', port: 0, ttlSeconds: 20 });
    const target = new Target(targetOptions(relay.url, relay.tlsCertificatePem));
    try {
      const t0 = performance.now();
      const check = await verifyWarp(target.client([]), 20, 10);
      const realMs = performance.now() - t0;
      console.log(`verifyWarp (unwarped relay): ${(realMs / 1000).toFixed(1)} s real: ${JSON.stringify(check)}`);
      expect(check.tookEffect).toBe(false);
      // The relay's own clock, read from two heartbeats' broadcast_expires, runs at 1x, not 10x. Whole-second
      // wire times make that reading exact to 1/gap only: heartbeats about 1 s apart may read 0x to 2x.
      expect(check.detail).toMatch(/^two heartbeats \d\.\d\d s apart moved broadcast_expires by [0-9] s: the relay's clock runs at [0-2]\.\dx real time, not 10x: the warp did not take effect/);
      expect(realMs).toBeGreaterThan(900);
    } finally {
      await target.close();
      await relay.close();
    }
  });

  it('cannot check, and says so, when the relay refuses the throw-away registration', async () => {
    const relay = await startRelay({ host: '127.0.0.1', port: 0, ttlSeconds: 20 });
    // No client certificate trust at all: every request fails in TLS.
    const target = new Target({ ...targetOptions(relay.url, null), requestTimeoutMs: 2000 });
    try {
      const check = await verifyWarp(target.client([]), 20, 10);
      expect(check.tookEffect).toBe(false);
      expect(check.detail).toMatch(/^could not check that --time-warp 10 took effect: no HTTP response: .*; expiry cases are not run on an unverified clock$/);
    } finally {
      await target.close();
      await relay.close();
    }
  });

  it('with no warp there is nothing to check', async () => {
    expect(await verifyWarp(NO_CLIENT, 20, 1)).toEqual({ tookEffect: true, detail: expect.stringMatching(/no time warp/) });
  });
});
