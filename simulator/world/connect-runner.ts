/**
 * One "look a peer up and connect" interaction, as a user would trigger
 * it: the relay lookup through the peer's RelayPort, then the peer core's
 * unchanged try-order over the announced addresses with the simulated
 * dialer. The dialer's own log feeds the try-order oracle.
 */
import { readLookupReply } from '../../reference/peer/core/lookup-reply.ts';
import type { Cancellable } from '../../reference/peer/core/ports.ts';
import { startTryOrder, type TryOrderResult, type TryStrategy } from '../../reference/peer/core/try-order.ts';
import type { Timers } from '../../reference/shared/timers.ts';
import type { VirtualClock } from '../engine/virtual-clock.ts';
import type { Measurements } from '../measure/measurements.ts';
import { tryOrderViolation, type ConnectRecord, type DialRecord } from '../measure/try-order-oracle.ts';
import type { DialObserver, Transport } from './transport.ts';
import type { VirtualPeer } from './virtual-peer.ts';

export interface ConnectSettings {
  strategy: TryStrategy;
  staggerMs: number;
  attemptTimeoutMs: number;
}

export class ConnectRunner {
  constructor(
    private readonly clock: VirtualClock,
    private readonly timers: Timers,
    private readonly transport: Transport,
    private readonly measurements: Measurements,
    private readonly settings: ConnectSettings,
  ) {}

  /** Looks `target` up from `caller` and, when found, connects; `onSettled` runs once either way (not after cancel). */
  lookupAndConnect(caller: VirtualPeer, target: VirtualPeer, onSettled: () => void): Cancellable {
    const startedAtMs = this.clock.elapsedMs();
    let inner: Cancellable | null = null;
    let abandoned = false;
    const lookup = this.transport.relayPortFor(caller).lookup(target.identity.email, (reply) => {
      if (abandoned) return;
      this.measurements.lookupLatencyMs.add(this.clock.elapsedMs() - startedAtMs);
      const found = readLookupReply(reply);
      if (found.kind === 'found') inner = this.connect(caller, target, found.port, found.addresses, onSettled);
      else onSettled();
    });
    return {
      cancel: () => {
        abandoned = true;
        lookup.cancel();
        inner?.cancel();
      },
    };
  }

  private connect(caller: VirtualPeer, target: VirtualPeer, port: number, addresses: string[], onSettled: () => void): Cancellable {
    const targetAliveAtStart = target.alive;
    const record: ConnectRecord = { strategy: this.settings.strategy, staggerMs: this.settings.staggerMs, addresses, targetEmail: target.identity.email, dials: [], winnerAddress: null, winnerAtMs: Number.NaN };
    const dialer = this.transport.dialerFor(caller, (address) => this.observeDial(record, address));
    return startTryOrder(
      { targetEmail: target.identity.email, port, addresses, strategy: this.settings.strategy, attemptTimeoutMs: this.settings.attemptTimeoutMs, staggerMs: this.settings.staggerMs },
      { clock: caller.clock, timers: this.timers, dialer },
      {
        onDone: (result) => {
          this.finish(caller, target, targetAliveAtStart, record, result);
          onSettled();
        },
      },
    );
  }

  private observeDial(record: ConnectRecord, address: string): DialObserver {
    const dial = new ObservedDial(this.clock, address);
    record.dials.push(dial);
    return dial;
  }

  private finish(caller: VirtualPeer, target: VirtualPeer, targetAliveAtStart: boolean, record: ConnectRecord, result: TryOrderResult): void {
    record.winnerAddress = result.winner?.address ?? null;
    record.winnerAtMs = this.clock.elapsedMs();
    const c = this.measurements.counters;
    c.wrongHostCaught += result.attempts.filter((a) => a.outcome === 'wrong_host').length;
    const winnerDial = record.dials.find((d) => d.address === record.winnerAddress);
    if (winnerDial !== undefined && winnerDial.answeredBy !== target.identity.email) {
      c.wrongHostAccepted++;
      this.measurements.invariantExamples.add('wrong_host_accepted', { t_ms: record.winnerAtMs, caller: caller.identity.email, target: target.identity.email, address: winnerDial.address, answered_by: winnerDial.answeredBy });
    }
    const violation = tryOrderViolation(record);
    if (violation !== null) this.measurements.recordViolation(record.winnerAtMs, caller.identity.email, target.identity.email, violation);
    if (!targetAliveAtStart) {
      c.connectsToDeadPeers++;
      return;
    }
    const attempts = result.winner === null ? result.attempts.length : result.winner.index + 1;
    this.measurements.recordConnect(caller.placement.classIndex, target.placement.classIndex, record.winnerAddress, attempts, result.elapsedMs);
  }
}

/** One dial as the oracle logs it; it is also the transport's observer for that dial (no closures per dial). */
class ObservedDial implements DialRecord, DialObserver {
  readonly startedAtMs: number;
  settledAtMs = Number.NaN;
  answeredBy: string | null = null;

  constructor(
    private readonly clock: VirtualClock,
    readonly address: string,
  ) {
    this.startedAtMs = clock.elapsedMs();
  }

  reached(server: VirtualPeer | null): void {
    this.answeredBy = server?.identity.email ?? null;
  }

  answered(): void {
    this.settle();
  }

  closed(): void {
    this.settle();
  }

  private settle(): void {
    if (Number.isNaN(this.settledAtMs)) this.settledAtMs = this.clock.elapsedMs();
  }
}
