/**
 * When a peer renews its certificate (SPEC AUTH-6, EXT-1). A relay refuses
 * a certificate past its notAfter (401 certificate_expired), and an expired
 * certificate cannot renew itself, so the peer renews ahead of time:
 *
 *   wait until notAfter - lead ──▶ renew ──renewed──▶ wait for the new certificate's turn
 *                                    │ refused / unsupported / unreachable
 *                                    ▼
 *                     retry after min(retryDelay, time left / 4), until notAfter
 *
 * `lead` is a third of the certificate's lifetime, at most 30 days: a
 * ten-year certificate renews 30 days before it expires, a ten-minute one
 * after about seven minutes. The effects (making the new key pair, telling
 * the relay, writing the files) are the RenewalPort's; this class decides
 * only when, on the injected Clock and Timers, so tests and the simulator
 * can drive it.
 */
import type { Clock } from '../../shared/clock.ts';
import type { TimerHandle, Timers } from '../../shared/timers.ts';
import type { Cancellable } from './ports.ts';

const DAY_MS = 86_400_000;

export const RENEWAL_DEFAULTS = {
  maxLeadMs: 30 * DAY_MS,
  leadFraction: 1 / 3,
  retryDelayMs: 60 * 60 * 1000,
  /** Retries never come faster than this, however little time is left. */
  minRetryDelayMs: 1000,
  requestTimeoutMs: 60 * 1000,
} as const;

export interface ValidityWindow {
  notBeforeMs: number;
  notAfterMs: number;
}

/**
 * - `renewed`: the relay took the new certificate and the peer now uses it.
 * - `unsupported`: the relay offers no renewal (404 route_not_found, no "renew" in health).
 * - `refused`: the relay answered, and not with success (the message says what it said).
 * - `unreachable`: no answer.
 * - `local_error`: the peer could not do its part (write the new key, say).
 */
export type RenewalReply =
  | ({ kind: 'renewed' } & ValidityWindow)
  | { kind: 'unsupported'; message: string }
  | { kind: 'refused'; status: number; message: string }
  | { kind: 'unreachable'; message: string }
  | { kind: 'local_error'; message: string };

export interface RenewalPort {
  /** Makes a new certificate, has the relay take it, and switches to it; reports once, unless cancelled. */
  renew(onReply: (reply: RenewalReply) => void): Cancellable;
}

export type RenewalEvent =
  | { type: 'renewal_scheduled'; atMs: number; renewAtMs: number; notAfterMs: number }
  | { type: 'renewed'; atMs: number; notAfterMs: number }
  | { type: 'renewal_failed'; atMs: number; reason: Exclude<RenewalReply['kind'], 'renewed'>; message: string; retryInMs: number }
  | { type: 'certificate_expired'; atMs: number; notAfterMs: number };

export interface CertificateRenewalOptions {
  window: ValidityWindow;
  maxLeadMs?: number;
  leadFraction?: number;
  retryDelayMs?: number;
  requestTimeoutMs?: number;
}

export interface CertificateRenewalDeps {
  clock: Clock;
  timers: Timers;
  port: RenewalPort;
  onEvent?: (event: RenewalEvent) => void;
}

/** When a certificate with this window is due for renewal. */
export function renewAtMs(window: ValidityWindow, maxLeadMs: number = RENEWAL_DEFAULTS.maxLeadMs, leadFraction: number = RENEWAL_DEFAULTS.leadFraction): number {
  const lifetimeMs = Math.max(0, window.notAfterMs - window.notBeforeMs);
  return window.notAfterMs - Math.min(maxLeadMs, Math.floor(lifetimeMs * leadFraction));
}

export class CertificateRenewal {
  private window: ValidityWindow;
  private timer: TimerHandle | null = null;
  private inFlight: Cancellable | null = null;
  private stopped = false;
  private readonly maxLeadMs: number;
  private readonly leadFraction: number;
  private readonly retryDelayMs: number;
  private readonly requestTimeoutMs: number;

