/**
 * What `relaylab simulate` does, kept out of the command module so tests
 * can call it: load and validate the scenario, log seed and options, run
 * one or more seeds, write results.json and report.html, print a summary,
 * and say how to reproduce a failure.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { requireWritableDir } from '../cli/writable-dir.ts';
import { join } from 'node:path';
import { applyOverrides, runScenario, type ScenarioOverrides } from './run-scenario.ts';
import { renderReport } from './report/html-report.ts';
import { unjudged, type AssertionResult, type Results } from './report/results.ts';
import { parseScenario } from './scenario/load-scenario.ts';
import type { Scenario } from './scenario/scenario.ts';
import { formatDuration } from './scenario/units.ts';
import { summariseSeeds, type MultiSeedSummary } from './report/multi-seed.ts';
import { compareStrategies, type StrategySide } from './report/strategy-comparison.ts';
import { heapAdvice } from './heap-advice.ts';
import { hypothesesOf } from './report/model-options.ts';
import { getHeapStatistics } from 'node:v8';
import { compareExtensions, extensionComparisonLines } from './compare-extensions.ts';
import type { SimExtension } from './scenario/scenario.ts';
import type { SeedRun, SeedsControl } from './workers/run-seeds.ts';
import { roughDuration } from '../cli/progress/progress-math.ts';
import { partialMark, withPartial, type PartialMark } from '../reference/shared/partial-mark.ts';

/** What shows a run's progress (cli/progress/progress-writer.ts on the command line). */
export type TrackProgress = (label: string, totalVirtualMs: number) => { update(u: { done: number; events?: number }): void; stop(): void };

export interface SimulateOptions extends ScenarioOverrides {
  file: string;
  outDir?: string;
  seeds?: number;
  /** Also run the first seed with the other try-order strategy and compare them per pair. */
  compareStrategies?: boolean;
  /** Also run the first seed with each of these relay extensions toggled, and compare (see compare-extensions.ts). */
  compareExtensions?: readonly SimExtension[];
  /** Where progress and the summary go. */
  write: (line: string) => void;
  /** Redraws one status line (a TTY progress bar), or nothing. */
  progress?: (text: string) => void;
  runSeeds?: (scenario: Scenario, seeds: number[], onProgress?: (fraction: number) => void) => Promise<Results[]>;
  /**
   * Runs seeds off the main thread so Ctrl-C is heard (workers/run-seeds.ts
   * runSeedsStoppable); when given, every run of this command goes through it.
   */
  runSeedsStoppable?: (scenario: Scenario, seeds: number[], control: SeedsControl) => Promise<SeedRun[]>;
  /** Aborted (Ctrl-C): runs stop where they are, and what they measured is written marked partial. */
  signal?: AbortSignal;
  /** Elapsed, ETA, virtual time and events/s of each run. */
  track?: TrackProgress;
  /** Wall time in milliseconds (the summary's last line). */
  now?: () => number;
}

export interface SimulateOutcome {
  results: Results[];
  failed: string[];
  outDir: string;
  reproduce: string;
  /** Set when Ctrl-C stopped the run: what results.json carries as `partial`. */
  partial: PartialMark | null;
}

export async function loadScenarioFile(file: string): Promise<Scenario> {
  return parseScenario(file, await readFile(file, 'utf8'));
}

