/**
 * Everything a run measures, in plain counters, distributions and arrays
 * indexed by number (never by insertion order of something random), so
 * results.json comes out byte-identical for the same seed.
 */
import { classifyAddress, type AddressKind } from '../../reference/shared/ip.ts';
import type { ScalarMetric } from '../scenario/assertions.ts';
import { BoundedMemo } from '../engine/bounded-memo.ts';
import { Distribution, DistributionUnion } from './distribution.ts';
import { InvariantExamples } from './invariant-examples.ts';

/** One window in which a live, once-listed peer was not listed at the relay (results.json `expiry_gaps.windows`). */
export interface ExpiryGap {
  peer: string;
  from_ms: number;
  to_ms: number;
  length_ms: number;
  /** `expired`: its broadcast's TTL ran out; `relay_store_lost`: a memory-store relay went down with it. */
  cause: 'expired' | 'relay_store_lost';
  /** `re-listed`: a ready or heartbeat was accepted again; `departed`: it left while unlisted; `run_end`: still open. */
  ended: 're-listed' | 'departed' | 'run_end';
  /** Lookups of it answered 404 inside the window: these, and only these, are false expiries. */
  lookups: number;
}

/** results.json keeps the first windows in full; the count and the length distribution cover all of them. */
export const MAX_GAP_WINDOWS = 100;

export interface PairStats {
  tries: number;
  successes: number;
  attemptsUntilSuccess: Distribution;
  timeToConnectMs: Distribution;
  winningKinds: Map<AddressKind, number>;
}

export class Measurements {
  readonly counters = {
    lookups: 0,
    lookupsFound: 0,
    falseExpiries: 0,
    staleLookups: 0,
    connects: 0,
    connectSuccesses: 0,
    connectsToDeadPeers: 0,
    tryOrderViolations: 0,
    wrongHostAccepted: 0,
    wrongHostCaught: 0,
    reReadyRecoveries: 0,
    relayRequests: 0,
    heartbeatsDropped: 0,
    visibilityProbes: 0,
    visibilityViolations: 0,
    lifecycleFatal: 0,
    peersJoined: 0,
    peersLeft: 0,
    peersCrashed: 0,
    addressChanges: 0,
    relayOutages: 0,
    friendStatusChanges: 0,
    friendOnlineWhileDead: 0,
    expiryGaps: 0,
    friendOnlineAfterDeparture: 0,
    goodbyesAccepted: 0,
    readiesWithObservedAddress: 0,
  };
  /** All pairs' samples taken together (kept once, in the pairs). */
  readonly timeToConnectMs = new DistributionUnion(() => this.pairs.map((p) => p.timeToConnectMs));
  readonly attemptsUntilSuccess = new DistributionUnion(() => this.pairs.map((p) => p.attemptsUntilSuccess));
  readonly joinToDiscoverableMs = new Distribution();
  readonly lookupLatencyMs = new Distribution();
  /** Age of a stale answer when the lookup got it (since the peer departed, or its addresses changed). */
  readonly stalenessMs = new Distribution();
  /** Per departed peer that had been listed: how long the relay kept listing it after it departed. */
  readonly listedAfterDepartureMs = new Distribution();
  /** The same samples split by how the peer departed: a crash, or a graceful leave (which says goodbye where offered). */
  readonly listedAfterCrashMs = new Distribution();
  readonly listedAfterLeaveMs = new Distribution();
  /** Length of each window in which a live peer was not listed (expiryGapWindows has the first ones in full). */
  readonly expiryGapMs = new Distribution();
  readonly expiryGapWindows: ExpiryGap[] = [];
  /** First few try-order violations, verbatim, for the report. */
  readonly violationExamples: string[] = [];
  /** Up to ten examples of each broken invariant. */
  readonly invariantExamples = new InvariantExamples();
  private readonly pairs: PairStats[];
  /** Relay requests per timeline bucket, and live broadcasts sampled at each bucket's end. */
  readonly relayRequestsPerBucket: number[] = [];
  readonly liveBroadcastsPerBucket: number[] = [];

  constructor(
    private readonly classCount: number,
    readonly bucketMs: number,
  ) {
    this.pairs = Array.from({ length: classCount * classCount }, () => ({
      tries: 0,
      successes: 0,
      attemptsUntilSuccess: new Distribution(),
      timeToConnectMs: new Distribution(),
      winningKinds: new Map(),
    }));
  }

  /** Bytes every distribution's samples occupy: exact percentiles keep each sample (bench:sim's memory floor). */
  sampleBytes(): number {
    let bytes = 0;
    // Every Distribution field, found rather than listed: a new one cannot be left out.
    for (const value of Object.values(this)) if (value instanceof Distribution) bytes += value.heldBytes;
    for (const pair of this.pairs) bytes += pair.attemptsUntilSuccess.heldBytes + pair.timeToConnectMs.heldBytes;
    return bytes;
  }

