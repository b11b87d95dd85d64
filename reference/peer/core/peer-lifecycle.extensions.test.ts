/** PeerLifecycle with the relay's optional extensions (SPEC EXT-2 goodbye, EXT-3 observed address). */
import { describe, expect, it } from 'vitest';
import { manualRuntime } from '../../shared/manual-timers.ts';
import { ScriptedRelay, response, unreachable } from '../../../test/peer/scripted-ports.ts';
import { PeerLifecycle, type LifecycleEvent, type PeerLifecycleOptions } from './peer-lifecycle.ts';

const MIN = 60_000;

function setup(options: Partial<PeerLifecycleOptions> = {}, own = ['192.168.1.5']) {
  const runtime = manualRuntime(0);
  const relay = new ScriptedRelay(runtime.timers, () => runtime.clock.nowMs());
  const events: LifecycleEvent[] = [];
  const lifecycle = new PeerLifecycle(
    { email: 'alice@example.com', port: 4321, addressSource: () => own, heartbeatIntervalMs: 30 * MIN, addressCheckIntervalMs: 60 * MIN, retryDelayMs: 10_000, ...options },
    { ...runtime, relay, onEvent: (e) => events.push(e) },
  );
  const readies = () => relay.calls.filter((c) => c.endpoint === 'ready').map((c) => (c.endpoint === 'ready' ? c.payload.addresses : []));
  return { ...runtime, relay, events, lifecycle, readies };
}

describe('observed address (SPEC EXT-3)', () => {
  it('announces a public observed address after its own, once, at once after the ready that told it', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200, { expires_in: 3600, observed_address: '203.0.113.7' })).script('heartbeat', response(200, { expires_in: 3600, observed_address: '203.0.113.7' }));
    t.lifecycle.start();
    t.timers.advanceMs(100);
    expect(t.readies()).toEqual([['192.168.1.5'], ['192.168.1.5', '203.0.113.7']]);
    t.timers.advanceMs(60 * MIN);
    expect(t.readies()).toHaveLength(2);
    expect(t.lifecycle.announcedAddresses).toEqual(['192.168.1.5', '203.0.113.7']);
  });

  it('re-announces when a heartbeat reports a new address, and drops one that is no longer public', () => {
    const t = setup();
    t.relay
      .script('register', response(200))
      .script('ready', response(200, { expires_in: 3600 }))
      .script(
        'heartbeat',
        response(200, { observed_address: '198.51.100.1' }),
        // A change is taken when the next answer (an early heartbeat, 1 s later) says it again.
        response(200, { observed_address: '198.51.100.2' }),
        response(200, { observed_address: '198.51.100.2' }),
        response(200, { observed_address: '10.0.0.9' }),
        response(200, { observed_address: '10.0.0.9' }),
      );
    t.lifecycle.start();
    t.timers.advanceMs(100);
    t.timers.advanceMs(2 * 60 * MIN);
    expect(t.readies()).toEqual([['192.168.1.5'], ['192.168.1.5', '198.51.100.1'], ['192.168.1.5', '198.51.100.2'], ['192.168.1.5']]);
    expect(t.events.filter((e) => e.type === 'observed_address').map((e) => (e.type === 'observed_address' ? [e.address, e.announced] : null))).toEqual([
      ['198.51.100.1', true],
      ['198.51.100.2', true],
      ['10.0.0.9', false],
    ]);
  });

  it('does not re-announce for a relay whose answers alternate between two egress addresses', () => {
    const t = setup();
    const a = response(200, { expires_in: 3600, observed_address: '203.0.113.1' });
    const b = response(200, { expires_in: 3600, observed_address: '203.0.113.2' });
    // Every answer names the other address than the one before: ready a, ready b, then heartbeats a, b, a, ...
    t.relay.script('register', response(200)).script('ready', a, b).script('heartbeat', ...Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b)));
    t.lifecycle.start();
    t.timers.advanceMs(3 * 60 * MIN);
    expect(t.readies()).toEqual([['192.168.1.5'], ['192.168.1.5', '203.0.113.1']]);
    // One early (confirming) heartbeat per regular one at most: 6 regular in 3 h.
    expect(t.relay.count('heartbeat')).toBeLessThanOrEqual(12);
  });

  it('adds nothing already announced, and nothing when told not to', () => {
    const already = setup({}, ['192.168.1.5', '203.0.113.7']);
    already.relay.script('register', response(200)).script('ready', response(200, { observed_address: '203.0.113.7' }));
    already.lifecycle.start();
    already.timers.advanceMs(100);
    expect(already.readies()).toEqual([['192.168.1.5', '203.0.113.7']]);
    const off = setup({ useObservedAddress: false });
    off.relay.script('register', response(200)).script('ready', response(200, { observed_address: '203.0.113.7' }));
    off.lifecycle.start();
    off.timers.advanceMs(100);
    expect(off.readies()).toEqual([['192.168.1.5']]);
  });
});

