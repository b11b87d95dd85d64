/**
 * How expiry cases make time pass on the relay. The declared TTL
 * (`expires_in`) decides: wait in real time when it is at most --max-wait,
 * else move the relay's clock through the test-control profile (SPEC TEST-1)
 * when the relay offers it, else skip with the reason.
 *
 * With --time-warp K (the suite started the relay under libfaketime) the
 * relay's clock runs K times faster than ours: every instant here is on the
 * relay's scale, a wait of T relay milliseconds takes T/K real ones, and
 * margins that absorb real request latency grow K-fold (one real
 * millisecond of latency is K relay milliseconds).
 */
import { randomBytes } from 'node:crypto';
import { CaseSkip } from './verify.ts';
import { IdentityFactory, type SuiteIdentity } from './identities.ts';
import type { TargetClient } from './target.ts';
import { lookupPath, PATHS, PROBE_BROADCAST } from './endpoints.ts';

export type TimeStrategy = 'real-time' | 'test-clock' | 'unavailable';

export interface TimeFacts {
  /** TTL the relay declared in `expires_in`, seconds; null if it could not be learnt. */
  ttlSeconds: number | null;
  testProfileOffered: boolean;
  maxWaitSeconds: number;
  /** --production: the relay is checked as deployed; the test profile must be absent and is never used. */
  production: boolean;
  strategy: TimeStrategy;
  /** Why expiry cases are skipped, when strategy is 'unavailable'. */
  unavailableReason: string | null;
  /** --time-warp K: the relay's clock runs K times faster than real time (1: no warp). */
  warp: number;
  /** What the check that the warp took effect saw (verifyWarp), for the report; null when not checked. */
  warpCheck: string | null;
}

/** A usable warp factor: finite and positive, else 1 (no warp). */
function warpOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 1;
}

