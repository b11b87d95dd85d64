import type { Dialer } from '../core/ports.ts';

/**
 * Fault injection: a Dialer that swallows dials to chosen addresses (they
 * never answer, like a firewall dropping SYNs) and passes the rest to
 * `inner`. The try-order's own timeout is then the only way out, exactly
 * as on a real network. For tests and demos of the race strategy.
 */
export function blackholeDialer(inner: Dialer, blackholed: ReadonlySet<string>): Dialer {
  return {
    dial(address, port, expectedEmail, timeoutMs, onOutcome) {
      if (blackholed.has(address)) return { cancel() {} };
      return inner.dial(address, port, expectedEmail, timeoutMs, onOutcome);
    },
  };
}
