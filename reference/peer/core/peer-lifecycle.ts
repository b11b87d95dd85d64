/**
 * A peer's conversation with its relay (issue 3, steps 2, 5 and 6):
 *
 *   register ──200/409──▶ ready ──200──▶ heartbeat every min(interval, expires_in / 2)
 *                           │              │ 404: our broadcast expired
 *                           │              ▼
 *                           │            ready again (a "re-ready")
 *                           └─401 after a 409: someone else holds the email → fatal
 *
 * The relay's `expires_in` (from ready and heartbeat replies) caps the
 * heartbeat period at half the TTL, so a relay with a short TTL never
 * drops us between heartbeats; and a re-ready whenever the announced address list changes (checked
 * every `addressCheckIntervalMs` through `addressSource`). A relay that
 * cannot be reached, answers 5xx, or does not answer within
 * `requestTimeoutMs`, is retried after `retryDelayMs`; the peer keeps
 * serving meanwhile.
 *
 * Extensions (SPEC EXT), when the relay offers them: `leave()` says goodbye
 * (the broadcast ends at once instead of after the TTL), and an
 * `observed_address` in a ready or heartbeat answer that is public and not
 * announced yet is announced after our own addresses (re-announced when it
 * changes), so a peer behind a forwarded home router is found without
 * `--public-address`.
 *
 * Pure: time and waiting come from the injected Clock and Timers, the relay
 * through the RelayPort, the addresses through `addressSource`. The
 * simulator runs this very class.
 */
import type { Clock } from '../../shared/clock.ts';
import type { TimerHandle, Timers } from '../../shared/timers.ts';
import { MAX_ANNOUNCED_ADDRESSES, sameAddressList } from './address-order.ts';
import { classifyAddress, ipVersion } from '../../shared/ip.ts';
import type { Cancellable, RelayPort, RelayReply } from './ports.ts';

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 30 * 60 * 1000;
export const DEFAULT_ADDRESS_CHECK_INTERVAL_MS = 60 * 1000;
export const DEFAULT_RETRY_DELAY_MS = 30 * 1000;
/** The heartbeat period never goes below this, however short the relay's TTL. */
export const MIN_HEARTBEAT_DELAY_MS = 1_000;
/** A relay call with no answer by then counts as unreachable (a dropped heartbeat must not stall us). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30 * 1000;

/** Stable codes for why a lifecycle gave up. */
export type LifecycleFatalCode =
  /** 409 on register, then 401 on ready: another certificate holds our email. */
  | 'email_held_by_another_identity'
  /** The relay refused our registration outright (400: bad certificate or email). */
  | 'registration_rejected'
  /** The relay refused our ready payload (400): retrying the same payload cannot help. */
  | 'ready_rejected'
  /** No address to announce at start-up. */
  | 'no_addresses';

export type LifecycleEvent =
  | { type: 'registered'; atMs: number; status: 200 | 409 }
  | { type: 'ready'; atMs: number; reason: ReadyReason; port: number; addresses: string[]; expiresInS?: number }
  | { type: 'heartbeat'; atMs: number; expiresInS?: number }
  | { type: 'broadcast_expired'; atMs: number }
  | { type: 'addresses_changed'; atMs: number; from: string[]; to: string[] }
  /** Every address vanished after start-up; the next change with an address sends ready. */
  | { type: 'waiting_for_addresses'; atMs: number }
  | { type: 'relay_trouble'; atMs: number; step: 'register' | 'ready' | 'heartbeat'; message: string; retryInMs: number }
  /** The relay saw us at a new address (SPEC EXT-3); `announced` says whether it joins our announcement. */
  | { type: 'observed_address'; atMs: number; address: string; announced: boolean }
  /** SPEC EXT-2: the goodbye sent on leave(), and what came of it. */
  | { type: 'goodbye'; atMs: number; outcome: 'ended' | 'not_live' | 'failed'; message?: string }
  | { type: 'fatal'; atMs: number; code: LifecycleFatalCode; message: string };

export type ReadyReason = 'startup' | 'heartbeat_404' | 'addresses_changed' | 'retry';

export type LifecyclePhase = 'idle' | 'registering' | 'readying' | 'live' | 'leaving' | 'stopped' | 'failed';

