/**
 * Steps 4 and 5 as one call: look TARGET up at the relay, then run the
 * pure try-order over the announced addresses with real sockets and wall
 * time. Used by `connect`, `ls`, `get` and the demo.
 */
import { systemClock } from '../../shared/system-clock.ts';
import { systemTimers } from '../../shared/system-timers.ts';
import { readLookupReply, type LookupResult } from '../core/lookup-reply.ts';
import type { Dialer, RelayPort } from '../core/ports.ts';
import { startTryOrder, type AttemptReport, type TryOrderResult, type TryStrategy } from '../core/try-order.ts';
import { httpDialer } from './http-dialer.ts';
import { ask } from './relay-port.ts';

export interface FindPeerOptions {
  relay: RelayPort;
  targetEmail: string;
  strategy?: TryStrategy;
  attemptTimeoutMs?: number;
  dialer?: Dialer;
  onAttempt?: (report: AttemptReport) => void;
}

export type FindPeerOutcome =
  | { kind: 'connected'; lookup: Extract<LookupResult, { kind: 'found' }>; tries: TryOrderResult; baseUrl: string }
  | { kind: 'unreachable'; lookup: Extract<LookupResult, { kind: 'found' }>; tries: TryOrderResult }
  | { kind: 'not_found' }
  | { kind: 'error'; code: string; message: string };

export async function findPeer(options: FindPeerOptions): Promise<FindPeerOutcome> {
  const lookup = readLookupReply(await ask((done) => options.relay.lookup(options.targetEmail, done)));
  if (lookup.kind === 'not_found') return { kind: 'not_found' };
  if (lookup.kind === 'error') return { kind: 'error', code: lookup.code, message: lookup.message };
  const tries = await new Promise<TryOrderResult>((resolve) => {
    startTryOrder(
      { targetEmail: options.targetEmail, port: lookup.port, addresses: lookup.addresses, strategy: options.strategy ?? 'sequential', ...(options.attemptTimeoutMs ? { attemptTimeoutMs: options.attemptTimeoutMs } : {}) },
      { clock: systemClock, timers: systemTimers(), dialer: options.dialer ?? httpDialer },
      { onDone: resolve, ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}) },
    );
  });
  if (!tries.winner) return { kind: 'unreachable', lookup, tries };
  return { kind: 'connected', lookup, tries, baseUrl: peerBaseUrl(tries.winner.address, tries.winner.port) };
}

export function peerBaseUrl(address: string, port: number): string {
  return address.includes(':') ? `http://[${address}]:${port}` : `http://${address}:${port}`;
}

export function describeAttempt(a: AttemptReport): string {
  const where = a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
  const who = a.seenEmail && a.outcome === 'wrong_host' ? ` (answered as ${a.seenEmail})` : '';
  return `${where} ${a.outcome}${who} ${a.elapsedMs} ms`;
}
