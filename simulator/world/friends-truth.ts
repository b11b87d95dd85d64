/**
 * The friends monitor's verdicts judged against the truth. "Online" must
 * rest on an answer the friend itself gave while it was alive: the status
 * change has to come inside the delivery of a health answer to that
 * watcher (the monitor settles synchronously in the dial's callback), from
 * the friend's own Peer Server, given before the friend departed.
 *
 * The transport fixes a health answer when the dial starts (whoever serves
 * that address then) and delivers it two round trips later, so a friend
 * that departs in between still gets its answer home, and the monitor
 * rightly reports online: such a report lands after the departure
 * (friend_online_after_departure) and breaks nothing. Judging by "alive
 * when the report lands" counted every such answer in flight as a
 * violation: 130 in mass-churn at 20,000 peers over 6 h, each within one
 * dial (under 200 ms) of the friend's departure.
 */
import type { FriendsEvent } from '../../reference/peer/core/friends-monitor.ts';
import type { Dialer } from '../../reference/peer/core/ports.ts';
import type { Simulation } from '../engine/simulation.ts';
import type { Measurements } from '../measure/measurements.ts';
import type { DialObserver, Transport } from './transport.ts';
import type { VirtualPeer } from './virtual-peer.ts';

export interface FriendsTruthDeps {
  sim: Simulation;
  measurements: Measurements;
  transport: Transport;
  peerByEmail(email: string): VirtualPeer | null;
}

export class FriendsTruth {
  /** The health answer being handed to a monitor right now, and in which event (a stale one proves nothing). */
  private delivering: FriendDial | null = null;
  private deliveringInEvent = -1;

  constructor(private readonly deps: FriendsTruthDeps) {}

  /** The watcher's dialer, with each dial observed (who answered, and when that answer was fixed). */
  dialerFor(watcher: VirtualPeer): Dialer {
    return this.deps.transport.dialerFor(watcher, () => new FriendDial(this, watcher, this.deps.sim.clock.elapsedMs()));
  }

  /** The transport is about to hand `dial`'s answer to the watcher's monitor. */
  answering(dial: FriendDial): void {
    this.delivering = dial;
    this.deliveringInEvent = this.deps.sim.eventsProcessed;
  }

  statusChanged(watcher: VirtualPeer, event: FriendsEvent): void {
    if (event.type !== 'status_changed') return;
    const c = this.deps.measurements.counters;
    c.friendStatusChanges++;
    if (event.to !== 'online') return;
    const friend = this.deps.peerByEmail(event.email);
    const answer = this.delivering !== null && this.deliveringInEvent === this.deps.sim.eventsProcessed && this.delivering.watcher === watcher ? this.delivering : null;
    const why = whyUnfounded(friend, answer);
    if (why === null) {
      if (friend?.alive === false) c.friendOnlineAfterDeparture++;
      return;
    }
    c.friendOnlineWhileDead++;
    this.deps.measurements.invariantExamples.add('friend_online_while_dead', {
      t_ms: this.deps.sim.clock.elapsedMs(),
      watcher: watcher.identity.email,
      friend: event.email,
      detail: event.detail,
      why,
      answered_by: answer?.server?.identity.email ?? null,
      answer_fixed_at_ms: answer?.startedAtMs ?? null,
      friend_departed_at_ms: friend === null || friend.alive ? null : friend.diedAtMs,
    });
  }
}

/** Why an online report does not rest on the friend's own answer while alive, or null when it does. */
function whyUnfounded(friend: VirtualPeer | null, answer: FriendDial | null): string | null {
  if (friend === null) return 'not a simulated peer';
  if (answer === null) return 'no health answer was being delivered to the watcher';
  // By index, not by object: the World swaps a departed peer for its DepartedPeer form while an answer it gave may be in flight.
  if (answer.server?.index !== friend.index) return `the answer came from ${answer.server?.identity.email ?? 'nothing listening'}`;
  if (!friend.alive && friend.diedAtMs < answer.startedAtMs) return 'the friend had departed before it answered';
  return null;
}

/** One health dial of a friends monitor, as the oracle sees it (also the transport's observer for it). */
class FriendDial implements DialObserver {
  server: VirtualPeer | null = null;

  constructor(
    private readonly truth: FriendsTruth,
    readonly watcher: VirtualPeer,
    readonly startedAtMs: number,
  ) {}

  reached(server: VirtualPeer | null): void {
    this.server = server;
  }

  answered(): void {
    this.truth.answering(this);
  }

  closed(): void {}
}