/** Seconds for messages: whole when whole, else one decimal. */
function seconds(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * Real time when the real wait (TTL / warp) fits in --max-wait, else the
 * test clock when offered (and not --production), else unavailable.
 */
export function chooseStrategy(ttlSeconds: number | null, testProfileOffered: boolean, maxWaitSeconds: number, production = false, warp = 1): Pick<TimeFacts, 'strategy' | 'unavailableReason'> {
  const k = warpOf(warp);
  if (ttlSeconds === null) return { strategy: 'unavailable', unavailableReason: 'the relay did not declare a TTL (no usable expires_in from ready)' };
  if (ttlSeconds / k <= maxWaitSeconds) return { strategy: 'real-time', unavailableReason: null };
  const above = k === 1
    ? `TTL is ${ttlSeconds} s, above --max-wait ${maxWaitSeconds} s`
    : `TTL is ${ttlSeconds} s, ${seconds(ttlSeconds / k)} s of real time at --time-warp ${k}, above --max-wait ${maxWaitSeconds} s`;
  if (testProfileOffered && production) {
    return { strategy: 'unavailable', unavailableReason: `${above}, and --production forbids moving the relay's clock` };
  }
  if (testProfileOffered) return { strategy: 'test-clock', unavailableReason: null };
  return {
    strategy: 'unavailable',
    unavailableReason: `${above}, and the relay offers no test-control profile (POST /api/test/clock); start it with a shorter TTL${k === 1 ? '' : ', a larger --time-warp'} or in test mode`,
  };
}

/** Probes the profile without moving the clock: a zero advance must be refused with 400 (SPEC TEST-2). */
export async function detectTestProfile(client: TargetClient): Promise<boolean> {
  const reply = await client.post(PATHS.clock, { advance_seconds: 0 });
  return reply.status === 400 && (reply.json as { code?: unknown } | undefined)?.code === 'invalid_clock_advance';
}

export class TimeControl {
  /** Total the relay's clock was moved during this run (test-clock mode); shared by every timeline. */
  advancedMs = 0;
  /** Relay milliseconds per real millisecond (--time-warp; 1: none). */
  readonly warp: number;
  /** Real instant the relay's scale is anchored at (this object's creation)... */
  private readonly anchorRealMs: number;
  /** ...and the relay-scale instant it stands for: libfaketime's offset is +0, only the rate differs. */
  private readonly anchorRelayMs: number;

  constructor(readonly facts: TimeFacts) {
    this.warp = warpOf(facts.warp);
    this.anchorRealMs = Date.now();
    this.anchorRelayMs = this.anchorRealMs;
  }

  /**
   * Local time on the relay's scale: real time since the anchor times the
   * warp, plus what the run advanced its clock. Only differences between
   * these instants are meaningful (the relay's own clock may stand apart by
   * a constant: under libfaketime it ran fast since it started).
   */
  nowMs(): number {
    return this.anchorRelayMs + (Date.now() - this.anchorRealMs) * this.warp + this.advancedMs;
  }

  /** A margin of `realMs` real milliseconds (request latency, scheduling) as relay milliseconds. */
  latencyMs(realMs: number): number {
    return realMs * this.warp;
  }

  /** Real milliseconds for `relayMs` milliseconds to pass on the relay's clock. */
  realMsFor(relayMs: number): number {
    return relayMs / this.warp;
  }

  /** Expiry cases in test-clock mode move a clock every case shares: they must run one at a time. */
  get exclusive(): boolean {
    return this.facts.strategy === 'test-clock';
  }

  /** A timeline anchored on the local instants around a ready/heartbeat request. */
  start(client: TargetClient, sentAtMs: number, receivedAtMs: number): Timeline {
    if (this.facts.strategy === 'unavailable') throw new CaseSkip(this.facts.unavailableReason ?? 'no way to make time pass on the relay');
    return new Timeline(this, this.facts.strategy, client, sentAtMs, receivedAtMs);
  }

  /**
   * Waits in real time until the relay's scale reaches `targetMs` (never
   * moving the relay's clock). Timers round to whole real milliseconds, each
   * worth `warp` relay ones: it waits again until the target surely passed.
   */
  async waitUntil(targetMs: number): Promise<void> {
    for (let needMs = targetMs - this.nowMs(); needMs > 0; needMs = targetMs - this.nowMs()) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(this.realMsFor(needMs)))));
    }
  }

  requireStrategy(): void {
    if (this.facts.strategy === 'unavailable') throw new CaseSkip(this.facts.unavailableReason ?? 'no way to make time pass on the relay');
  }
}

export class Timeline {
  constructor(
    private readonly control: TimeControl,
    readonly strategy: 'real-time' | 'test-clock',
    private readonly client: TargetClient,
    readonly sentAtMs: number,
    readonly receivedAtMs: number,
  ) {}

  /** Local time as the relay will see it (relay scale): warped real time plus what we advanced its clock. */
  nowMs(): number {
    return this.control.nowMs();
  }

  /** Relay milliseconds per real millisecond (--time-warp; 1: none). */
  get warp(): number {
    return this.control.warp;
  }

  /** A margin of `realMs` real milliseconds (request latency) as relay milliseconds. */
  latencyMs(realMs: number): number {
    return this.control.latencyMs(realMs);
  }

