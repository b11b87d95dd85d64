/**
 * Token buckets per key (the relay keys them by source address): `burst`
 * requests at once, then `ratePerSecond` on average. Pure: time comes from
 * the Clock it is given, never from Date.now().
 */
import type { Clock } from '../../shared/clock.ts';
import { parseDurationMs } from '../../shared/duration.ts';

export interface RateLimit {
  /** Tokens added per second (may be fractional: 0.5 is one every 2 s). */
  ratePerSecond: number;
  /** Bucket size: how many requests may come at once after a quiet spell. */
  burst: number;
}

export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

/** How many keys are remembered before idle (full) buckets are forgotten and, past that, the oldest. */
export const DEFAULT_MAX_KEYS = 10_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly limit: RateLimit,
    private readonly clock: Clock,
    private readonly maxKeys: number = DEFAULT_MAX_KEYS,
  ) {
    if (!(limit.ratePerSecond > 0) || !Number.isFinite(limit.ratePerSecond)) throw new RangeError(`rate must be a positive number per second, got ${limit.ratePerSecond}`);
    if (!Number.isInteger(limit.burst) || limit.burst < 1) throw new RangeError(`burst must be a whole number >= 1, got ${limit.burst}`);
  }

  /** Takes one token for `key`, or says how many whole seconds until one is there (at least 1). */
  take(key: string): TakeResult {
    const now = this.clock.nowMs();
    const bucket = this.refilled(key, now);
    // Re-inserting keeps the Map in least-recently-used order for eviction.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    this.bound(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const seconds = Math.ceil((1 - bucket.tokens) / this.limit.ratePerSecond);
    return { allowed: false, retryAfterSeconds: Math.max(1, seconds) };
  }

  /** Keys currently remembered (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: string, now: number): Bucket {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.limit.burst, atMs: now };
    // A clock that steps back (a manual clock reset) refills nothing, and never drains.
    const elapsedMs = Math.max(0, now - bucket.atMs);
    return { tokens: Math.min(this.limit.burst, bucket.tokens + (elapsedMs / 1000) * this.limit.ratePerSecond), atMs: Math.max(now, bucket.atMs) };
  }

  private bound(now: number): void {
    if (this.buckets.size <= this.maxKeys) return;
    // First forget buckets that have refilled to full: they behave exactly like a new one.
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.atMs) / 1000) * this.limit.ratePerSecond >= this.limit.burst) this.buckets.delete(key);
    }
    // Still too many: drop the least recently used.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

/**
 * `10/s`, `600/min`, `2/h`, a bare number (per second), or `off`/`0`
 * (no limit: returns null). Throws RangeError with a one-line reason.
 */
export function parseRate(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'off' || trimmed === 'none' || trimmed === '0') return null;
  // N, or N/PER with PER in the one duration grammar (reference/shared/duration.ts); a bare unit is one of it.
  const match = /^([0-9]+(?:\.[0-9]+)?)(?:\/([0-9a-z.]+))?$/.exec(trimmed);
  const per = match?.[2] === undefined ? 's' : match[2];
  const perMs = parseDurationMs(/^[a-z]+$/.test(per) ? `1${per}` : per, { bareNumber: 'refused' });
  if (!match?.[1] || perMs === null) throw new RangeError(`expected a rate such as 10/s, 600/min, 5/10s or off, got ${JSON.stringify(text)}`);
  const perSecond = Number(match[1]) / (perMs / 1000);
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`expected a rate above zero such as 10/s, or off, got ${JSON.stringify(text)}`);
  return perSecond;
}