  constructor(options: CertificateRenewalOptions, private readonly deps: CertificateRenewalDeps) {
    this.window = checkedWindow(options.window);
    this.maxLeadMs = options.maxLeadMs ?? RENEWAL_DEFAULTS.maxLeadMs;
    this.leadFraction = options.leadFraction ?? RENEWAL_DEFAULTS.leadFraction;
    this.retryDelayMs = options.retryDelayMs ?? RENEWAL_DEFAULTS.retryDelayMs;
    this.requestTimeoutMs = options.requestTimeoutMs ?? RENEWAL_DEFAULTS.requestTimeoutMs;
    if (!(this.leadFraction > 0 && this.leadFraction < 1)) throw new RangeError(`leadFraction must lie in (0, 1), got ${this.leadFraction}`);
    if (!(this.maxLeadMs > 0) || !(this.retryDelayMs > 0) || !(this.requestTimeoutMs > 0)) throw new RangeError('maxLeadMs, retryDelayMs and requestTimeoutMs must be positive');
  }

  /** The window of the certificate in use. */
  get currentWindow(): ValidityWindow {
    return this.window;
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.deps.timers.clearTimer(this.timer);
    this.timer = null;
    this.inFlight?.cancel();
    this.inFlight = null;
  }

  private schedule(): void {
    const at = renewAtMs(this.window, this.maxLeadMs, this.leadFraction);
    this.emit({ type: 'renewal_scheduled', atMs: this.now(), renewAtMs: at, notAfterMs: this.window.notAfterMs });
    this.wait(at - this.now());
  }

  private wait(delayMs: number): void {
    this.timer = this.deps.timers.setTimer(Math.max(0, delayMs), () => {
      this.timer = null;
      this.attempt();
    });
  }

  private attempt(): void {
    if (this.stopped) return;
    if (this.now() >= this.window.notAfterMs) {
      this.emit({ type: 'certificate_expired', atMs: this.now(), notAfterMs: this.window.notAfterMs });
      return;
    }
    let settled = false;
    const finish = (reply: RenewalReply): void => {
      if (settled || this.stopped) return;
      settled = true;
      this.deps.timers.clearTimer(timeout);
      this.inFlight = null;
      this.onReply(reply);
    };
    const timeout = this.deps.timers.setTimer(this.requestTimeoutMs, () => {
      request.cancel();
      finish({ kind: 'unreachable', message: `no answer within ${this.requestTimeoutMs} ms` });
    });
    const request = this.deps.port.renew(finish);
    if (!settled) this.inFlight = request;
  }

  private onReply(reply: RenewalReply): void {
    if (reply.kind === 'renewed') {
      this.window = checkedWindow(reply);
      this.emit({ type: 'renewed', atMs: this.now(), notAfterMs: reply.notAfterMs });
      this.schedule();
      return;
    }
    const leftMs = this.window.notAfterMs - this.now();
    const retryInMs = Math.max(RENEWAL_DEFAULTS.minRetryDelayMs, Math.min(this.retryDelayMs, Math.floor(leftMs / 4)));
    this.emit({ type: 'renewal_failed', atMs: this.now(), reason: reply.kind, message: reply.message, retryInMs });
    this.wait(retryInMs);
  }

  private now(): number {
    return this.deps.clock.nowMs();
  }

  private emit(event: RenewalEvent): void {
    this.deps.onEvent?.(event);
  }
}

function checkedWindow(window: ValidityWindow): ValidityWindow {
  if (!Number.isFinite(window.notBeforeMs) || !Number.isFinite(window.notAfterMs) || window.notAfterMs <= window.notBeforeMs) {
    throw new RangeError(`a certificate validity window must be finite with notAfter after notBefore, got ${window.notBeforeMs}..${window.notAfterMs}`);
  }
  return { notBeforeMs: window.notBeforeMs, notAfterMs: window.notAfterMs };
}
