/**
 * Checks that a connect followed the announced order and the strategy,
 * from the dialer's own log (what actually went on the wire), not from the
 * try-order module's report of itself.
 *
 * - Addresses are dialled in announced order, each at most once.
 * - sequential: an attempt starts only once the previous one settled.
 * - race: an attempt starts no later than `staggerMs` after the previous
 *   one (RFC 8305 style), and never before it.
 * - No attempt starts after the winner's answer came in.
 * - With no winner, every address was tried.
 * - A winner is an address that answered with the target's identity.
 */
import type { TryStrategy } from '../../reference/peer/core/try-order.ts';

export interface DialRecord {
  address: string;
  startedAtMs: number;
  /** When its outcome reached the caller, or the caller gave up (timeout/cancel): NaN while open. */
  settledAtMs: number;
  /** Email of the peer that actually answered, or null. */
  answeredBy: string | null;
}

export interface ConnectRecord {
  strategy: TryStrategy;
  staggerMs: number;
  addresses: readonly string[];
  targetEmail: string;
  dials: DialRecord[];
  winnerAddress: string | null;
  winnerAtMs: number;
}

/** The first rule broken, or null when the connect was by the book. */
export function tryOrderViolation(record: ConnectRecord): string | null {
  const { dials, addresses } = record;
  for (let i = 0; i < dials.length; i++) {
    const dial = dials[i] as DialRecord;
    if (dial.address !== addresses[i]) return `dial ${i} went to ${dial.address}, announced position ${i} is ${addresses[i] ?? '(none)'}`;
    if (i === 0) continue;
    const previous = dials[i - 1] as DialRecord;
    if (dial.startedAtMs < previous.startedAtMs) return `dial ${i} started before dial ${i - 1}`;
    if (record.strategy === 'sequential' && !(dial.startedAtMs >= previous.settledAtMs)) return `sequential dial ${i} started while dial ${i - 1} was still open`;
    if (record.strategy === 'race' && dial.startedAtMs - previous.startedAtMs > record.staggerMs) return `race dial ${i} started ${dial.startedAtMs - previous.startedAtMs} ms after dial ${i - 1} (stagger ${record.staggerMs} ms)`;
    if (record.winnerAddress !== null && dial.startedAtMs > record.winnerAtMs) return `dial ${i} started after the winner answered`;
  }
  if (record.winnerAddress === null) {
    if (dials.length !== addresses.length) return `gave up after ${dials.length} of ${addresses.length} addresses`;
    return null;
  }
  const winner = dials.find((d) => d.address === record.winnerAddress);
  if (winner === undefined) return `winner ${record.winnerAddress} was never dialled`;
  if (winner.answeredBy !== record.targetEmail) return `winner ${record.winnerAddress} was answered by ${winner.answeredBy ?? 'nobody'}, not ${record.targetEmail}`;
  return null;
}