describe('leave: goodbye (SPEC EXT-2)', () => {
  it('says goodbye when live and the relay offers it, then stops; onDone after the answer', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200)).script('goodbye', response(200, { status: 'gone', was_live: true }));
    t.lifecycle.relayOffers(['renew', 'goodbye']);
    t.lifecycle.start();
    t.timers.advanceMs(100);
    let done = false;
    t.lifecycle.leave(() => (done = true));
    expect(t.lifecycle.currentPhase).toBe('leaving');
    expect(done).toBe(false);
    t.timers.advanceMs(10);
    expect(done).toBe(true);
    expect(t.lifecycle.currentPhase).toBe('stopped');
    expect(t.relay.count('goodbye')).toBe(1);
    expect(t.events.at(-1)).toMatchObject({ type: 'goodbye', outcome: 'ended' });
    t.timers.advanceMs(120 * MIN);
    expect(t.relay.count('heartbeat')).toBe(0);
  });

  it('just stops where the relay does not offer it, or before it is live', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200)).script('goodbye', response(200));
    t.lifecycle.start();
    t.timers.advanceMs(100);
    let done = false;
    t.lifecycle.leave(() => (done = true));
    expect(done).toBe(true);
    expect(t.relay.count('goodbye')).toBe(0);
    const early = setup();
    early.relay.script('register', null);
    early.lifecycle.relayOffers(['goodbye']);
    early.lifecycle.start();
    early.lifecycle.leave();
    expect(early.lifecycle.currentPhase).toBe('stopped');
    expect(early.relay.count('goodbye')).toBe(0);
  });

  it('just stops where the relay offers other extensions but not goodbye, or withdrew it', () => {
    for (const lists of [[['renew', 'observed-address']], [['goodbye'], []]]) {
      const t = setup();
      t.relay.script('register', response(200)).script('ready', response(200)).script('goodbye', response(200));
      for (const names of lists) t.lifecycle.relayOffers(names);
      t.lifecycle.start();
      t.timers.advanceMs(100);
      t.lifecycle.leave();
      expect(t.lifecycle.currentPhase).toBe('stopped');
      expect(t.relay.count('goodbye')).toBe(0);
    }
  });

  it('reports a goodbye that did not get through, and still stops', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200)).script('goodbye', unreachable());
    t.lifecycle.relayOffers(['goodbye']);
    t.lifecycle.start();
    t.timers.advanceMs(100);
    t.lifecycle.leave();
    t.timers.advanceMs(10);
    expect(t.events.at(-1)).toMatchObject({ type: 'goodbye', outcome: 'failed' });
    expect(t.lifecycle.currentPhase).toBe('stopped');
  });

  it('waits for a ready in flight, then says goodbye (the ready would otherwise list it after the goodbye)', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200)).script('goodbye', response(200, { status: 'gone', was_live: true }));
    t.lifecycle.relayOffers(['goodbye']);
    t.lifecycle.start();
    t.timers.advanceMs(6); // the register answered at 5 ms; the ready is in flight
    expect(t.lifecycle.currentPhase).toBe('readying');
    let done = false;
    t.lifecycle.leave(() => (done = true));
    expect(t.relay.count('goodbye')).toBe(0);
    t.timers.advanceMs(20);
    expect(t.relay.calls.map((c) => c.endpoint)).toEqual(['register', 'ready', 'goodbye']);
    expect(done).toBe(true);
    expect(t.lifecycle.currentPhase).toBe('stopped');
  });

  it('says goodbye at once while waiting to retry a ready: nothing is in flight, and the one that timed out may have been accepted', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', unreachable()).script('goodbye', response(200, { status: 'gone', was_live: false }));
    t.lifecycle.relayOffers(['goodbye']);
    t.lifecycle.start();
    t.timers.advanceMs(100); // the ready failed; its retry waits 10 s
    expect(t.lifecycle.currentPhase).toBe('readying');
    let done = false;
    t.lifecycle.leave(() => (done = true));
    expect(t.lifecycle.currentPhase).toBe('leaving');
    t.timers.advanceMs(10);
    expect(done).toBe(true);
    expect(t.lifecycle.currentPhase).toBe('stopped');
    // The retry never comes, nor anything after it.
    t.timers.advanceMs(120 * MIN);
    expect(t.relay.calls.map((c) => c.endpoint)).toEqual(['register', 'ready', 'goodbye']);
  });

  it('a stop while waiting for that ready still ends the leave', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', null);
    t.lifecycle.relayOffers(['goodbye']);
    t.lifecycle.start();
    t.timers.advanceMs(6);
    let done = false;
    t.lifecycle.leave(() => (done = true));
    t.lifecycle.stop();
    expect(done).toBe(true);
    expect(t.relay.count('goodbye')).toBe(0);
  });
});
