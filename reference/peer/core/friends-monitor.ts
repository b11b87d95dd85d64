/**
 * The seed's Phase 3 friends list: for each friend, every `healthIntervalMs`
 * (60 s by default):
 *
 *   1. dial the cached last-good socket's /api/health (if we have one);
 *   2. on failure, look the friend up at the relay and run the try-order
 *      over the announced addresses; a winner becomes the new cached socket;
 *   3. settle the status: online (verified answer), offline (no live
 *      broadcast, or no address answered as the friend), unknown (an error:
 *      relay unreachable, 401, malformed answer).
 *
 * While a check runs the status is `checking`. Every change is reported as
 * a `status_changed` event; a new cached socket as `cache_updated` (the
 * edge persists it). Statuses are for the local user only.
 *
 * Pure: Clock, Timers, Dialer and RelayPort are injected. Cheap to
 * construct; no timer is set before `start()`.
 */
import type { Clock } from '../../shared/clock.ts';
import type { TimerHandle, Timers } from '../../shared/timers.ts';
import { readLookupReply } from './lookup-reply.ts';
import type { Cancellable, Dialer, RelayPort } from './ports.ts';
import { startTryOrder, type TryOrderResult, type TryStrategy } from './try-order.ts';

export type FriendStatus = 'online' | 'offline' | 'checking' | 'unknown';
export const DEFAULT_HEALTH_INTERVAL_MS = 60 * 1000;

export interface CachedSocket {
  address: string;
  port: number;
}

export interface FriendEntry {
  email: string;
  lastGood: CachedSocket | null;
}

export interface FriendState extends FriendEntry {
  status: FriendStatus;
  /** Why the status is what it is, in words (e.g. "cached address answered"). */
  detail: string;
  lastCheckedAtMs: number | null;
  changedAtMs: number;
}

export type FriendsEvent =
  | { type: 'status_changed'; email: string; from: FriendStatus; to: FriendStatus; detail: string; atMs: number }
  | { type: 'cache_updated'; email: string; lastGood: CachedSocket; atMs: number };

export interface FriendsMonitorOptions {
  friends: readonly FriendEntry[];
  healthIntervalMs?: number;
  attemptTimeoutMs?: number;
  strategy?: TryStrategy;
}

export interface FriendsMonitorDeps {
  clock: Clock;
  timers: Timers;
  dialer: Dialer;
  relay: RelayPort;
  onEvent?: (event: FriendsEvent) => void;
}

/** One check of one friend: `current` is the step in flight; `over` once settled or cancelled. */
interface CheckRun {
  current: Cancellable | null;
  over: boolean;
}

export class FriendsMonitor {
  private readonly states = new Map<string, FriendState>();
  private readonly running = new Map<string, CheckRun>();
  private tick: TimerHandle | null = null;
  private stopped = false;
  private readonly healthIntervalMs: number;

  constructor(
    private readonly options: FriendsMonitorOptions,
    private readonly deps: FriendsMonitorDeps,
  ) {
    this.healthIntervalMs = options.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS;
    for (const friend of options.friends) this.add(friend);
  }

  /** Checks everyone now, then every interval. */
  start(): void {
    if (this.tick || this.stopped) return;
    this.checkAll();
  }

  stop(): void {
    this.stopped = true;
    if (this.tick) this.deps.timers.clearTimer(this.tick);
    this.tick = null;
    for (const run of this.running.values()) {
      run.over = true;
      run.current?.cancel();
    }
    this.running.clear();
  }

  add(friend: FriendEntry): void {
    const email = friend.email.toLowerCase();
    if (this.states.has(email)) return;
    const lastGood = friend.lastGood ? { ...friend.lastGood } : null;
    this.states.set(email, { email, lastGood, status: 'unknown', detail: 'not checked yet', lastCheckedAtMs: null, changedAtMs: this.deps.clock.nowMs() });
  }

  /** Forgets a friend, cancelling a check in flight. */
  remove(email: string): void {
    const key = email.toLowerCase();
    const run = this.running.get(key);
    if (run) {
      run.over = true;
      run.current?.cancel();
      this.running.delete(key);
    }
    this.states.delete(key);
  }

