/**
 * The friends oracle. mass-churn at 20,000 peers over 6 h counted 130
 * friends "online while dead": each an answer the friend gave while alive,
 * delivered after it departed (in flight for the dial's two round trips).
 * The reference monitor was right to report online; the oracle judged the
 * report against the wrong instant. It must still catch an online report
 * that does not rest on the friend's own answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FriendsEvent } from '../../reference/peer/core/friends-monitor.ts';
import type { DialOutcome, Dialer } from '../../reference/peer/core/ports.ts';
import { Simulation } from '../engine/simulation.ts';
import { Measurements } from '../measure/measurements.ts';
import { runScenario } from '../run-scenario.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import { FriendsTruth } from './friends-truth.ts';
import type { DialObserver, Transport } from './transport.ts';
import type { VirtualPeer } from './virtual-peer.ts';

const MASS_CHURN = readFileSync(join(import.meta.dirname, '../../scenarios/mass-churn.yaml'), 'utf8');

describe('friends reported online, in a run', () => {
  it('an answer in flight when the friend departs lands after it: counted apart, not a violation (mass-churn, reduced)', async () => {
    // The 20,000-peer run in small: health checks every 5 s instead of 60 s put more dials in flight at each
    // departure. This seed has four such answers (the old oracle counted them as friend_online_while_dead).
    const scenario = parseScenario('mass-churn.yaml', MASS_CHURN.replace('health_interval: 60s', 'health_interval: 5s'));
    const r = await runScenario({ ...scenario, peers: 100, durationMs: 3_600_000, seed: 3 });
    expect(r.metrics.friend_online_while_dead).toBe(0);
    expect(r.metrics.friend_online_after_departure).toBe(4);
    expect(r.invariant_examples.friend_online_while_dead).toBeUndefined();
    expect(r.assertions.find((a) => a.assertion === 'friend_online_while_dead == 0')?.passed).toBe(true);
  });
});

/** A transport whose dials answer when the test says, from the server the test names. */
function fakeTransport(): { transport: Transport; answer(server: VirtualPeer | null, outcome: DialOutcome): void } {
  let pending: { observe: DialObserver | undefined; onOutcome: (o: DialOutcome) => void } | null = null;
  const transport = {
    dialerFor: (_peer: VirtualPeer, onDial?: (address: string) => DialObserver): Dialer => ({
      dial: (address, _port, _email, _timeout, onOutcome) => {
        pending = { observe: onDial?.(address), onOutcome };
        return { cancel: () => {} };
      },
    }),
  } as unknown as Transport;
  return {
    transport,
    answer(server, outcome) {
      const dial = pending as NonNullable<typeof pending>;
      dial.observe?.reached(server);
      dial.observe?.answered(outcome);
      dial.onOutcome(outcome);
    },
  };
}

function peer(index: number, alive = true, diedAtMs = Number.NaN): VirtualPeer {
  return { index, identity: { email: `peer${index}@sim.test` }, alive, diedAtMs } as unknown as VirtualPeer;
}

function online(friend: VirtualPeer): FriendsEvent {
  return { type: 'status_changed', email: friend.identity.email, from: 'checking', to: 'online', detail: 'cached answered', atMs: 0 };
}

/** One watcher, a friend and a stranger; the watcher's monitor is played by the test. */
function setup(friend: VirtualPeer): { truth: FriendsTruth; m: Measurements; sim: Simulation; dialer: Dialer; net: ReturnType<typeof fakeTransport>; watcher: VirtualPeer } {
  const sim = new Simulation(1);
  const m = new Measurements(1, 1000);
  const net = fakeTransport();
  const stranger = peer(9);
  const truth = new FriendsTruth({ sim, measurements: m, transport: net.transport, peerByEmail: (email) => [friend, stranger].find((p) => p.identity.email === email) ?? null });
  const watcher = peer(1);
  return { truth, m, sim, dialer: truth.dialerFor(watcher), net, watcher };
}

describe('FriendsTruth: what counts as friend_online_while_dead', () => {
  it('online on the friend\'s own answer is fine, even when the friend departed after answering', () => {
    const friend = peer(2);
    const { truth, m, dialer, net, watcher } = setup(friend);
    dialer.dial('192.0.2.2', 8080, friend.identity.email, 5000, () => truth.statusChanged(watcher, online(friend)));
    // It answered at the dial's start (t = 0) and crashed before the answer came home.
    Object.assign(friend, { alive: false, diedAtMs: 0 });
    net.answer(friend, { kind: 'ok', email: friend.identity.email });
    expect(m.counters.friendOnlineWhileDead).toBe(0);
    expect(m.counters.friendOnlineAfterDeparture).toBe(1);
  });

  it('the friend\'s own answer still counts when the World has swapped the friend for its departed form meanwhile', () => {
    const answeredAsLive = peer(2);
    const departedForm = peer(2, false, 0); // what peerByEmail returns once the World retired it: another object, the same index
    const { truth, m, dialer, net, watcher } = setup(departedForm);
    dialer.dial('192.0.2.2', 8080, departedForm.identity.email, 5000, () => truth.statusChanged(watcher, online(departedForm)));
    net.answer(answeredAsLive, { kind: 'ok', email: answeredAsLive.identity.email });
    expect(m.counters.friendOnlineWhileDead).toBe(0);
    expect(m.counters.friendOnlineAfterDeparture).toBe(1);
  });

  it('online with no answer being delivered, on a stranger\'s answer, or on an answer given after the friend departed, is a violation with an example', () => {
    const friend = peer(2, false, -1);
    const { truth, m, dialer, net, watcher } = setup(friend);
    truth.statusChanged(watcher, online(friend));
    dialer.dial('192.0.2.9', 8080, friend.identity.email, 5000, () => truth.statusChanged(watcher, online(friend)));
    net.answer(peer(9), { kind: 'ok', email: 'peer9@sim.test' });
    dialer.dial('192.0.2.2', 8080, friend.identity.email, 5000, () => truth.statusChanged(watcher, online(friend)));
    net.answer(friend, { kind: 'ok', email: friend.identity.email });
    expect(m.counters.friendOnlineWhileDead).toBe(3);
    expect(m.invariantExamples.of('friend_online_while_dead').map((e) => e.why)).toEqual([
      'no health answer was being delivered to the watcher',
      'the answer came from peer9@sim.test',
      'the friend had departed before it answered',
    ]);
    expect(m.invariantExamples.of('friend_online_while_dead')[2]).toEqual({
      t_ms: 0, watcher: 'peer1@sim.test', friend: 'peer2@sim.test', detail: 'cached answered', why: 'the friend had departed before it answered',
      answered_by: 'peer2@sim.test', answer_fixed_at_ms: 0, friend_departed_at_ms: -1,
    });
  });

  it('an answer delivered in an earlier event does not vouch for a later online report', async () => {
    const friend = peer(2);
    const { truth, m, sim, dialer, net, watcher } = setup(friend);
    sim.post(5, sim.defineEvent('answer', () => {
      dialer.dial('192.0.2.2', 8080, friend.identity.email, 5000, () => {});
      net.answer(friend, { kind: 'ok', email: friend.identity.email });
    }), 0);
    sim.post(10, sim.defineEvent('later', () => truth.statusChanged(watcher, online(friend))), 0);
    await sim.run(100);
    expect(m.counters.friendOnlineWhileDead).toBe(1);
  });
});
