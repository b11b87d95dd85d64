/**
 * `--compare-extensions goodbye,observed-address`: for each named relay
 * extension, the first seed runs once more with that extension toggled
 * (added where the scenario does not offer it, taken away where it does),
 * so each is compared on and off with everything else the scenario's.
 */
import { UserInputError } from '../reference/shared/user-input-error.ts';
import { compareExtension, type ExtensionComparison, type ExtensionSide } from './report/extension-comparison.ts';
import type { Results } from './report/results.ts';
import type { StrategySide } from './report/strategy-comparison.ts';
import { SIM_EXTENSIONS, type Scenario, type SimExtension } from './scenario/scenario.ts';

/** "goodbye,observed-address" -> the names, each once; anything else is one line for the user (exit 2). */
export function parseExtensionNames(text: string): SimExtension[] {
  const names = text.split(',').map((n) => n.trim()).filter((n) => n !== '');
  if (names.length === 0) throw new UserInputError(`--compare-extensions: name at least one extension (known: ${SIM_EXTENSIONS.join(', ')})`);
  for (const name of names) {
    if (name === 'renew') throw new UserInputError('--compare-extensions: renew is not simulated (simulated certificates never expire, so no peer renews); known: goodbye, observed-address');
    if (!(SIM_EXTENSIONS as readonly string[]).includes(name)) throw new UserInputError(`--compare-extensions: unknown extension "${name}" (known: ${SIM_EXTENSIONS.join(', ')})`);
  }
  return SIM_EXTENSIONS.filter((e) => names.includes(e));
}

/** The scenario's own extensions with `extension` added or taken away, in SIM_EXTENSIONS order (as the loader keeps them). */
function toggled(scenario: Scenario, extension: SimExtension, on: boolean): Scenario {
  const set = new Set(scenario.relayExtensions);
  if (on) set.add(extension);
  else set.delete(extension);
  return { ...scenario, relayExtensions: SIM_EXTENSIONS.filter((e) => set.has(e)) };
}

/** `first` is the scenario's own run on its first seed; `run` runs one more (same seed). */
export async function compareExtensions(scenario: Scenario, names: readonly SimExtension[], first: Results, run: (variant: Scenario, label: string) => Promise<Results>): Promise<ExtensionComparison[]> {
  const out: ExtensionComparison[] = [];
  for (const extension of names) {
    const offered = scenario.relayExtensions.includes(extension);
    const other = await run(toggled(scenario, extension, !offered), `${extension} ${offered ? 'off' : 'on'}`);
    out.push(offered ? compareExtension(extension, other, first) : compareExtension(extension, first, other));
  }
  return out;
}

/** What the console shows: per extension, its headline differences, then each pair with tries. */
export function extensionComparisonLines(rows: readonly ExtensionComparison[]): string[] {
  return rows.flatMap((c) => [
    `extension ${c.extension} (seed ${c.seed}), without -> with:`,
    `  listed after a graceful leave ${listedText(c, 'listed_after_leave_ms')}; after a crash ${listedText(c, 'listed_after_crash_ms')}`,
    `  stale lookups ${pct(c.without.stale_lookup_ratio)} -> ${pct(c.with.stale_lookup_ratio)}; connects to departed peers ${c.without.connects_to_dead_peers} -> ${c.with.connects_to_dead_peers}`,
    `  connect success ${pct(c.without.connect_success_ratio)} -> ${pct(c.with.connect_success_ratio)}; relay requests ${c.without.relay_requests_per_second}/s -> ${c.with.relay_requests_per_second}/s (${c.without.relay_requests} -> ${c.with.relay_requests})`,
    ...pairLines(c),
  ]);
}

/** Pairs whose connect success the extension changed, then how many it left as they were. */
function pairLines(c: ExtensionComparison): string[] {
  const tried = c.pairs.filter((p) => p.without.tries + p.with.tries > 0);
  const changed = tried.filter((p) => p.without.success_ratio !== p.with.success_ratio);
  const lines = changed.map((p) => `  ${p.caller} -> ${p.callee}: ${sideText(p.without)} -> ${sideText(p.with)}`);
  const same = tried.length - changed.length;
  if (same > 0) lines.push(`  connect success unchanged in ${changed.length === 0 ? 'all' : 'the other'} ${same} pairs with tries`);
  return lines;
}

function listedText(c: ExtensionComparison, key: 'listed_after_leave_ms' | 'listed_after_crash_ms'): string {
  const at = (side: ExtensionSide): string => (side[key].mean_ms === null ? 'none' : `mean ${duration(side[key].mean_ms)}`);
  return `${at(c.without)} -> ${at(c.with)} (${c.with[key].count} peers)`;
}

/** Milliseconds where a goodbye brings it to a round trip or so, seconds where the TTL decides. */
function duration(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function sideText(side: StrategySide): string {
  return `${pct(side.success_ratio)} ${side.time_to_connect_p95_ms === null ? `(${side.note ?? 'no successes'})` : `p95 ${side.time_to_connect_p95_ms} ms`}`;
}

function pct(ratio: number | null): string {
  return ratio === null ? 'n/a' : `${(ratio * 100).toFixed(1)}%`;
}
