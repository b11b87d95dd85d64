/**
 * Keeps a repeated warning from flooding the log: the first occurrence of
 * a kind is logged at once, the rest are counted and reported in one line
 * per interval ("... repeated 1789 more times in the last 10 s").
 *
 * WarnLimiter is the pure counting part, driven by `tick()`; the
 * RateLimitedWarner wraps it around a pino logger and a timer.
 */
import type { Logger } from 'pino';

/** Distinct kinds remembered per interval; beyond this, further kinds share one overflow count. */
const MAX_KINDS = 1000;
const OVERFLOW_KEY = '(other warnings)';

interface Pending {
  suppressed: number;
  fields: Record<string, unknown>;
  message: string;
}

export interface Suppressed {
  key: string;
  suppressed: number;
  /** The last suppressed occurrence, as it would have been logged. */
  fields: Record<string, unknown>;
  message: string;
}

export class WarnLimiter {
  private readonly pending = new Map<string, Pending>();

  /** True: log this occurrence now. False: it was counted, and `tick()` will report it. */
  note(key: string, fields: Record<string, unknown> = {}, message = key): boolean {
    const entry = this.pending.get(key);
    if (entry) {
      entry.suppressed += 1;
      entry.fields = fields;
      entry.message = message;
      return false;
    }
    if (this.pending.size >= MAX_KINDS) {
      const overflow = this.pending.get(OVERFLOW_KEY);
      if (overflow) {
        overflow.suppressed += 1;
        overflow.fields = fields;
        overflow.message = message;
      } else {
        this.pending.set(OVERFLOW_KEY, { suppressed: 1, fields, message });
      }
      return false;
    }
    this.pending.set(key, { suppressed: 0, fields, message });
    return true;
  }

  /**
   * The interval is over: returns what was counted since the last tick. A
   * kind that was quiet for a whole interval is forgotten, so its next
   * occurrence is logged at once again.
   */
  tick(): Suppressed[] {
    const report: Suppressed[] = [];
    for (const [key, entry] of this.pending) {
      if (entry.suppressed === 0) {
        this.pending.delete(key);
        continue;
      }
      report.push({ key, suppressed: entry.suppressed, fields: entry.fields, message: entry.message });
      entry.suppressed = 0;
    }
    return report;
  }
}

export class RateLimitedWarner {
  private readonly limiter = new WarnLimiter();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    readonly intervalMs: number = 10_000,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  warn(key: string, fields: Record<string, unknown>, message: string): void {
    if (this.limiter.note(key, fields, message)) this.logger.warn(fields, message);
  }

  /** Logs the counts gathered so far (the timer calls it; so does close). */
  flush(): void {
    const seconds = Math.round(this.intervalMs / 100) / 10;
    for (const entry of this.limiter.tick()) {
      this.logger.warn({ ...entry.fields, suppressed: entry.suppressed, intervalSeconds: seconds }, `${entry.message} (repeated ${entry.suppressed} more times in the last ${seconds} s)`);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
