/**
 * How expiry cases make time pass on the relay. The declared TTL
 * (`expires_in`) decides: wait in real time when it is at most --max-wait,
 * else move the relay's clock through the test-control profile (SPEC TEST-1)
 * when the relay offers it, else skip with the reason.
 */
import { CaseSkip } from './verify.ts';
import type { TargetClient } from './target.ts';

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
}

export function chooseStrategy(ttlSeconds: number | null, testProfileOffered: boolean, maxWaitSeconds: number, production = false): Pick<TimeFacts, 'strategy' | 'unavailableReason'> {
  if (ttlSeconds === null) return { strategy: 'unavailable', unavailableReason: 'the relay did not declare a TTL (no usable expires_in from ready)' };
  if (ttlSeconds <= maxWaitSeconds) return { strategy: 'real-time', unavailableReason: null };
  if (testProfileOffered && production) {
    return { strategy: 'unavailable', unavailableReason: `TTL is ${ttlSeconds} s, above --max-wait ${maxWaitSeconds} s, and --production forbids moving the relay's clock` };
  }
  if (testProfileOffered) return { strategy: 'test-clock', unavailableReason: null };
  return {
    strategy: 'unavailable',
    unavailableReason: `TTL is ${ttlSeconds} s, above --max-wait ${maxWaitSeconds} s, and the relay offers no test-control profile (POST /api/test/clock); start it with a shorter TTL or in test mode`,
  };
}

/** Probes the profile without moving the clock: a zero advance must be refused with 400 (SPEC TEST-2). */
export async function detectTestProfile(client: TargetClient): Promise<boolean> {
  const reply = await client.post('/api/test/clock', { advance_seconds: 0 });
  return reply.status === 400 && (reply.json as { code?: unknown } | undefined)?.code === 'invalid_clock_advance';
}

export class TimeControl {
  /** Total the relay's clock was moved during this run (test-clock mode); shared by every timeline. */
  advancedMs = 0;
  constructor(readonly facts: TimeFacts) {}

  /** Local time on the relay's scale: real time plus what the run advanced its clock. */
  nowMs(): number {
    return Date.now() + this.advancedMs;
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

  /** Local time as the relay will see it: real time plus what we advanced its clock. */
  nowMs(): number {
    return Date.now() + this.control.advancedMs;
  }

  /** Make the relay's time reach at least `targetMs` (on our local scale). */
  async reach(targetMs: number): Promise<void> {
    const needMs = targetMs - this.nowMs();
    if (needMs <= 0) return;
    if (this.strategy === 'real-time') {
      await new Promise((resolve) => setTimeout(resolve, needMs));
      return;
    }
    const reply = await this.client.post('/api/test/clock', { advance_seconds: needMs / 1000 });
    if (reply.status !== 200) throw new CaseSkip(`test-control profile refused to advance the clock: HTTP ${reply.status} ${reply.text.slice(0, 200)}`);
    this.control.advancedMs += needMs;
  }

  /**
   * An instant at which the broadcast is surely still live: a safety margin
   * (a quarter of the TTL, at least 1 s) before the earliest possible expiry,
   * so a slow request still lands in time.
   */
  surelyLiveAtMs(ttlSeconds: number, marginMs = Math.max(1000, ttlSeconds * 250)): number {
    return this.sentAtMs + ttlSeconds * 1000 - marginMs;
  }

  /** Earliest instant at which the broadcast has surely expired, plus a safety margin. */
  surelyExpiredAtMs(ttlSeconds: number, marginMs = 150): number {
    return this.receivedAtMs + ttlSeconds * 1000 + marginMs;
  }
}
