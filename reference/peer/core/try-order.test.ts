import { describe, expect, it } from 'vitest';
import { manualRuntime } from '../../shared/manual-timers.ts';
import { ScriptedNetwork } from '../../../test/peer/scripted-ports.ts';
import { startTryOrder, type TryOrderResult, type TryStrategy } from './try-order.ts';

const TARGET = 'alice@example.com';
const PORT = 4000;

function setup() {
  const runtime = manualRuntime(0);
  const network = new ScriptedNetwork(runtime.timers, () => runtime.clock.nowMs());
  let result: TryOrderResult | null = null;
  const progress: string[] = [];
  const run = (strategy: TryStrategy, addresses: string[], attemptTimeoutMs = 5_000) =>
    startTryOrder(
      { targetEmail: TARGET, port: PORT, addresses, strategy, attemptTimeoutMs },
      { ...runtime, dialer: network },
      { onAttempt: (a) => progress.push(`${a.address}:${a.outcome}`), onDone: (r) => (result = r) },
    );
  return { ...runtime, network, run, progress, result: () => result };
}

const summary = (r: TryOrderResult | null) => r && { winner: r.winner?.address ?? null, attempts: r.attempts.map((a) => [a.address, a.outcome, a.startedAtMs, a.elapsedMs]), elapsedMs: r.elapsedMs };

describe('try-order, sequential', () => {
  it('waits out a silent first address for the full timeout, then takes the second', () => {
    const t = setup();
    t.network.set('10.0.0.1', PORT, { kind: 'silent' }).set('10.0.0.2', PORT, { kind: 'answers', email: TARGET, afterMs: 7 });
    t.run('sequential', ['10.0.0.1', '10.0.0.2']);
    t.timers.advanceMs(60_000);
    expect(summary(t.result())).toEqual({
      winner: '10.0.0.2',
      attempts: [
        ['10.0.0.1', 'timeout', 0, 5_000],
        ['10.0.0.2', 'ok', 5_000, 7],
      ],
      elapsedMs: 5_007,
    });
    expect(t.network.dials[0]?.cancelled).toBe(true);
  });

  it('moves on at once past refusing addresses', () => {
    const t = setup();
    t.network
      .set('10.0.0.1', PORT, { kind: 'refuses', afterMs: 2 })
      .set('10.0.0.2', PORT, { kind: 'refuses', afterMs: 3 })
      .set('fd00::1', PORT, { kind: 'answers', email: TARGET, afterMs: 4 });
    t.run('sequential', ['10.0.0.1', '10.0.0.2', 'fd00::1']);
    t.timers.advanceMs(100);
    expect(summary(t.result())).toEqual({
      winner: 'fd00::1',
      attempts: [
        ['10.0.0.1', 'refused', 0, 2],
        ['10.0.0.2', 'refused', 2, 3],
        ['fd00::1', 'ok', 5, 4],
      ],
      elapsedMs: 9,
    });
  });

  it('skips a host that answers with another email (wrong LAN) and reports who answered', () => {
    const t = setup();
    t.network.set('192.168.1.50', PORT, { kind: 'answers', email: 'mallory@elsewhere.net', afterMs: 3 }).set('203.0.113.5', PORT, { kind: 'answers', email: 'ALICE@example.com', afterMs: 20 });
    t.run('sequential', ['192.168.1.50', '203.0.113.5']);
    t.timers.advanceMs(100);
    const r = t.result();
    expect(r?.winner?.address).toBe('203.0.113.5');
    expect(r?.attempts[0]).toMatchObject({ outcome: 'wrong_host', seenEmail: 'mallory@elsewhere.net' });
  });

  it('reports no winner when every address fails, after trying each once in order', () => {
    const t = setup();
    t.network.set('10.0.0.1', PORT, { kind: 'silent' }).set('10.0.0.2', PORT, { kind: 'http_error', afterMs: 1 });
    t.run('sequential', ['10.0.0.1', '10.0.0.2'], 1_000);
    t.timers.advanceMs(10_000);
    expect(summary(t.result())).toEqual({ winner: null, attempts: [['10.0.0.1', 'timeout', 0, 1_000], ['10.0.0.2', 'http_error', 1_000, 1]], elapsedMs: 1_001 });
    expect(t.timers.pendingCount()).toBe(0);
  });

  it('finishes at once with no addresses', () => {
    const t = setup();
    t.run('sequential', []);
    expect(summary(t.result())).toEqual({ winner: null, attempts: [], elapsedMs: 0 });
  });
});

