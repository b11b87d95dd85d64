import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualRuntime } from '../../shared/manual-timers.ts';
import { ScriptedNetwork, ScriptedRelay, response, unreachable } from '../../../test/peer/scripted-ports.ts';
import { FriendsMonitor, type FriendStatus, type FriendsEvent } from './friends-monitor.ts';

const BOB = 'bob@example.com';
const PORT = 5000;

function setup(lastGood: { address: string; port: number } | null = null) {
  const runtime = manualRuntime(0);
  const network = new ScriptedNetwork(runtime.timers, () => runtime.clock.nowMs());
  const relay = new ScriptedRelay(runtime.timers, () => runtime.clock.nowMs());
  const events: FriendsEvent[] = [];
  const monitor = new FriendsMonitor(
    { friends: [{ email: BOB, lastGood }], healthIntervalMs: 60_000, attemptTimeoutMs: 1_000 },
    { ...runtime, dialer: network, relay, onEvent: (e) => events.push(e) },
  );
  const transitions = () => events.filter((e) => e.type === 'status_changed').map((e) => (e.type === 'status_changed' ? `${e.from}->${e.to}@${e.atMs}` : ''));
  return { ...runtime, network, relay, events, monitor, transitions };
}

describe('FriendsMonitor', () => {
  it('goes online through the cached socket without asking the relay', () => {
    const t = setup({ address: '10.0.0.7', port: PORT });
    t.network.set('10.0.0.7', PORT, { kind: 'answers', email: BOB, afterMs: 3 });
    t.monitor.start();
    t.timers.advanceMs(10);
    expect(t.transitions()).toEqual(['unknown->checking@0', 'checking->online@3']);
    expect(t.relay.count('lookup')).toBe(0);
  });

  it('falls back to the relay and the try-order when the cached socket fails, and caches the winner', () => {
    const t = setup({ address: '10.0.0.7', port: PORT });
    t.network.set('10.0.0.7', PORT, { kind: 'silent' }).set('192.168.5.5', 6000, { kind: 'answers', email: BOB, afterMs: 2 });
    t.relay.answerLookup(BOB, response(200, { email: BOB, status: 'online', port: 6000, addresses: ['192.168.5.5'] }));
    t.monitor.start();
    t.timers.advanceMs(1_100);
    expect(t.transitions()).toEqual(['unknown->checking@0', 'checking->online@1007']);
    expect(t.events.find((e) => e.type === 'cache_updated')).toMatchObject({ lastGood: { address: '192.168.5.5', port: 6000 } });
    expect(t.monitor.snapshot()[0]?.lastGood).toEqual({ address: '192.168.5.5', port: 6000 });
  });

  it('is offline when the relay has no live broadcast, unknown when the relay cannot be reached', () => {
    const t = setup();
    t.relay.script('lookup', response(404, { code: 'peer_not_found' }), unreachable());
    t.monitor.start();
    t.timers.advanceMs(10);
    expect(t.monitor.statusOf(BOB)).toBe('offline');
    t.timers.advanceMs(60_000);
    expect(t.monitor.statusOf(BOB)).toBe('unknown');
    expect(t.monitor.snapshot()[0]?.detail).toMatch(/relay_unreachable/);
    expect(t.transitions()).toEqual(['unknown->checking@0', 'checking->offline@5', 'offline->checking@60000', 'checking->unknown@60005']);
  });

  it('is offline when only a wrong host answers at the announced address', () => {
    const t = setup();
    t.network.set('192.168.1.50', PORT, { kind: 'answers', email: 'carol@else.where', afterMs: 1 });
    t.relay.answerLookup(BOB, response(200, { email: BOB, port: PORT, addresses: ['192.168.1.50'] }));
    t.monitor.start();
    t.timers.advanceMs(100);
    expect(t.monitor.statusOf(BOB)).toBe('offline');
  });

  it('checks every health interval and stops cleanly', () => {
    const t = setup({ address: '10.0.0.7', port: PORT });
    t.network.set('10.0.0.7', PORT, { kind: 'answers', email: BOB, afterMs: 1 });
    t.monitor.start();
    t.timers.advanceMs(180_000);
    expect(t.network.dials.map((d) => d.atMs)).toEqual([0, 60_000, 120_000, 180_000]);
    t.monitor.stop();
    expect(t.timers.pendingCount()).toBe(0);
  });
});

