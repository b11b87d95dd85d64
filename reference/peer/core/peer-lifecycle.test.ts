import { describe, expect, it } from 'vitest';
import { manualRuntime } from '../../shared/manual-timers.ts';
import { ScriptedRelay, response, unreachable } from '../../../test/peer/scripted-ports.ts';
import { PeerLifecycle, type LifecycleEvent } from './peer-lifecycle.ts';

const MIN = 60_000;

function setup(addresses: string[][] = [['10.0.0.5', 'fd00::5']]) {
  const runtime = manualRuntime(0);
  const relay = new ScriptedRelay(runtime.timers, () => runtime.clock.nowMs());
  const events: LifecycleEvent[] = [];
  let current = addresses[0] ?? [];
  const lifecycle = new PeerLifecycle(
    { email: 'alice@example.com', port: 4321, addressSource: () => current, heartbeatIntervalMs: 30 * MIN, addressCheckIntervalMs: MIN, retryDelayMs: 10_000 },
    { ...runtime, relay, onEvent: (e) => events.push(e) },
  );
  const kinds = () => events.map((e) => (e.type === 'ready' ? `ready:${e.reason}` : e.type === 'fatal' ? `fatal:${e.code}` : e.type === 'registered' ? `registered:${e.status}` : e.type));
  return { ...runtime, relay, events, lifecycle, kinds, setAddresses: (next: string[]) => (current = next) };
}