  pair(callerClass: number, calleeClass: number): PairStats {
    return this.pairs[callerClass * this.classCount + calleeClass] as PairStats;
  }

  recordConnect(callerClass: number, calleeClass: number, winnerAddress: string | null, attempts: number, elapsedMs: number): void {
    const pair = this.pair(callerClass, calleeClass);
    pair.tries++;
    this.counters.connects++;
    if (winnerAddress === null) return;
    pair.successes++;
    this.counters.connectSuccesses++;
    pair.attemptsUntilSuccess.add(attempts);
    pair.timeToConnectMs.add(elapsedMs);
    const kind = this.kinds.get(winnerAddress);
    pair.winningKinds.set(kind, (pair.winningKinds.get(kind) ?? 0) + 1);
  }

  /**
   * Winning addresses repeat (each peer announces the same few): classify each once. Room for the
   * issue's 100,000-peer workload's distinct addresses: at the default 65,536 the memo kept starting afresh.
   */
  private readonly kinds = new BoundedMemo<AddressKind>(classifyAddress, 1 << 18);

  recordViolation(tMs: number, caller: string, target: string, violation: string): void {
    this.counters.tryOrderViolations++;
    if (this.violationExamples.length < 10) this.violationExamples.push(`${caller} -> ${target}: ${violation}`);
    this.invariantExamples.add('try_order_violations', { t_ms: tMs, caller, target, violation });
  }

  recordExpiryGap(gap: ExpiryGap): void {
    this.counters.expiryGaps++;
    this.expiryGapMs.add(gap.length_ms);
    if (this.expiryGapWindows.length < MAX_GAP_WINDOWS) this.expiryGapWindows.push(gap);
  }

  countRelayRequest(elapsedMs: number): void {
    this.counters.relayRequests++;
    const bucket = Math.floor(elapsedMs / this.bucketMs);
    while (this.relayRequestsPerBucket.length <= bucket) this.relayRequestsPerBucket.push(0);
    this.relayRequestsPerBucket[bucket] = (this.relayRequestsPerBucket[bucket] as number) + 1;
  }

  /** The scalar metrics assertions can name; a ratio over nothing is null (emptyNote says why), never 0. */
  scalar(metric: ScalarMetric): number | null {
    const c = this.counters;
    switch (metric) {
      case 'false_expiries':
        return c.falseExpiries;
      case 'stale_lookups':
        return c.staleLookups;
      case 'stale_lookup_ratio':
        return ratio(c.staleLookups, c.lookupsFound);
      case 'lookups':
        return c.lookups;
      case 'connects':
        return c.connects;
      case 'connect_success_ratio':
        return ratio(c.connectSuccesses, c.connects);
      case 'try_order_violations':
        return c.tryOrderViolations;
      case 'wrong_host_accepted':
        return c.wrongHostAccepted;
      case 'wrong_host_caught':
        return c.wrongHostCaught;
      case 're_ready_recoveries':
        return c.reReadyRecoveries;
      case 'relay_requests':
        return c.relayRequests;
      case 'heartbeats_dropped':
        return c.heartbeatsDropped;
      case 'visibility_violations':
        return c.visibilityViolations;
      case 'lifecycle_failures':
        return c.lifecycleFatal;
      case 'friend_status_changes':
        return c.friendStatusChanges;
      case 'friend_online_while_dead':
        return c.friendOnlineWhileDead;
      case 'visibility_probes':
        return c.visibilityProbes;
      case 'connects_to_dead_peers':
        return c.connectsToDeadPeers;
      case 'peers_joined':
        return c.peersJoined;
      case 'peers_left':
        return c.peersLeft;
      case 'peers_crashed':
        return c.peersCrashed;
      case 'address_changes':
        return c.addressChanges;
      case 'relay_outages':
        return c.relayOutages;
      case 'expiry_gaps':
        return c.expiryGaps;
      case 'friend_online_after_departure':
        return c.friendOnlineAfterDeparture;
      case 'goodbyes_accepted':
        return c.goodbyesAccepted;
      case 'readies_with_observed_address':
        return c.readiesWithObservedAddress;
    }
  }

  /** Why scalar(metric) is null, or null when it has a value. */
  emptyNote(metric: ScalarMetric): string | null {
    if (metric === 'stale_lookup_ratio' && this.counters.lookupsFound === 0) return 'no lookup found a listed peer (nothing to divide)';
    if (metric === 'connect_success_ratio' && this.counters.connects === 0) return 'no connects (nothing to divide)';
    return null;
  }
}

/** Six decimals; null with nothing to divide (a ratio of 0 would claim "none stale" or "none succeeded"). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((numerator / denominator) * 1e6) / 1e6;
}