export interface PeerLifecycleOptions {
  email: string;
  port: number;
  /** The current ordered announcement (see orderAddresses). Called at start and at every address check. */
  addressSource: () => string[];
  capabilities?: Record<string, unknown>;
  heartbeatIntervalMs?: number;
  addressCheckIntervalMs?: number;
  retryDelayMs?: number;
  requestTimeoutMs?: number;
  /** Announce the relay's `observed_address` when it is public and not ours already (SPEC EXT-3); default true. */
  useObservedAddress?: boolean;
  /** Say goodbye on leave() (SPEC EXT-2): only where the relay offers it (see relayOffers); default true. */
  sayGoodbye?: boolean;
}

export interface PeerLifecycleDeps {
  clock: Clock;
  timers: Timers;
  relay: RelayPort;
  onEvent?: (event: LifecycleEvent) => void;
}

export class PeerLifecycle {
  private phase: LifecyclePhase = 'idle';
  /**
   * False after a 409 until a ready succeeds: only then do we know the
   * registered certificate is ours. A 401 on ready while false is fatal.
   */
  private registrationConfirmed = false;
  private announced: string[] = [];
  private heartbeatTimer: TimerHandle | null = null;
  private retryTimer: TimerHandle | null = null;
  private addressTimer: TimerHandle | null = null;
  private inFlight: Cancellable | null = null;
  /** A change seen while a request was in flight: ready again once it settles. */
  private readyPending = false;
  /** The relay's last `expires_in`, in ms: heartbeats come at least twice per TTL. */
  private relayTtlMs: number | null = null;
  /** The relay's last `observed_address` (SPEC EXT-3), canonical; null before any. */
  private observed: string | null = null;
  /** The last address the relay reported and we took, public or not (each new one is told once). */
  private lastObserved: string | null = null;
  /** A different address the relay reported once; taken if the next answer says it again. */
  private observedCandidate: string | null = null;
  /** A leave() that came while a ready was in flight: said once that ready settles. */
  private leaveAfterReady: (() => void) | null = null;
  /**
   * Whether the relay advertises "goodbye" (SPEC EXT-2) in its health
   * answer, told by the edge: the one extension this core acts on. A flag,
   * not a set of names: a set costs 160 bytes a peer, and a simulator runs
   * a million of these.
   */
  private relayOffersGoodbye = false;
  private readonly heartbeatIntervalMs: number;
  private readonly addressCheckIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly requestTimeoutMs: number;

  constructor(
    private readonly options: PeerLifecycleOptions,
    private readonly deps: PeerLifecycleDeps,
  ) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    this.addressCheckIntervalMs = options.addressCheckIntervalMs ?? DEFAULT_ADDRESS_CHECK_INTERVAL_MS;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  get currentPhase(): LifecyclePhase {
    return this.phase;
  }

  /** The addresses last sent in a ready. */
  get announcedAddresses(): readonly string[] {
    return this.announced;
  }

  /** The extensions the relay lists in health (the edge asks it; the simulator knows it). */
  relayOffers(extensions: readonly string[]): void {
    this.relayOffersGoodbye = extensions.includes('goodbye');
  }

  start(): void {
    if (this.phase !== 'idle') return;
    this.announced = this.announcement();
    this.register();
    this.scheduleAddressCheck();
  }

  stop(): void {
    const waiting = this.leaveAfterReady;
    this.leaveAfterReady = null;
    if (this.phase !== 'stopped' && this.phase !== 'failed') {
      this.phase = 'stopped';
      this.clearAll();
    }
    waiting?.();
  }

  /**
   * A graceful stop. Where the relay offers "goodbye" (SPEC EXT-2) and we
   * are live, tells it first, so we stop being listed at once; `onDone`
   * runs when that is answered or timed out (or at once without a goodbye).
   */
  leave(onDone: () => void = () => {}): void {
    const goodbye = this.deps.relay.goodbye;
    const wanted = goodbye !== undefined && this.relayOffersGoodbye && this.options.sayGoodbye !== false;
    // A ready in flight may still land: wait for it, or the relay would list us after our goodbye.
    if (wanted && this.phase === 'readying' && this.inFlight !== null) {
      this.leaveAfterReady = onDone;
      return;
    }
    // Waiting to retry a ready, nothing in flight: an earlier ready may have been accepted unanswered
    // (a timeout), so say goodbye now; waiting for the retry could wait for good.
    const mayBeListed = this.phase === 'live' || this.phase === 'readying';
    if (!mayBeListed || !wanted || !goodbye) {
      this.stop();
      onDone();
      return;
    }
    this.clearAll();
    this.phase = 'leaving';
    this.call((done) => goodbye.call(this.deps.relay, done), (reply) => {
      const ended = reply.kind === 'response' && reply.status === 200;
      const wasLive = ended && (reply.body as { was_live?: unknown } | null)?.was_live !== false;
      this.emit({ type: 'goodbye', atMs: this.now(), outcome: ended ? (wasLive ? 'ended' : 'not_live') : 'failed', ...(ended ? {} : { message: describeReply(reply) }) });
      this.phase = 'stopped';
      this.clearAll();
      onDone();
    });
  }