  /** Make the relay's time reach at least `targetMs` (relay scale); in real time that takes (targetMs - now) / warp. */
  async reach(targetMs: number): Promise<void> {
    const needMs = targetMs - this.nowMs();
    if (needMs <= 0) return;
    if (this.strategy === 'real-time') return this.control.waitUntil(targetMs);
    const reply = await this.client.post(PATHS.clock, { advance_seconds: needMs / 1000 });
    if (reply.status !== 200) throw new CaseSkip(`test-control profile refused to advance the clock: HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
    this.control.advancedMs += needMs;
  }

  /**
   * An instant at which the broadcast is surely still live: a safety margin
   * (a quarter of the TTL, at least 1 s of real latency, i.e. warp × 1 s of
   * relay time) before the earliest possible expiry, so a slow request
   * still lands in time.
   */
  surelyLiveAtMs(ttlSeconds: number, marginMs = Math.max(this.latencyMs(1000), ttlSeconds * 250)): number {
    return this.sentAtMs + ttlSeconds * 1000 - marginMs;
  }

  /** Earliest instant at which the broadcast has surely expired, plus a safety margin (150 ms of real latency, in relay time). */
  surelyExpiredAtMs(ttlSeconds: number, marginMs = this.latencyMs(150)): number {
    return this.receivedAtMs + ttlSeconds * 1000 + marginMs;
  }
}


export interface WarpCheck {
  /** The relay dropped a broadcast after its TTL had passed on the warped scale, long before it would have in real time. */
  tookEffect: boolean;
  /** What was seen, for the report (and the skip reason of expiry cases when it did not take effect). */
  detail: string;
}

/** Real milliseconds of request latency allowed past the warped expiry before the first look. */
const WARP_CHECK_LATENCY_MS = 150;
const WARP_CHECK_POLLS = 40;

/**
 * Checks that --time-warp took effect on the relay. First on its own clock:
 * two heartbeats a known real time apart must move broadcast_expires K times
 * as far (measureRelayClock). Without a usable heartbeat, by expiry: a
 * throw-away broadcast must be gone once its TTL has passed on the warped scale. Lookups from a
 * second identity start TTL/warp real seconds after ready and go on until
 * 2 × TTL of relay time (less for a warp under 3, so that the same real wait
 * stays below one TTL when unwarped): a relay whose clock really runs warp
 * times faster has dropped the broadcast by then unless it keeps expired
 * broadcasts for more than a whole TTL; one whose clock runs in real time
 * still shows it.
 */
export async function verifyWarp(client: TargetClient, ttlSeconds: number, warp: number): Promise<WarpCheck> {
  const k = warpOf(warp);
  if (k === 1) return { tookEffect: true, detail: 'no time warp (--time-warp 1): the relay runs in real time' };
  const couldNot = (why: string): WarpCheck => ({
    tookEffect: false,
    detail: `could not check that --time-warp ${k} took effect: ${why}; expiry cases are not run on an unverified clock`,
  });
  const factory = new IdentityFactory();
  const tag = randomBytes(6).toString('hex');
  const peer = factory.create({ email: `warp-check-${tag}@conformance.example` });
  const observer = factory.create({ email: `warp-observer-${tag}@conformance.example` });
  const lookup = () => client.get(lookupPath(peer.email), observer);
  try {
    for (const identity of [peer, observer]) {
      const registered = await client.post(PATHS.register, { certificate: identity.certificatePem, email: identity.email }, identity);
      if (registered.status !== 200) return couldNot(`register answered HTTP ${registered.status}`);
    }
    const sentAtMs = Date.now();
    const ready = await client.post(PATHS.ready, PROBE_BROADCAST, peer);
    const receivedAtMs = Date.now();
    if (ready.status !== 200) return couldNot(`ready answered HTTP ${ready.status}`);
    const declared = (ready.json as { expires_in?: unknown } | undefined)?.expires_in;
    const ttl = typeof declared === 'number' && Number.isFinite(declared) && declared > 0 ? declared : ttlSeconds;
    const fresh = await lookup();
    if (fresh.status !== 200) return couldNot(`lookup right after ready answered HTTP ${fresh.status}`);
    // The relay's clock is on the wire: a heartbeat answers broadcast_expires = its now + TTL. Two of them a
    // known real time apart measure how fast that clock runs, whatever the relay does with expired broadcasts.
    const measured = await measureRelayClock(client, peer, k, ttl);
    if (measured !== null) return measured;
    // No usable heartbeat: fall back to watching the broadcast expire. 2 × TTL of relay time; below warp 3, halfway between 1 and warp, so the unwarped real wait is still under one TTL.
    const factor = Math.min(2, (1 + k) / 2);
    const firstAtMs = receivedAtMs + (ttl * 1000) / k + WARP_CHECK_LATENCY_MS;
    const lastAtMs = Math.max(firstAtMs, sentAtMs + (factor * ttl * 1000) / k);
    const stepMs = Math.max(20, (lastAtMs - firstAtMs) / WARP_CHECK_POLLS);
    for (let atMs = firstAtMs; ; atMs = Math.min(lastAtMs, atMs + stepMs)) {
      await sleep(atMs - Date.now());
      const askedAtMs = Date.now();
      const reply = await lookup();
      const realS = (askedAtMs - sentAtMs) / 1000;
      const scale = `${realS.toFixed(1)} s real (= ${Math.round(realS * k)} s relay at ${k}x)`;
      if (reply.status === 404) {
        // It was live at ready and gone once `ttl` relay seconds could have passed: its clock ran at least this fast.
        const atLeast = ttl / ((askedAtMs - sentAtMs) / 1000);
        return {
          tookEffect: true,
          detail: `the broadcast with expires_in ${ttl} was gone ${scale} after ready: the warp took effect (the relay's clock ran at least ${atLeast.toFixed(1)}x real time)`,
        };
      }
      if (reply.status !== 200) return couldNot(`lookup ${realS.toFixed(1)} s after ready answered HTTP ${reply.status}`);
      if (askedAtMs >= lastAtMs) {
        return {
          tookEffect: false,
          detail: `after ${scale} the broadcast with expires_in ${ttl} was still live: the warp did not take effect (is the relay a static binary, or does it read time some other way? a relay that keeps expired broadcasts for more than a whole TTL looks the same)`,
        };
      }
    }
  } catch (error) {
    return couldNot((error as Error).message);
  }
}