describe('try-order, race', () => {
  it('staggers attempts 250 ms apart past silent addresses and cancels the losers', () => {
    const t = setup();
    t.network
      .set('10.0.0.1', PORT, { kind: 'silent' })
      .set('10.0.0.2', PORT, { kind: 'silent' })
      .set('fd00::1', PORT, { kind: 'answers', email: TARGET, afterMs: 30 })
      .set('2001:db8::1', PORT, { kind: 'answers', email: TARGET, afterMs: 1 });
    t.run('race', ['10.0.0.1', '10.0.0.2', 'fd00::1', '2001:db8::1']);
    t.timers.advanceMs(60_000);
    expect(summary(t.result())).toEqual({
      winner: 'fd00::1',
      attempts: [
        ['10.0.0.1', 'cancelled', 0, 530],
        ['10.0.0.2', 'cancelled', 250, 280],
        ['fd00::1', 'ok', 500, 30],
      ],
      elapsedMs: 530,
    });
    expect(t.network.dials.map((d) => [d.address, d.cancelled])).toEqual([
      ['10.0.0.1', true],
      ['10.0.0.2', true],
      ['fd00::1', false],
    ]);
    expect(t.timers.pendingCount()).toBe(0);
  });

  it('starts the next attempt at once when the previous is refused', () => {
    const t = setup();
    t.network.set('10.0.0.1', PORT, { kind: 'refuses', afterMs: 10 }).set('10.0.0.2', PORT, { kind: 'answers', email: TARGET, afterMs: 10 });
    t.run('race', ['10.0.0.1', '10.0.0.2']);
    t.timers.advanceMs(1_000);
    expect(summary(t.result())).toEqual({ winner: '10.0.0.2', attempts: [['10.0.0.1', 'refused', 0, 10], ['10.0.0.2', 'ok', 10, 10]], elapsedMs: 20 });
  });

  it('keeps the earlier verified answer even when a later one was also started', () => {
    const t = setup();
    t.network.set('10.0.0.1', PORT, { kind: 'answers', email: TARGET, afterMs: 400 }).set('10.0.0.2', PORT, { kind: 'answers', email: TARGET, afterMs: 100 });
    t.run('race', ['10.0.0.1', '10.0.0.2']);
    t.timers.advanceMs(1_000);
    // 10.0.0.2 started at 250 and answered at 350, before 10.0.0.1 at 400: first verified wins.
    expect(t.result()?.winner?.address).toBe('10.0.0.2');
  });

  it('never accepts a wrong host, however fast', () => {
    const t = setup();
    t.network.set('192.168.1.50', PORT, { kind: 'answers', email: 'bob@other.org', afterMs: 1 }).set('10.0.0.9', PORT, { kind: 'silent' });
    t.run('race', ['192.168.1.50', '10.0.0.9'], 2_000);
    t.timers.advanceMs(10_000);
    expect(summary(t.result())).toEqual({ winner: null, attempts: [['192.168.1.50', 'wrong_host', 0, 1], ['10.0.0.9', 'timeout', 1, 2_000]], elapsedMs: 2_001 });
  });

  it('cancelling the run cancels every dial and reports nothing', () => {
    const t = setup();
    t.network.set('10.0.0.1', PORT, { kind: 'silent' }).set('10.0.0.2', PORT, { kind: 'silent' });
    const handle = t.run('race', ['10.0.0.1', '10.0.0.2']);
    t.timers.advanceMs(300);
    handle.cancel();
    t.timers.advanceMs(60_000);
    expect(t.result()).toBeNull();
    expect(t.network.dials.every((d) => d.cancelled)).toBe(true);
    expect(t.timers.pendingCount()).toBe(0);
  });

  it('copes with a dialer that answers synchronously', () => {
    const t = setup();
    const syncDialer = { dial: (address: string, _p: number, _e: string, _t: number, done: (o: { kind: 'refused' } | { kind: 'ok'; email: string }) => void) => {
      done(address === 'fd00::2' ? { kind: 'ok', email: TARGET } : { kind: 'refused' });
      return { cancel() {} };
    } };
    let result: TryOrderResult | null = null;
    startTryOrder({ targetEmail: TARGET, port: PORT, addresses: ['10.0.0.1', '10.0.0.2', 'fd00::2'], strategy: 'race' }, { ...t, dialer: syncDialer }, { onDone: (r) => (result = r) });
    expect(summary(result)).toEqual({ winner: 'fd00::2', attempts: [['10.0.0.1', 'refused', 0, 0], ['10.0.0.2', 'refused', 0, 0], ['fd00::2', 'ok', 0, 0]], elapsedMs: 0 });
    expect(t.timers.pendingCount()).toBe(0);
  });
});

describe('try-order, start events', () => {
  it('announces each attempt as it starts, before it settles, in both strategies', () => {
    for (const strategy of ['sequential', 'race'] as const) {
      const runtime = manualRuntime(0);
      const network = new ScriptedNetwork(runtime.timers, () => runtime.clock.nowMs());
      network.set('10.0.0.1', PORT, { kind: 'silent' }).set('10.0.0.2', PORT, { kind: 'answers', email: TARGET, afterMs: 7 });
      const log: string[] = [];
      startTryOrder(
        { targetEmail: TARGET, port: PORT, addresses: ['10.0.0.1', '10.0.0.2'], strategy, attemptTimeoutMs: 1_000 },
        { ...runtime, dialer: network },
        {
          onAttemptStart: (a) => log.push(`start ${a.index} ${a.address}:${a.port} @${a.startedAtMs}`),
          onAttempt: (a) => log.push(`settle ${a.index} ${a.outcome} @${a.startedAtMs + a.elapsedMs}`),
          onDone: () => log.push('done'),
        },
      );
      runtime.timers.advanceMs(5_000);
      expect(log, strategy).toEqual(
        strategy === 'sequential'
          ? ['start 0 10.0.0.1:4000 @0', 'settle 0 timeout @1000', 'start 1 10.0.0.2:4000 @1000', 'settle 1 ok @1007', 'done']
          : ['start 0 10.0.0.1:4000 @0', 'start 1 10.0.0.2:4000 @250', 'settle 1 ok @257', 'done'],
      );
    }
  });
});