  /**
   * The delay until the next heartbeat: the configured interval, capped at
   * half the relay's last `expires_in` (never below MIN_HEARTBEAT_DELAY_MS
   * unless the interval itself is shorter).
   */
  get heartbeatDelayMs(): number {
    if (this.relayTtlMs === null) return this.heartbeatIntervalMs;
    return Math.min(this.heartbeatIntervalMs, Math.max(MIN_HEARTBEAT_DELAY_MS, Math.floor(this.relayTtlMs / 2)));
  }

  /** Sends a heartbeat now instead of at its timer (tests and an edge's "refresh" use it); no-op unless live and idle. */
  heartbeatNow(): void {
    if (this.phase !== 'live' || this.inFlight || this.announced.length === 0) return;
    this.clearTimer('heartbeatTimer');
    this.sendHeartbeat();
  }

  /** Re-reads the addresses now (the edge may call this on a network change event). */
  checkAddresses(): void {
    if (this.phase === 'stopped' || this.phase === 'failed' || this.phase === 'leaving') return;
    const fresh = this.announcement();
    if (sameAddressList(fresh, this.announced)) return;
    this.emit({ type: 'addresses_changed', atMs: this.now(), from: [...this.announced], to: [...fresh] });
    this.announced = fresh;
    if (this.phase === 'live') this.sendReady('addresses_changed');
    else this.readyPending = true;
  }

  private register(): void {
    this.phase = 'registering';
    this.call((done) => this.deps.relay.register(done), (reply) => this.onRegister(reply));
  }

  private onRegister(reply: RelayReply): void {
    if (this.phase !== 'registering') return;
    if (reply.kind === 'response' && (reply.status === 200 || reply.status === 409)) {
      this.registrationConfirmed = reply.status === 200;
      this.emit({ type: 'registered', atMs: this.now(), status: reply.status });
      this.sendReady('startup');
    } else if (reply.kind === 'response' && reply.status === 400) {
      this.fail('registration_rejected', `the relay rejected our registration (${reply.status}${describeBody(reply.body)})`);
    } else {
      this.retryLater('register', reply, () => this.register());
    }
  }

  private sendReady(reason: ReadyReason): void {
    this.clearTimer('heartbeatTimer');
    this.clearTimer('retryTimer');
    if (this.announced.length === 0) {
      if (reason === 'startup') return this.fail('no_addresses', 'no address to announce: no usable network interface and no --public-address');
      // The network went away mid-run (Wi-Fi off): keep the relay's entry alive and ready again when an address returns.
      this.phase = 'live';
      this.readyPending = false;
      this.emit({ type: 'waiting_for_addresses', atMs: this.now() });
      this.scheduleHeartbeat();
      return;
    }
    this.phase = 'readying';
    this.readyPending = false;
    const addresses = [...this.announced];
    const payload = { port: this.options.port, addresses, ...(this.options.capabilities ? { capabilities: this.options.capabilities } : {}) };
    this.call((done) => this.deps.relay.ready(payload, done), (reply) => this.onReady(reply, reason, addresses));
  }