// ---------------------------------------------------------------- model-based

/** What the world looks like for Bob right now; the model predicts his status from it. */
interface World {
  cachedAnswers: boolean;
  relay: 'live' | 'gone' | 'down';
  announcedAnswers: boolean;
}
interface Model {
  world: World;
  /** Which socket the monitor holds as last-good. */
  cache: 'original' | 'announced';
  status: FriendStatus;
}
interface Real {
  t: ReturnType<typeof setup>;
  apply(world: World): void;
}

const CACHED = { address: '10.0.0.7', port: PORT };
const ANNOUNCED = { address: 'fd00::b0b', port: 6000 };

function cacheAnswers(m: Model): boolean {
  return m.cache === 'original' ? m.world.cachedAnswers : m.world.announcedAnswers;
}

function expectedStatus(m: Model): FriendStatus {
  if (cacheAnswers(m)) return 'online';
  if (m.world.relay === 'down') return 'unknown';
  if (m.world.relay === 'gone') return 'offline';
  return m.world.announcedAnswers ? 'online' : 'offline';
}

class ChangeWorld implements fc.Command<Model, Real> {
  constructor(readonly world: World) {}
  check = () => true;
  run(m: Model, r: Real): void {
    m.world = this.world;
    r.apply(this.world);
  }
  toString = () => `world(${JSON.stringify(this.world)})`;
}

class WaitForCheck implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    const before = r.t.monitor.statusOf(BOB);
    r.t.timers.advanceMs(60_000);
    const predicted = expectedStatus(m);
    expect(r.t.monitor.statusOf(BOB)).toBe(predicted);
    if (predicted === 'online' && !cacheAnswers(m)) m.cache = 'announced';
    expect(r.t.monitor.snapshot()[0]?.lastGood).toEqual(m.cache === 'original' ? CACHED : ANNOUNCED);
    // Every settled change went through `checking` and was reported.
    const last = r.t.events.filter((e) => e.type === 'status_changed').at(-1);
    if (before !== predicted) expect(last).toMatchObject({ from: 'checking', to: predicted });
    m.status = predicted;
  }
  toString = () => 'wait 60 s';
}

describe('FriendsMonitor statuses (model-based)', () => {
  it('settles to the status the world implies after each health check', () => {
    const world = fc.record({ cachedAnswers: fc.boolean(), relay: fc.constantFrom<World['relay']>('live', 'gone', 'down'), announcedAnswers: fc.boolean() });
    const commands = [world.map((w) => new ChangeWorld(w)), fc.constant(new WaitForCheck())];
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 30 }), (cmds) => {
        const t = setup(CACHED);
        const real: Real = {
          t,
          apply(w) {
            t.network.set(CACHED.address, CACHED.port, w.cachedAnswers ? { kind: 'answers', email: BOB, afterMs: 2 } : { kind: 'refuses', afterMs: 1 });
            t.network.set(ANNOUNCED.address, ANNOUNCED.port, w.announcedAnswers ? { kind: 'answers', email: BOB, afterMs: 3 } : { kind: 'silent' });
            const reply = w.relay === 'live' ? response(200, { email: BOB, port: ANNOUNCED.port, addresses: [ANNOUNCED.address] }) : w.relay === 'gone' ? response(404) : unreachable();
            t.relay.answerLookup(BOB, reply);
          },
        };
        const initial: World = { cachedAnswers: false, relay: 'gone', announcedAnswers: false };
        real.apply(initial);
        t.monitor.start();
        t.timers.advanceMs(10_000);
        const model: Model = { world: initial, cache: 'original', status: 'offline' };
        expect(t.monitor.statusOf(BOB)).toBe('offline');
        fc.modelRun(() => ({ model, real }), cmds);
        t.monitor.stop();
      }),
      { numRuns: 100 },
    );
  });
});