describe('PeerLifecycle', () => {
  it('registers, sends ready with port and addresses, then heartbeats every interval', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200, { expires_in: 3600 })).script('heartbeat', response(200, { expires_in: 3600 }));
    t.lifecycle.start();
    t.timers.advanceMs(20);
    expect(t.lifecycle.currentPhase).toBe('live');
    expect(t.relay.calls.find((c) => c.endpoint === 'ready')).toMatchObject({ payload: { port: 4321, addresses: ['10.0.0.5', 'fd00::5'] } });
    t.timers.advanceMs(90 * MIN + 10);
    expect(t.relay.calls.filter((c) => c.endpoint === 'heartbeat').map((c) => c.atMs)).toEqual([30 * MIN + 10, 60 * MIN + 15, 90 * MIN + 20]);
    expect(t.kinds()).toEqual(['registered:200', 'ready:startup', 'heartbeat', 'heartbeat', 'heartbeat']);
  });

  it("heartbeats at half the relay's TTL when that is shorter than the interval (relay --ttl 600)", () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200, { expires_in: 600 })).script('heartbeat', response(200, { expires_in: 600 }));
    t.lifecycle.start();
    t.timers.advanceMs(10);
    expect(t.lifecycle.heartbeatDelayMs).toBe(300_000);
    t.timers.advanceMs(30 * MIN);
    const beats = t.relay.calls.filter((c) => c.endpoint === 'heartbeat').map((c) => c.atMs);
    expect(beats.length).toBeGreaterThanOrEqual(5);
    // Never more than TTL/2 (+ one round trip) between the relay's refreshes: we stay listed throughout.
    const refreshes = [10, ...beats.map((at) => at + 5)];
    for (let i = 1; i < refreshes.length; i++) expect(refreshes[i]! - refreshes[i - 1]!).toBeLessThanOrEqual(300_000 + 10);
  });

  it('follows a TTL learned from a heartbeat reply, and keeps the interval when the TTL is long', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200, { expires_in: 7200 })).script('heartbeat', response(200, { expires_in: 120 }));
    t.lifecycle.start();
    t.timers.advanceMs(10);
    expect(t.lifecycle.heartbeatDelayMs).toBe(30 * MIN); // min(30 min, 3600 s)
    t.timers.advanceMs(30 * MIN + 10);
    expect(t.lifecycle.heartbeatDelayMs).toBe(60_000);
    t.timers.advanceMs(2 * MIN);
    expect(t.relay.calls.filter((c) => c.endpoint === 'heartbeat').map((c) => c.atMs)).toEqual([30 * MIN + 10, 31 * MIN + 15, 32 * MIN + 20]);
  });

  it('heartbeatNow sends one at once and reschedules the next', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200)).script('heartbeat', response(200));
    t.lifecycle.start();
    t.timers.advanceMs(10);
    t.lifecycle.heartbeatNow();
    t.timers.advanceMs(10);
    expect(t.relay.calls.filter((c) => c.endpoint === 'heartbeat').map((c) => c.atMs)).toEqual([10]);
    t.timers.advanceMs(30 * MIN);
    expect(t.relay.calls.filter((c) => c.endpoint === 'heartbeat').map((c) => c.atMs)).toEqual([10, 30 * MIN + 15]);
  });

  it('accepts 409 on register when the following ready succeeds (our own certificate)', () => {
    const t = setup();
    t.relay.script('register', response(409, { code: 'email_taken' })).script('ready', response(200));
    t.lifecycle.start();
    t.timers.advanceMs(20);
    expect(t.kinds()).toEqual(['registered:409', 'ready:startup']);
    expect(t.lifecycle.currentPhase).toBe('live');
  });

  it('gives up with a clear code on 409 then 401: someone else holds the email', () => {
    const t = setup();
    t.relay.script('register', response(409, { code: 'email_taken' })).script('ready', response(401, { code: 'certificate_not_registered' }));
    t.lifecycle.start();
    t.timers.advanceMs(MIN * 10);
    expect(t.kinds()).toEqual(['registered:409', 'fatal:email_held_by_another_identity']);
    expect(t.lifecycle.currentPhase).toBe('failed');
    expect(t.timers.pendingCount()).toBe(0);
    expect(t.relay.count('ready')).toBe(1);
  });

  it('a 401 on a later ready, after the 409 was confirmed ours, registers again instead of giving up', () => {
    const t = setup();
    t.relay.script('register', response(409), response(200)).script('ready', response(200), response(401), response(200));
    t.lifecycle.start();
    t.timers.advanceMs(20);
    t.setAddresses(['10.0.0.6']);
    t.timers.advanceMs(MIN + 10_000 + 20);
    expect(t.kinds()).toEqual(['registered:409', 'ready:startup', 'addresses_changed', 'relay_trouble', 'registered:200', 'ready:startup']);
    expect(t.lifecycle.currentPhase).toBe('live');
  });

  it('retries a register that got 429 or 503; only 400 is final', () => {
    const t = setup();
    t.relay.script('register', response(429), response(503), response(400, { code: 'invalid_certificate', error: 'bad' }));
    t.lifecycle.start();
    t.timers.advanceMs(30_000);
    expect(t.kinds()).toEqual(['relay_trouble', 'relay_trouble', 'fatal:registration_rejected']);
  });

  it('sends ready again after a heartbeat gets 404, then resumes heartbeats', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200)).script('heartbeat', response(404, { code: 'no_live_broadcast' }), response(200));
    t.lifecycle.start();
    t.timers.advanceMs(30 * MIN + 100);
    expect(t.kinds()).toEqual(['registered:200', 'ready:startup', 'broadcast_expired', 'ready:heartbeat_404']);
    expect(t.relay.count('ready')).toBe(2);
    t.timers.advanceMs(30 * MIN);
    expect(t.kinds().at(-1)).toBe('heartbeat');
  });

  it('sends ready again when the address set changes, with the new list', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200)).script('heartbeat', response(200));
    t.lifecycle.start();
    t.timers.advanceMs(20);
    t.setAddresses(['10.0.0.6', 'fd00::5']);
    t.timers.advanceMs(MIN);
    expect(t.kinds()).toEqual(['registered:200', 'ready:startup', 'addresses_changed', 'ready:addresses_changed']);
    const readies = t.relay.calls.filter((c) => c.endpoint === 'ready');
    expect(readies.map((c) => (c.endpoint === 'ready' ? c.payload.addresses : null))).toEqual([
      ['10.0.0.5', 'fd00::5'],
      ['10.0.0.6', 'fd00::5'],
    ]);
    t.timers.advanceMs(5 * MIN);
    expect(t.relay.count('ready')).toBe(2); // unchanged addresses: no further ready
  });

  it('a ready lost in flight times out and is retried with the addresses current by then', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', null, response(200));
    t.lifecycle.start();
    t.timers.advanceMs(10);
    t.setAddresses(['192.168.0.2']);
    t.lifecycle.checkAddresses();
    expect(t.relay.count('ready')).toBe(1);
    t.timers.advanceMs(30_000 + 10_000 + 10);
    expect(t.kinds()).toEqual(['registered:200', 'addresses_changed', 'relay_trouble', 'ready:retry']);
    const last = t.relay.calls.at(-1);
    expect(last?.endpoint === 'ready' && last.payload.addresses).toEqual(['192.168.0.2']);
    expect(t.lifecycle.currentPhase).toBe('live');
  });

  it('a dropped heartbeat is retried, not waited on forever', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200)).script('heartbeat', null, response(200));
    t.lifecycle.start();
    t.timers.advanceMs(30 * MIN + 10 + 30_000 + 10_000 + 5);
    expect(t.kinds()).toEqual(['registered:200', 'ready:startup', 'relay_trouble', 'heartbeat']);
  });

  it('retries after the relay is unreachable, and starts over after a 401 heartbeat (relay lost its memory)', () => {
    const t = setup();
    t.relay.script('register', unreachable(), response(200)).script('ready', response(200)).script('heartbeat', response(401), response(200));
    t.lifecycle.start();
    t.timers.advanceMs(10_100);
    expect(t.kinds()).toEqual(['relay_trouble', 'registered:200', 'ready:startup']);
    t.timers.advanceMs(30 * MIN + 10_100);
    expect(t.kinds().slice(3)).toEqual(['relay_trouble', 'registered:200', 'ready:startup']);
  });

  it('waits, without dying, while every address is gone mid-run, and readies when one returns', () => {
    const t = setup();
    t.relay.script('register', response(200)).script('ready', response(200)).script('heartbeat', response(200));
    t.lifecycle.start();
    t.timers.advanceMs(20);
    t.setAddresses([]);
    t.timers.advanceMs(MIN);
    expect(t.kinds().slice(2)).toEqual(['addresses_changed', 'waiting_for_addresses']);
    expect(t.lifecycle.currentPhase).toBe('live');
    t.setAddresses(['10.9.9.9']);
    t.timers.advanceMs(MIN);
    expect(t.kinds().slice(4)).toEqual(['addresses_changed', 'ready:addresses_changed']);
    expect(t.relay.count('ready')).toBe(2);
  });

  it('fails with a code when there is nothing to announce, and stop() clears every timer', () => {
    const t = setup([[]]);
    t.relay.script('register', response(200));
    t.lifecycle.start();
    t.timers.advanceMs(20);
    expect(t.kinds()).toEqual(['registered:200', 'fatal:no_addresses']);
    const u = setup();
    u.relay.script('register', response(200)).script('ready', response(200)).script('heartbeat', response(200));
    u.lifecycle.start();
    u.timers.advanceMs(20);
    u.lifecycle.stop();
    expect(u.timers.pendingCount()).toBe(0);
  });
});
