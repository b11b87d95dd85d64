/**
 * Address try-order (issue 3, "Finding and reaching a peer"): dial a peer's
 * announced addresses in the announced order and keep the first one whose
 * `/api/health` answers with the TARGET's email. A private address can be
 * another host on another LAN, so an answer alone proves nothing.
 *
 * Strategies:
 * - `sequential` (the seed's): one attempt at a time; the next starts when
 *   the previous fails or times out.
 * - `race` (RFC 8305 Happy Eyeballs style): the next attempt starts
 *   `staggerMs` after the previous one started, or at once when that one
 *   fails first. Attempts overlap; the first verified winner wins and the
 *   rest are cancelled.
 *
 * Pure: time from the injected Clock, waiting through the injected Timers,
 * the network through the Dialer port. The core enforces every attempt's
 * timeout itself, so a dialer that never answers (a silent drop) costs
 * exactly `attemptTimeoutMs`.
 */
import type { Clock } from '../../shared/clock.ts';
import type { TimerHandle, Timers } from '../../shared/timers.ts';
import type { Cancellable, DialOutcome, Dialer } from './ports.ts';

export type TryStrategy = 'sequential' | 'race';
export const TRY_STRATEGIES: readonly TryStrategy[] = ['sequential', 'race'];
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 5_000;
export const DEFAULT_STAGGER_MS = 250;

export interface TryOrderRequest {
  targetEmail: string;
  port: number;
  /** In the order the relay returned them. */
  addresses: readonly string[];
  strategy: TryStrategy;
  attemptTimeoutMs?: number;
  staggerMs?: number;
}

export interface TryOrderDeps {
  clock: Clock;
  timers: Timers;
  dialer: Dialer;
}

/** `cancelled`: still running when another attempt won (race) or the whole run was cancelled. */
export type AttemptOutcome = DialOutcome['kind'] | 'cancelled';

export interface AttemptReport {
  /** Position in the announced list. */
  index: number;
  address: string;
  port: number;
  outcome: AttemptOutcome;
  /** The email the address answered with, when it answered one. */
  seenEmail?: string;
  detail?: string;
  startedAtMs: number;
  elapsedMs: number;
}

export interface TryOrderResult {
  winner: { index: number; address: string; port: number } | null;
  /** One report per started attempt, by index. Addresses never started have none. */
  attempts: AttemptReport[];
  startedAtMs: number;
  elapsedMs: number;
}

export interface TryOrderCallbacks {
  /** Each attempt as it starts, before its dial (for "trying 10.0.0.7..." while a timeout runs). */
  onAttemptStart?(attempt: { index: number; address: string; port: number; startedAtMs: number }): void;
  /** Each attempt as it settles (for live progress lines). */
  onAttempt?(report: AttemptReport): void;
  /** Exactly once, unless the run is cancelled. May run synchronously inside startTryOrder. */
  onDone(result: TryOrderResult): void;
}

interface LiveAttempt {
  index: number;
  address: string;
  startedAtMs: number;
  dial: Cancellable | null;
  timeout: TimerHandle | null;
  report: AttemptReport | null;
}

export function startTryOrder(request: TryOrderRequest, deps: TryOrderDeps, callbacks: TryOrderCallbacks): Cancellable {
  const run = new TryOrderRun(request, deps, callbacks);
  run.begin();
  return { cancel: () => run.cancel() };
}

class TryOrderRun {
  private readonly attempts: LiveAttempt[] = [];
  private readonly timeoutMs: number;
  private readonly staggerMs: number;
  private readonly target: string;
  private readonly startedAtMs: number;
  private stagger: TimerHandle | null = null;
  private finished = false;

  constructor(
    private readonly request: TryOrderRequest,
    private readonly deps: TryOrderDeps,
    private readonly callbacks: TryOrderCallbacks,
  ) {
    this.timeoutMs = request.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
    this.staggerMs = request.staggerMs ?? DEFAULT_STAGGER_MS;
    this.target = request.targetEmail.toLowerCase();
    this.startedAtMs = deps.clock.nowMs();
  }

