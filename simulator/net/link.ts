/**
 * A host's access link: one-way latency, uniform jitter on top, and an
 * independent loss chance each time traffic crosses it.
 */
import { nextFloat, type Rng } from '../../reference/shared/rng.ts';

export interface LinkProfile {
  latencyMs: number;
  jitterMs: number;
  /** Probability in [0, 1] that a crossing is lost. */
  lossRatio: number;
}

export const PERFECT_LINK: LinkProfile = { latencyMs: 0, jitterMs: 0, lossRatio: 0 };

/** One-way delay across the link, or -1 when this crossing is lost. */
export function crossLink(link: LinkProfile, rng: Rng): number {
  if (link.lossRatio > 0 && nextFloat(rng) < link.lossRatio) return -1;
  return link.jitterMs > 0 ? link.latencyMs + nextFloat(rng) * link.jitterMs : link.latencyMs;
}