export async function simulate(options: SimulateOptions): Promise<SimulateOutcome> {
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  const scenario = applyOverrides(await loadScenarioFile(options.file), options);
  const outDir = options.outDir ?? join('reports', scenario.name);
  // Before the run: hours of simulation must not end in a folder it cannot write.
  await requireWritableDir(outDir, '--out');
  const seedCount = options.seeds ?? 1;
  const seeds = Array.from({ length: seedCount }, (_, i) => (scenario.seed + i) >>> 0);
  options.write(`simulate ${scenario.file}: seed ${scenario.seed}${seedCount > 1 ? ` (+${seedCount - 1} more)` : ''}, ${scenario.peers} peers, ${formatDuration(scenario.durationMs)}, strategy ${scenario.strategy}, unreachable ${scenario.unreachable}, relay store ${scenario.relayStore}, relay traffic from ${scenario.relayTrafficFrom}`);
  for (const hypothesis of hypothesesOf(scenario)) options.write(`HYPOTHESIS: ${hypothesis}`);
  const advice = heapAdvice(scenario, getHeapStatistics().heap_size_limit);
  if (advice !== null) options.write(advice);
  const stopNotes: string[] = [];
  const run = runner(options, stopNotes);
  const results = options.runSeedsStoppable ? await run(scenario, seeds, 'simulate') : options.runSeeds && seedCount > 1 ? await runOnWorkers(options.runSeeds, scenario, seeds, options) : await runSequentially(scenario, seeds, options);
  if (results.length === 0) {
    options.write('interrupted before any run started: nothing to write');
    return { results, failed: [], outDir, reproduce: '', partial: partialMark('interrupted before any run started; nothing written') };
  }
  if (options.compareStrategies && !options.signal?.aborted) {
    const other = scenario.strategy === 'sequential' ? 'race' : 'sequential';
    options.write(`comparing with strategy ${other} on seed ${scenario.seed}`);
    const [otherResults] = await run({ ...scenario, strategy: other }, [scenario.seed], `compare ${other}`);
    const first = results[0] as Results;
    // A comparison stopped half-way compares unlike spans: left out, and the note says so.
    if (otherResults !== undefined && !options.signal?.aborted) {
      const [sequential, race] = other === 'race' ? [first, otherResults] : [otherResults, first];
      first.strategy_comparison = compareStrategies(sequential, race);
    } else stopNotes.push(`comparison with strategy ${other} not finished`);
  }
  if (options.compareExtensions && options.compareExtensions.length > 0 && !options.signal?.aborted) {
    const comparison = await compareExtensions(scenario, options.compareExtensions, results[0] as Results, async (variant, label) => {
      options.write(`comparing on seed ${scenario.seed}: relay extension ${label}`);
      return ((await run(variant, [scenario.seed], `compare ${label}`))[0] ?? (results[0] as Results));
    });
    if (!options.signal?.aborted) (results[0] as Results).extension_comparison = comparison;
    else stopNotes.push('relay extension comparison not finished');
  }
  const partial = options.signal?.aborted || stopNotes.length > 0 ? partialMark(`${stopNotes.join('; ') || 'stopped after the runs ended'}; assertions not judged (they hold or fail over a whole run)`) : null;
  // Stopped early, the numbers cover only what ran: no assertion is judged, nothing is called FAIL and no reproduce line is printed.
  if (partial) results.splice(0, results.length, ...results.map(unjudged));
  await mkdir(outDir, { recursive: true });
  const first = results[0] as Results;
  const multi: MultiSeedSummary | null = results.length > 1 ? summariseSeeds(results) : null;
  const written = results.length === 1 ? first : { ...multi, runs: results };
  await writeFile(join(outDir, 'results.json'), `${JSON.stringify(partial ? withPartial(written, partial) : written, null, 2)}\n`);
  // The report draws its banner from the same mark (simulator/report/html-report.ts).
  await writeFile(join(outDir, 'report.html'), renderReport(first, multi, partial ? { partial } : {}));
  if (partial) options.write(`PARTIAL (stopped by ${partial.signal}): ${partial.note}`);
  for (const line of summaryLines(first, multi)) options.write(line);
  const failed = results.flatMap((r) => r.assertions.filter((a) => a.passed === false).map((a) => `seed ${r.seed}: ${a.assertion} (${a.note ?? `was ${a.value}`})`));
  const failingSeed = results.find((r) => r.passed === false)?.seed ?? scenario.seed;
  const reproduce = `relaylab simulate ${options.file} --seed ${failingSeed} --peers ${scenario.peers} --duration ${formatDuration(scenario.durationMs)} --strategy ${scenario.strategy}${options.compareStrategies ? ' --compare-strategies' : ''}${options.compareExtensions?.length ? ` --compare-extensions ${options.compareExtensions.join(',')}` : ''}`;
  if (first.strategy_comparison) for (const line of comparisonLines(first)) options.write(line);
  if (first.extension_comparison) for (const line of extensionComparisonLines(first.extension_comparison)) options.write(line);
  options.write(`wrote ${join(outDir, 'results.json')} and ${join(outDir, 'report.html')}`);
  for (const r of results) for (const line of failureLines(scenario, r)) options.write(line);
  if (failed.length > 0) options.write(`reproduce: ${reproduce}`);
  options.write(`wall time ${roughDuration(now() - startedAt)}`);
  return { results, failed, outDir, reproduce, partial };
}


