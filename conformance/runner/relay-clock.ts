/**
 * How far the relay's clock is from this machine's. A relay in test mode
 * keeps what earlier runs' `POST /api/test/clock` advanced (TEST-1), so on a
 * second run against it "not yet valid" and "expired" certificates dated by
 * this machine's clock are valid for the relay, and the suite would report
 * REG-8 and EXT-1 failures the relay does not have. Certificates are
 * therefore dated by the relay's clock when it is off by more than a minute.
 */
import type { Reply } from './target.ts';

/** Below this, clocks agree well enough for certificates dated a day either side. */
export const CLOCK_OFFSET_IGNORED_MS = 60_000;

/** The relay's now in ms, to within a second, from a heartbeat's answer: broadcast_expires - expires_in (SPEC HB-1); null when it does not say. */
export function relayNowMsOf(heartbeat: Reply | null): number | null {
  const body = heartbeat?.json as { broadcast_expires?: unknown; expires_in?: unknown } | undefined;
  if (heartbeat?.status !== 200 || typeof body?.broadcast_expires !== 'number' || typeof body.expires_in !== 'number') return null;
  return (body.broadcast_expires - body.expires_in) * 1000;
}

/** The relay's now minus ours, from a heartbeat's answer; null when it does not say. */
export function relayClockOffsetMs(heartbeat: Reply | null, receivedAtMs: number): number | null {
  const relayMs = relayNowMsOf(heartbeat);
  const offsetMs = relayMs === null ? NaN : relayMs - receivedAtMs;
  return Number.isFinite(offsetMs) ? offsetMs : null;
}

/** The offset certificates are dated with: 0 unless the relay's clock is off by more than a minute. */
export function certificateOffsetMs(offsetMs: number | null): number {
  return offsetMs !== null && Math.abs(offsetMs) > CLOCK_OFFSET_IGNORED_MS ? offsetMs : 0;
}

/** The fact the report shows when certificates are dated by the relay's clock. */
export function clockOffsetFact(offsetMs: number): string {
  const days = Math.abs(offsetMs) / 86_400_000;
  const size = days >= 1 ? `${days.toFixed(1)} days` : `${Math.round(Math.abs(offsetMs) / 60_000)} min`;
  return `the relay's clock is ${size} ${offsetMs > 0 ? 'ahead of' : 'behind'} this machine's (a test clock an earlier run advanced?); the suite dates its certificates by the relay's clock`;
}
