/**
 * Steps 4 and 5 of the seed as one library call (its Tauri command
 * `connect_to_peer`): look TARGET up at the relay, then run the pure
 * try-order over the announced addresses with real sockets and wall time,
 * reporting every attempt as it settles. Only an address whose
 * `/api/health` answers with TARGET's email wins (the identity check lives
 * in core/try-order.ts).
 *
 * Attempts arrive three ways, whichever suits the caller: an `onAttempt`
 * callback, the `attempts` async iterator, or all at once in the result.
 * Used by `relaylab connect | ls | get`, the demo and RemoteHouse's bridge.
 */
import { systemClock } from '../../shared/system-clock.ts';
import { systemTimers } from '../../shared/system-timers.ts';
import { formatSocket } from '../core/friends-monitor.ts';
import type { LookupResult } from '../core/lookup-reply.ts';
import type { Dialer, RelayPort } from '../core/ports.ts';
import { startTryOrder, type AttemptReport, type TryOrderResult, type TryStrategy } from '../core/try-order.ts';
import { httpDialer } from '../http/http-dialer.ts';
import { lookupPeer } from './relay-peers.ts';
import type { RelayClient } from '../http/relay-client.ts';

export type FoundPeer = Extract<LookupResult, { kind: 'found' }>;

export type ConnectOutcome =
  /** `origin` (http://address:port) answered /api/health as `verifiedEmail`, which is the target's. */
  | { kind: 'connected'; lookup: FoundPeer; tries: TryOrderResult; origin: string; verifiedEmail: string }
  | { kind: 'unreachable'; lookup: FoundPeer; tries: TryOrderResult }
  | { kind: 'not_found' }
  /** The lookup failed: relay_unreachable, lookup_unauthorized, lookup_failed, malformed_lookup_reply; or `cancelled`. */
  | { kind: 'error'; code: string; message: string };

export interface ConnectOptions {
  strategy?: TryStrategy;
  attemptTimeoutMs?: number;
  dialer?: Dialer;
  /** Each attempt as it starts (its dial is about to go out). */
  onAttemptStart?: (attempt: { index: number; address: string; port: number }) => void;
  /** Each attempt as it settles, in settling order. */
  onAttempt?: (report: AttemptReport) => void;
  /** The lookup's answer, before the first attempt starts. */
  onLookup?: (found: FoundPeer) => void;
  /** Aborting cancels the lookup's wait and every attempt in flight; the result is an error `cancelled`. */
  signal?: AbortSignal;
}

export interface PeerConnection {
  /** Every attempt as it settles; ends when the connection is decided. */
  attempts: AsyncIterable<AttemptReport>;
  result: Promise<ConnectOutcome>;
}

/** `relay` is this peer's authenticated relay: a RelayClient or a core RelayPort. */
export function connectToPeer(relay: RelayClient | RelayPort, targetEmail: string, options: ConnectOptions = {}): PeerConnection {
  const feed = new AttemptFeed();
  const result = run(relay, targetEmail, options, feed).finally(() => feed.end());
  return { attempts: feed, result };
}

async function run(relay: RelayClient | RelayPort, targetEmail: string, options: ConnectOptions, feed: AttemptFeed): Promise<ConnectOutcome> {
  const cancelled = { kind: 'error', code: 'cancelled', message: 'the connection was cancelled' } as const;
  if (options.signal?.aborted) return cancelled;
  const lookup = await lookupPeer(relay, targetEmail);
  if (options.signal?.aborted) return cancelled;
  if (lookup.kind === 'not_found') return { kind: 'not_found' };
  if (lookup.kind === 'error') return { kind: 'error', code: lookup.code, message: lookup.message };
  options.onLookup?.(lookup);
  const tries = await new Promise<TryOrderResult | null>((resolve) => {
    const handle = startTryOrder(
      { targetEmail, port: lookup.port, addresses: lookup.addresses, strategy: options.strategy ?? 'sequential', ...(options.attemptTimeoutMs ? { attemptTimeoutMs: options.attemptTimeoutMs } : {}) },
      { clock: systemClock, timers: systemTimers(), dialer: options.dialer ?? httpDialer },
      {
        onDone: resolve,
        ...(options.onAttemptStart ? { onAttemptStart: (a: { index: number; address: string; port: number }) => options.onAttemptStart!({ index: a.index, address: a.address, port: a.port }) } : {}),
        onAttempt: (report) => {
          options.onAttempt?.(report);
          feed.push(report);
        },
      },
    );
    options.signal?.addEventListener('abort', () => {
      handle.cancel();
      resolve(null);
    }, { once: true });
  });
  if (tries === null) return cancelled;
  if (!tries.winner) return { kind: 'unreachable', lookup, tries };
  const winner = tries.attempts[tries.winner.index];
  return { kind: 'connected', lookup, tries, origin: peerOrigin(tries.winner.address, tries.winner.port), verifiedEmail: winner?.seenEmail ?? targetEmail.toLowerCase() };
}

/** A one-reader queue: pushes before anyone reads are kept; the iterator ends after end(). */
class AttemptFeed implements AsyncIterable<AttemptReport> {
  private readonly queued: AttemptReport[] = [];
  private waiting: ((next: IteratorResult<AttemptReport>) => void) | null = null;
  private ended = false;

  push(report: AttemptReport): void {
    if (this.waiting) {
      const wake = this.waiting;
      this.waiting = null;
      wake({ value: report, done: false });
    } else this.queued.push(report);
  }

  end(): void {
    this.ended = true;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
  }

  [Symbol.asyncIterator](): AsyncIterator<AttemptReport> {
    return {
      next: () => {
        const value = this.queued.shift();
        if (value) return Promise.resolve({ value, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
    };
  }
}

export function peerOrigin(address: string, port: number): string {
  return `http://${formatSocket({ address, port })}`;
}

export function describeAttempt(a: AttemptReport): string {
  const where = formatSocket(a);
  const who = a.seenEmail && a.outcome === 'wrong_host' ? ` (answered as ${a.seenEmail})` : '';
  return `${where} ${a.outcome}${who} ${a.elapsedMs} ms`;
}