/**
 * Runs seeds through runSeedsStoppable (else runSequentially) with a progress line per call;
 * each stopped or unstarted seed adds a phrase to `notes` (the partial
 * note, e.g. "seed 1: virtual 3h12m of 1d; seeds 2, 3 not started").
 */
function runner(options: SimulateOptions, notes: string[]): (scenario: Scenario, seeds: number[], label: string) => Promise<Results[]> {
  return async (scenario, seeds, label) => {
    const stoppable = options.runSeedsStoppable;
    // A library caller without workers: in this thread, as before (Ctrl-C is not heard there).
    if (stoppable === undefined) return runSequentially(scenario, seeds, options);
    const shown = options.track?.(label, scenario.durationMs * seeds.length);
    const runs = await stoppable(scenario, seeds, {
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (p) => {
        shown?.update({ done: p.virtualMs, events: p.events });
        options.progress?.(progressBar(p.fraction, seeds.length > 1 ? `${seeds.length} seeds` : `seed ${seeds[0]}`));
      },
    });
    shown?.stop();
    options.progress?.('');
    const stopped = runs.filter((r) => r.stoppedAtMs !== null);
    const where = label === 'simulate' ? '' : `${label}: `;
    if (options.signal?.aborted && seeds.length > 1) notes.push(`${where}${runs.length - stopped.length} of ${seeds.length} seeds finished`);
    for (const r of stopped) notes.push(`${where}seed ${r.seed} stopped at virtual ${roughDuration(r.stoppedAtMs as number)} of ${roughDuration(scenario.durationMs)}`);
    const unstarted = seeds.filter((s) => !runs.some((r) => r.seed === s));
    if (unstarted.length > 0) notes.push(`${where}${unstarted.length} of ${seeds.length} seeds not started (${unstarted.join(', ')})`);
    if (stopped.length === 0 && unstarted.length === 0 && options.signal?.aborted && seeds.length === 1) notes.push(`${where}seed ${seeds[0]} finished`);
    return runs.map((r) => r.results);
  };
}

/** How many of an invariant's examples the console shows under its failed assertion (results.json keeps up to ten). */
const EXAMPLES_SHOWN = 3;

/** Each failed assertion of one seed, then the first examples of the invariant it names, if that invariant was broken. */
function failureLines(scenario: Scenario, r: Results): string[] {
  const lines: string[] = [];
  r.assertions.forEach((a, i) => {
    if (a.passed !== false) return;
    lines.push(`assertion failed: seed ${r.seed}: ${a.assertion} (${a.note ?? `was ${a.value}`})`);
    const examples = r.invariant_examples[scenario.assertions[i]?.metric ?? ''] ?? [];
    for (const example of examples.slice(0, EXAMPLES_SHOWN)) lines.push(`  e.g. ${JSON.stringify(example)}`);
    if (examples.length > EXAMPLES_SHOWN) lines.push(`  (${examples.length - EXAMPLES_SHOWN} more in results.json invariant_examples)`);
  });
  return lines;
}

async function runOnWorkers(runSeeds: NonNullable<SimulateOptions['runSeeds']>, scenario: Scenario, seeds: number[], options: SimulateOptions): Promise<Results[]> {
  const results = await runSeeds(scenario, seeds, (fraction) => options.progress?.(progressBar(fraction, `${seeds.length} seeds`)));
  options.progress?.('');
  return results;
}

async function runSequentially(scenario: Scenario, seeds: number[], options: SimulateOptions): Promise<Results[]> {
  const out: Results[] = [];
  for (const seed of seeds) {
    out.push(
      await runScenario({ ...scenario, seed }, (elapsedMs) => options.progress?.(progressBar(elapsedMs / scenario.durationMs, `seed ${seed}`))),
    );
    options.progress?.('');
  }
  return out;
}