  private onReady(reply: RelayReply, reason: ReadyReason, addresses: string[]): void {
    if (this.phase !== 'readying') return;
    const leaving = this.leaveAfterReady;
    if (leaving) {
      this.leaveAfterReady = null;
      this.phase = reply.kind === 'response' && reply.status === 200 ? 'live' : this.phase;
      if (this.phase === 'live') return this.leave(leaving);
      this.stop();
      return leaving();
    }
    if (reply.kind === 'response' && reply.status === 200) {
      this.phase = 'live';
      this.registrationConfirmed = true;
      this.noteTtl(reply.body);
      const observed = this.noteObserved(reply.body);
      if (observed === 'changed') this.refreshAnnouncement();
      this.emit({ type: 'ready', atMs: this.now(), reason, port: this.options.port, addresses, ...expiresIn(reply.body) });
      if (this.readyPending || !sameAddressList(addresses, this.announced)) this.sendReady('addresses_changed');
      else this.scheduleHeartbeat(observed === 'unconfirmed' ? MIN_HEARTBEAT_DELAY_MS : undefined);
    } else if (reply.kind === 'response' && reply.status === 401) {
      // 401 after our 409, before any ready succeeded: the registered certificate is not ours.
      if (!this.registrationConfirmed) {
        this.fail('email_held_by_another_identity', `${this.options.email} is registered at this relay with another certificate (409 on register, 401 on ready)`);
      } else {
        // Our registration was confirmed, yet we are unknown now: the relay lost its state (a memory store restart). Start over.
        this.retryLater('ready', reply, () => this.register());
      }
    } else if (reply.kind === 'response' && reply.status === 400) {
      this.fail('ready_rejected', `the relay rejected our ready payload (400${describeBody(reply.body)})`);
    } else {
      this.retryLater('ready', reply, () => this.sendReady('retry'));
    }
  }

  /** `delayMs`: sooner than usual, to confirm a new observed address (SPEC EXT-3). */
  private scheduleHeartbeat(delayMs: number = this.heartbeatDelayMs): void {
    this.clearTimer('heartbeatTimer');
    this.heartbeatTimer = this.deps.timers.setTimer(delayMs, () => {
      this.heartbeatTimer = null;
      this.sendHeartbeat();
    });
  }

  private onHeartbeat(reply: RelayReply): void {
    if (this.phase !== 'live') return;
    if (reply.kind === 'response' && reply.status === 200) {
      this.noteTtl(reply.body);
      this.emit({ type: 'heartbeat', atMs: this.now(), ...expiresIn(reply.body) });
      const observed = this.noteObserved(reply.body);
      this.scheduleHeartbeat(observed === 'unconfirmed' ? MIN_HEARTBEAT_DELAY_MS : undefined);
      if (observed === 'changed') this.checkAddresses();
    } else if (reply.kind === 'response' && reply.status === 404) {
      this.emit({ type: 'broadcast_expired', atMs: this.now() });
      this.sendReady('heartbeat_404');
    } else if (reply.kind === 'response' && reply.status === 401) {
      // The relay forgot our identity (memory store restarted): register again from the top.
      this.retryLater('heartbeat', reply, () => this.register());
    } else {
      this.retryLater('heartbeat', reply, () => this.sendHeartbeat());
    }
  }

  /** Recomputes what we announce without sending anything; true when it changed (the caller sends ready). */
  private refreshAnnouncement(): boolean {
    const fresh = this.announcement();
    if (sameAddressList(fresh, this.announced)) return false;
    this.emit({ type: 'addresses_changed', atMs: this.now(), from: [...this.announced], to: [...fresh] });
    this.announced = fresh;
    return true;
  }

  /** Our own addresses, then the relay's observed one where it adds something reachable (SPEC EXT-3). */
  private announcement(): string[] {
    const own = this.options.addressSource();
    const extra = this.observed;
    if (extra === null || this.options.useObservedAddress === false || own.length === 0 || own.length >= MAX_ANNOUNCED_ADDRESSES) return own;
    return own.includes(extra) ? own : [...own, extra];
  }

  /**
   * Reads `observed_address` from a relay answer. The first one is taken at
   * once; a different one only when the next answer says it again (asked
   * for by an early heartbeat: 'unconfirmed'), so a relay behind several
   * egress addresses that alternate cannot make us re-announce on every
   * answer. 'changed' when what we announce may change.
   */
  private noteObserved(body: unknown): 'same' | 'unconfirmed' | 'changed' {
    const raw = (body as { observed_address?: unknown } | null)?.observed_address;
    if (typeof raw !== 'string' || ipVersion(raw) === null) return 'same';
    const address = raw.trim().toLowerCase();
    if (address === this.lastObserved) {
      this.observedCandidate = null;
      return 'same';
    }
    if (this.lastObserved !== null && this.observedCandidate !== address) {
      this.observedCandidate = address;
      return 'unconfirmed';
    }
    this.observedCandidate = null;
    this.lastObserved = address;
    const kind = classifyAddress(address);
    const usable = kind === 'public-v4' || kind === 'global-v6';
    const next = usable ? address : null;
    const joins = usable && this.options.useObservedAddress !== false && !this.options.addressSource().includes(address);
    this.emit({ type: 'observed_address', atMs: this.now(), address, announced: joins });
    if (next === this.observed) return 'same';
    this.observed = next;
    return 'changed';
  }

