/**
 * Up to ten verbatim examples of each broken invariant, for results.json
 * and the console: a count says something went wrong, an example says
 * where to look (when, who, what the truth was). Examples keep the order
 * they happened in; results.json lists invariants in a fixed order, and
 * only those with an example.
 */
import { round3 } from './distribution.ts';

/** The counted events the protocol and the reference code promise never happen (the metrics of the same names). */
export const INVARIANTS = ['false_expiries', 'try_order_violations', 'wrong_host_accepted', 'visibility_violations', 'lifecycle_failures', 'friend_online_while_dead'] as const;
export type Invariant = (typeof INVARIANTS)[number];
export type InvariantExample = Record<string, string | number | boolean | null>;

export const MAX_EXAMPLES_PER_INVARIANT = 10;

export class InvariantExamples {
  private readonly byName = new Map<Invariant, InvariantExample[]>();

  /** Keeps `example` if fewer than ten of its kind are kept; times (`*_ms`) are rounded to 3 decimals. */
  add(name: Invariant, example: InvariantExample): void {
    const kept = this.byName.get(name) ?? [];
    if (kept.length >= MAX_EXAMPLES_PER_INVARIANT) return;
    kept.push(rounded(example));
    this.byName.set(name, kept);
  }

  of(name: Invariant): readonly InvariantExample[] {
    return this.byName.get(name) ?? [];
  }

  /** By invariant, in INVARIANTS order; an invariant nothing broke is left out. */
  toJSON(): Partial<Record<Invariant, InvariantExample[]>> {
    const out: Partial<Record<Invariant, InvariantExample[]>> = {};
    for (const name of INVARIANTS) {
      const kept = this.byName.get(name);
      if (kept !== undefined) out[name] = kept.map((e) => ({ ...e }));
    }
    return out;
  }
}

function rounded(example: InvariantExample): InvariantExample {
  const out: InvariantExample = {};
  for (const [key, value] of Object.entries(example)) out[key] = typeof value === 'number' && key.endsWith('_ms') ? round3(value) : value;
  return out;
}
