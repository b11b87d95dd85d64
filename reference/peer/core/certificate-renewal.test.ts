import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { ManualTimers } from '../../shared/manual-timers.ts';
import { CertificateRenewal, renewAtMs, type RenewalEvent, type RenewalReply } from './certificate-renewal.ts';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** A renewal over a scripted port: each call answers with the next scripted reply (or never, for 'silent'). */
function harness(window: { notBeforeMs: number; notAfterMs: number }, replies: Array<RenewalReply | 'silent'>, options: { retryDelayMs?: number; requestTimeoutMs?: number } = {}) {
  const timers = new ManualTimers(new ManualClock(T0));
  const events: RenewalEvent[] = [];
  const calls: number[] = [];
  const renewal = new CertificateRenewal(
    { window, ...options },
    {
      clock: timers.clock,
      timers,
      port: {
        renew(onReply) {
          calls.push(timers.clock.nowMs());
          const reply = replies.shift() ?? { kind: 'unreachable', message: 'script ran out' };
          if (reply !== 'silent') onReply(reply);
          return { cancel() {} };
        },
      },
      onEvent: (e) => events.push(e),
    },
  );
  return { renewal, timers, events, calls };
}

describe('CertificateRenewal', () => {
  it('renews a ten-year certificate 30 days before it expires, a nine-minute one after six minutes', () => {
    expect(renewAtMs({ notBeforeMs: T0, notAfterMs: T0 + 3650 * DAY_MS })).toBe(T0 + 3620 * DAY_MS);
    expect(renewAtMs({ notBeforeMs: T0, notAfterMs: T0 + 9 * MINUTE_MS })).toBe(T0 + 6 * MINUTE_MS);
  });

  it('renews once at its time, then waits for the new certificate’s turn', () => {
    const { renewal, timers, calls, events } = harness({ notBeforeMs: T0, notAfterMs: T0 + 9 * MINUTE_MS }, [
      { kind: 'renewed', notBeforeMs: T0 + 6 * MINUTE_MS, notAfterMs: T0 + 15 * MINUTE_MS },
      { kind: 'renewed', notBeforeMs: T0 + 12 * MINUTE_MS, notAfterMs: T0 + 21 * MINUTE_MS },
    ]);
    renewal.start();
    timers.advanceMs(6 * MINUTE_MS - 1);
    expect(calls).toEqual([]);
    timers.advanceMs(1);
    expect(calls).toEqual([T0 + 6 * MINUTE_MS]);
    expect(renewal.currentWindow.notAfterMs).toBe(T0 + 15 * MINUTE_MS);
    timers.advanceMs(6 * MINUTE_MS);
    expect(calls).toEqual([T0 + 6 * MINUTE_MS, T0 + 12 * MINUTE_MS]);
    expect(events.filter((e) => e.type === 'renewed').map((e) => e.atMs)).toEqual([T0 + 6 * MINUTE_MS, T0 + 12 * MINUTE_MS]);
  });

  it('renews at once when the certificate is already past its renewal time', () => {
    const { renewal, timers, calls } = harness({ notBeforeMs: T0 - 8 * MINUTE_MS, notAfterMs: T0 + MINUTE_MS }, [{ kind: 'renewed', notBeforeMs: T0, notAfterMs: T0 + 9 * MINUTE_MS }]);
    renewal.start();
    timers.runDue();
    expect(calls).toEqual([T0]);
  });

  it('retries after min(retryDelay, a quarter of the time left), and says so when the certificate expires unrenewed', () => {
    const { renewal, timers, calls, events } = harness({ notBeforeMs: T0, notAfterMs: T0 + 12 * MINUTE_MS }, [
      { kind: 'unsupported', message: '404 route_not_found' },
      { kind: 'refused', status: 400, message: 'certificate_not_valid_now' },
      { kind: 'unreachable', message: 'ECONNREFUSED' },
    ], { retryDelayMs: 10 * MINUTE_MS });
    renewal.start();
    timers.advanceMs(8 * MINUTE_MS); // due at 8 min: 4 min left, retry in 1 min
    timers.advanceMs(MINUTE_MS); // 9 min: 3 min left, retry in 45 s
    timers.advanceMs(45_000); // 9:45: 2:15 left, retry in 33.75 s
    expect(calls).toEqual([T0 + 8 * MINUTE_MS, T0 + 9 * MINUTE_MS, T0 + 9 * MINUTE_MS + 45_000]);
    expect(events.filter((e) => e.type === 'renewal_failed').map((e) => (e.type === 'renewal_failed' ? [e.reason, e.retryInMs] : null))).toEqual([
      ['unsupported', 60_000],
      ['refused', 45_000],
      ['unreachable', 33_750],
    ]);
    // The script is out: every further attempt fails, until notAfter ends it.
    timers.advanceMs(10 * MINUTE_MS);
    expect(events.at(-1)).toEqual({ type: 'certificate_expired', atMs: expect.any(Number), notAfterMs: T0 + 12 * MINUTE_MS });
    const attempts = calls.length;
    timers.advanceMs(60 * MINUTE_MS);
    expect(calls.length).toBe(attempts);
    expect(timers.pendingCount()).toBe(0);
  });

  it('turns a port that never answers into unreachable after the request timeout', () => {
    const { renewal, timers, events } = harness({ notBeforeMs: T0, notAfterMs: T0 + 3 * DAY_MS }, ['silent'], { requestTimeoutMs: 30_000 });
    renewal.start();
    timers.advanceMs(2 * DAY_MS + 30_000);
    expect(events.find((e) => e.type === 'renewal_failed')).toMatchObject({ reason: 'unreachable', message: 'no answer within 30000 ms', atMs: T0 + 2 * DAY_MS + 30_000 });
  });

  it('does nothing more once stopped', () => {
    const { renewal, timers, calls } = harness({ notBeforeMs: T0, notAfterMs: T0 + 9 * MINUTE_MS }, []);
    renewal.start();
    renewal.stop();
    timers.advanceMs(60 * MINUTE_MS);
    expect(calls).toEqual([]);
    expect(timers.pendingCount()).toBe(0);
  });

  it('refuses a window it cannot schedule by', () => {
    expect(() => harness({ notBeforeMs: T0, notAfterMs: Number.NaN }, [])).toThrow(/validity window/);
    expect(() => harness({ notBeforeMs: T0, notAfterMs: T0 }, [])).toThrow(/notAfter after notBefore/);
  });
});