export function progressBar(fraction: number, label: string): string {
  const width = 30;
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% ${label}`;
}

function summaryLines(r: Results, multi: MultiSeedSummary | null): string[] {
  const d = r.distributions;
  const connect = d.time_to_connect_ms;
  const lines = [
    `events ${r.events_processed}, lookups ${r.metrics.lookups}, connects ${r.metrics.connects} (success ${pct(r.metrics.connect_success_ratio ?? null)})`,
    `time to connect ${connect?.count ? `p50 ${connect.p50} ms, p95 ${connect.p95} ms` : 'none (no connect succeeded)'}; lookup latency p95 ${ms(d.lookup_latency_ms?.p95 ?? null)}`,
    `false expiries ${r.metrics.false_expiries}, stale lookups ${r.metrics.stale_lookups} (${pct(r.metrics.stale_lookup_ratio ?? null)}), re-ready recoveries ${r.metrics.re_ready_recoveries}, try-order violations ${r.metrics.try_order_violations}, wrong hosts caught ${r.metrics.wrong_host_caught}`,
    listingLine(r),
  ];
  if (multi !== null) {
    const shown = new Set(['connect_success_ratio', 'false_expiries', 'stale_lookup_ratio', 'p95(time_to_connect_ms)', ...r.assertions.map((a) => a.assertion.split(/\s*[<>=!]/)[0] ?? '')]);
    for (const m of multi.metrics) if (shown.has(m.metric)) lines.push(`over ${multi.seeds.length} seeds: ${m.metric} = ${m.mean === null ? 'none' : m.ci95 === null ? `${m.mean} (one value: no interval)` : `${m.mean} ± ${m.ci95} (95% CI)`}${m.note ? ` [${m.note}]` : ''}`);
  }
  for (const a of r.assertions) lines.push(`${a.passed === null ? 'not judged' : a.passed ? 'pass' : 'FAIL'}  ${a.assertion}  (${assertionValueText(a)})`);
  return lines;
}

/** What the relay's own state says, looked up or not: how long departed peers stayed listed, and live peers' gaps. */
function listingLine(r: Results): string {
  const d = r.distributions;
  const after = d.listed_after_departure_ms;
  const gaps = d.expiry_gap_ms;
  const split = ([['graceful leaves', d.listed_after_leave_ms], ['crashes', d.listed_after_crash_ms]] as const).map(([how, x]) => `${how} ${x?.count ?? 0}, mean ${seconds(x?.mean ?? null)}`).join('; ');
  const listed = after?.count ? `mean ${seconds(after.mean)}, p50 ${seconds(after.p50)}, p95 ${seconds(after.p95)} (${after.count} departed peers: ${split})` : 'none (no listed peer departed)';
  const gapText = gaps?.count ? `${gaps.count} (longest ${seconds(gaps.max)})` : '0';
  return `listed after departure: ${listed}; expiry gaps ${gapText}, ${r.metrics.false_expiries} lookups fell into one (false expiries)`;
}

function seconds(valueMs: number | null): string {
  return valueMs === null ? 'none' : `${(valueMs / 1000).toFixed(1)} s`;
}

function comparisonLines(r: Results): string[] {
  const rows = (r.strategy_comparison ?? []).filter((row) => row.sequential.tries > 0 || row.race.tries > 0);
  return rows.map((row) => `${row.caller} -> ${row.callee}: sequential ${sideText(row.sequential)} | race ${sideText(row.race)}`);
}

/** A side with no successes has no time to connect: say so rather than print "p95 0 ms". */
function sideText(side: StrategySide): string {
  return `${pct(side.success_ratio)} ${side.time_to_connect_p95_ms === null ? `(${side.note ?? 'no successes'})` : `p95 ${side.time_to_connect_p95_ms} ms`}`;
}

function ms(value: number | null): string {
  return value === null ? 'none' : `${value} ms`;
}

/** The measured value, or the reason there was nothing to measure. */
function assertionValueText(a: AssertionResult): string {
  return a.note ?? String(a.value);
}

function pct(ratio: number | null): string {
  return ratio === null ? 'n/a' : `${(ratio * 100).toFixed(1)}%`;
}