  /** Friends in the order they were added, copied. */
  snapshot(): FriendState[] {
    return [...this.states.values()].map((s) => ({ ...s, lastGood: s.lastGood ? { ...s.lastGood } : null }));
  }

  statusOf(email: string): FriendStatus | undefined {
    return this.states.get(email.toLowerCase())?.status;
  }

  /** Checks everyone now and restarts the interval from now. */
  checkAll(): void {
    if (this.stopped) return;
    if (this.tick) this.deps.timers.clearTimer(this.tick);
    this.tick = this.deps.timers.setTimer(this.healthIntervalMs, () => {
      this.tick = null;
      this.checkAll();
    });
    for (const email of this.states.keys()) this.check(email);
  }

  /** One friend now. A check already running for them is left to finish. */
  check(email: string): void {
    const state = this.states.get(email.toLowerCase());
    if (!state || this.stopped || this.running.has(state.email)) return;
    const run: CheckRun = { current: null, over: false };
    this.running.set(state.email, run);
    const cached = state.lastGood;
    this.setStatus(state, 'checking', cached ? `trying cached ${formatSocket(cached)}` : 'asking the relay');
    if (!cached) return this.lookUp(state, run, null);
    this.tryAddresses(run, state.email, cached.port, [cached.address], (result) => {
      if (result.winner) this.settle(state, run, 'online', `cached ${formatSocket(cached)} answered`);
      else this.lookUp(state, run, cached);
    });
  }

  private lookUp(state: FriendState, run: CheckRun, failedCache: CachedSocket | null): void {
    run.current = this.deps.relay.lookup(state.email, (reply) => {
      if (run.over) return;
      const found = readLookupReply(reply);
      if (found.kind === 'not_found') return this.settle(state, run, 'offline', 'no live broadcast at the relay');
      if (found.kind === 'error') return this.settle(state, run, 'unknown', `${found.code}: ${found.message}`);
      // The cached socket just failed: do not spend another timeout on it.
      const addresses = found.addresses.filter((a) => !(failedCache && failedCache.address === a && failedCache.port === found.port));
      this.tryAddresses(run, state.email, found.port, addresses, (result) => {
        if (!result.winner) return this.settle(state, run, 'offline', `none of ${found.addresses.length} announced address(es) answered as ${state.email}`);
        const lastGood = { address: result.winner.address, port: result.winner.port };
        state.lastGood = lastGood;
        this.deps.onEvent?.({ type: 'cache_updated', email: state.email, lastGood: { ...lastGood }, atMs: this.deps.clock.nowMs() });
        this.settle(state, run, 'online', `${formatSocket(lastGood)} answered after a relay lookup`);
      });
    });
  }

  private tryAddresses(run: CheckRun, email: string, port: number, addresses: string[], then: (result: TryOrderResult) => void): void {
    const request = { targetEmail: email, port, addresses, strategy: this.options.strategy ?? 'sequential', attemptTimeoutMs: this.options.attemptTimeoutMs };
    run.current = startTryOrder(request, this.deps, {
      onDone: (result) => {
        if (!run.over) then(result);
      },
    });
  }

  private settle(state: FriendState, run: CheckRun, status: FriendStatus, detail: string): void {
    run.over = true;
    run.current = null;
    if (this.running.get(state.email) === run) this.running.delete(state.email);
    state.lastCheckedAtMs = this.deps.clock.nowMs();
    this.setStatus(state, status, detail);
  }

  private setStatus(state: FriendState, status: FriendStatus, detail: string): void {
    const from = state.status;
    state.detail = detail;
    if (from === status) return;
    state.status = status;
    state.changedAtMs = this.deps.clock.nowMs();
    this.deps.onEvent?.({ type: 'status_changed', email: state.email, from, to: status, detail, atMs: state.changedAtMs });
  }
}

export function formatSocket(socket: CachedSocket): string {
  return socket.address.includes(':') ? `[${socket.address}]:${socket.port}` : `${socket.address}:${socket.port}`;
}