/** Real gap between the two heartbeats: enough that the relay's clock moves 20 s or more at the claimed warp. */
const CLOCK_GAP_RELAY_MS = 20_000;

/** Below this much relay time between the heartbeats, whole-second wire times make the rate too coarse to judge. */
const MIN_CLOCK_GAP_RELAY_MS = 4000;

async function measureRelayClock(client: TargetClient, peer: SuiteIdentity, k: number, ttlSeconds: number): Promise<WarpCheck | null> {
  // The second heartbeat must land before the first one's expiry (half a TTL of relay time at the claimed warp).
  const gapMs = Math.min(Math.max(1000, CLOCK_GAP_RELAY_MS / k), (ttlSeconds * 1000) / (2 * k));
  if (gapMs * k < MIN_CLOCK_GAP_RELAY_MS) return null;
  const beat = async () => {
    const startMs = Date.now();
    const reply = await client.post(PATHS.heartbeat, {}, peer);
    const at = (startMs + Date.now()) / 2;
    const expires = (reply.json as { broadcast_expires?: unknown } | undefined)?.broadcast_expires;
    return reply.status === 200 && typeof expires === 'number' && Number.isInteger(expires) ? { at, expires } : null;
  };
  const first = await beat();
  if (!first) return null;
  await sleep(gapMs);
  const second = await beat();
  if (!second) return null;
  const realS = (second.at - first.at) / 1000;
  const relayS = second.expires - first.expires;
  const rate = relayS / realS;
  const seen = `two heartbeats ${realS.toFixed(2)} s apart moved broadcast_expires by ${relayS} s: the relay's clock runs at ${rate.toFixed(1)}x real time`;
  // Whole-second wire times make the measured rate exact to ± 1/realS; half the claimed warp leaves ample room.
  if (rate >= k / 2) return { tookEffect: true, detail: `${seen} (--time-warp ${k} took effect)` };
  return { tookEffect: false, detail: `${seen}, not ${k}x: the warp did not take effect (is the relay a static binary, or does it read time some other way?)` };
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