  begin(): void {
    if (this.request.addresses.length === 0) this.finish(null);
    else this.startNext();
  }

  cancel(): void {
    if (this.finished) return;
    this.finished = true;
    this.stopAll();
  }

  private startNext(): void {
    if (this.stagger) this.deps.timers.clearTimer(this.stagger);
    this.stagger = null;
    const index = this.attempts.length;
    const address = this.request.addresses[index];
    if (this.finished || address === undefined) return;
    const attempt: LiveAttempt = { index, address, startedAtMs: this.deps.clock.nowMs(), dial: null, timeout: null, report: null };
    this.attempts.push(attempt);
    this.callbacks.onAttemptStart?.({ index, address, port: this.request.port, startedAtMs: attempt.startedAtMs });
    attempt.timeout = this.deps.timers.setTimer(this.timeoutMs, () => this.settle(attempt, { kind: 'timeout', detail: `no answer within ${this.timeoutMs} ms` }, true));
    if (this.request.strategy === 'race' && index + 1 < this.request.addresses.length) {
      this.stagger = this.deps.timers.setTimer(this.staggerMs, () => this.startNext());
    }
    const dial = this.deps.dialer.dial(address, this.request.port, this.target, this.timeoutMs, (outcome) => this.settle(attempt, outcome, false));
    // The dialer may have answered synchronously; then there is nothing left to cancel.
    if (attempt.report === null) attempt.dial = dial;
  }

  private settle(attempt: LiveAttempt, raw: DialOutcome, byOurTimer: boolean): void {
    if (this.finished || attempt.report !== null) return;
    const outcome = verify(raw, this.target);
    // A dial that answered is done; only one we gave up on needs cancelling.
    if (!byOurTimer) attempt.dial = null;
    this.close(attempt);
    attempt.report = this.reportOf(attempt, outcome.kind, outcome);
    this.callbacks.onAttempt?.(attempt.report);
    if (outcome.kind === 'ok') {
      this.finish(attempt);
      return;
    }
    const isLatest = attempt.index === this.attempts.length - 1;
    if (isLatest) this.startNext();
    if (this.attempts.length === this.request.addresses.length && this.attempts.every((a) => a.report !== null)) this.finish(null);
  }

  private finish(winner: LiveAttempt | null): void {
    if (this.finished) return;
    this.finished = true;
    this.stopAll();
    const attempts = this.attempts.map((a) => a.report ?? this.reportOf(a, 'cancelled', {}));
    this.callbacks.onDone({
      winner: winner ? { index: winner.index, address: winner.address, port: this.request.port } : null,
      attempts,
      startedAtMs: this.startedAtMs,
      elapsedMs: this.deps.clock.nowMs() - this.startedAtMs,
    });
  }

  private stopAll(): void {
    if (this.stagger) this.deps.timers.clearTimer(this.stagger);
    this.stagger = null;
    for (const attempt of this.attempts) if (attempt.report === null) this.close(attempt);
  }

  private close(attempt: LiveAttempt): void {
    if (attempt.timeout) this.deps.timers.clearTimer(attempt.timeout);
    attempt.timeout = null;
    attempt.dial?.cancel();
    attempt.dial = null;
  }

  private reportOf(attempt: LiveAttempt, outcome: AttemptReport['outcome'], extra: { email?: string; detail?: string }): AttemptReport {
    const report: AttemptReport = {
      index: attempt.index,
      address: attempt.address,
      port: this.request.port,
      outcome,
      startedAtMs: attempt.startedAtMs,
      elapsedMs: this.deps.clock.nowMs() - attempt.startedAtMs,
    };
    if (extra.email !== undefined) report.seenEmail = extra.email;
    if (extra.detail !== undefined) report.detail = extra.detail;
    return report;
  }
}

/** The identity check lives here, not in the dialer: an `ok` from the wrong host is a `wrong_host`. */
function verify(outcome: DialOutcome, target: string): DialOutcome {
  if (outcome.kind === 'ok' && outcome.email.toLowerCase() !== target) return { kind: 'wrong_host', email: outcome.email };
  return outcome;
}