  private noteTtl(body: unknown): void {
    const { expiresInS } = expiresIn(body);
    if (expiresInS !== undefined && Number.isFinite(expiresInS) && expiresInS > 0) this.relayTtlMs = expiresInS * 1000;
  }

  private sendHeartbeat(): void {
    this.call((done) => this.deps.relay.heartbeat(done), (reply) => this.onHeartbeat(reply));
  }

  /**
   * One relay call at a time: a new call cancels the one in flight. The
   * core's own timer turns silence into `unreachable`.
   */
  private call(invoke: (done: (reply: RelayReply) => void) => Cancellable, onReply: (reply: RelayReply) => void): void {
    this.inFlight?.cancel();
    let settled = false;
    const timer = this.deps.timers.setTimer(this.requestTimeoutMs, () => {
      if (settled) return;
      settled = true;
      request.cancel();
      this.inFlight = null;
      onReply({ kind: 'unreachable', message: `the relay did not answer within ${this.requestTimeoutMs} ms` });
    });
    const finish = (reply: RelayReply): void => {
      if (settled) return;
      settled = true;
      this.deps.timers.clearTimer(timer);
      if (this.inFlight === handle) this.inFlight = null;
      onReply(reply);
    };
    const handle: Cancellable = {
      cancel: () => {
        if (settled) return;
        settled = true;
        this.deps.timers.clearTimer(timer);
        request.cancel();
      },
    };
    const request = invoke(finish);
    if (!settled) this.inFlight = handle;
  }

  private retryLater(step: 'register' | 'ready' | 'heartbeat', reply: RelayReply, again: () => void): void {
    const message = reply.kind === 'unreachable' ? reply.message : `HTTP ${reply.status}${describeBody(reply.body)}`;
    this.emit({ type: 'relay_trouble', atMs: this.now(), step, message, retryInMs: this.retryDelayMs });
    this.clearTimer('retryTimer');
    this.retryTimer = this.deps.timers.setTimer(this.retryDelayMs, () => {
      this.retryTimer = null;
      again();
    });
  }

  private scheduleAddressCheck(): void {
    this.addressTimer = this.deps.timers.setTimer(this.addressCheckIntervalMs, () => {
      this.addressTimer = null;
      if (this.phase === 'stopped' || this.phase === 'failed') return;
      this.checkAddresses();
      this.scheduleAddressCheck();
    });
  }

  private fail(code: LifecycleFatalCode, message: string): void {
    this.phase = 'failed';
    this.clearAll();
    this.emit({ type: 'fatal', atMs: this.now(), code, message });
  }

  private clearAll(): void {
    this.clearTimer('heartbeatTimer');
    this.clearTimer('retryTimer');
    this.clearTimer('addressTimer');
    this.inFlight?.cancel();
    this.inFlight = null;
  }

  private clearTimer(name: 'heartbeatTimer' | 'retryTimer' | 'addressTimer'): void {
    const handle = this[name];
    if (handle) this.deps.timers.clearTimer(handle);
    this[name] = null;
  }

  private now(): number {
    return this.deps.clock.nowMs();
  }

  private emit(event: LifecycleEvent): void {
    this.deps.onEvent?.(event);
  }
}

function expiresIn(body: unknown): { expiresInS?: number } {
  const value = (body as { expires_in?: unknown } | null)?.expires_in;
  return typeof value === 'number' ? { expiresInS: value } : {};
}

function describeReply(reply: RelayReply): string {
  return reply.kind === 'unreachable' ? reply.message : `HTTP ${reply.status}${describeBody(reply.body)}`;
}

function describeBody(body: unknown): string {
  const b = body as { code?: unknown; error?: unknown } | null;
  if (b && typeof b.code === 'string') return `: ${b.code}${typeof b.error === 'string' ? `, ${b.error}` : ''}`;
  return '';
}
