/**
 * What `relaylab sweep` does, kept out of the command module so tests can
 * call it: plan (every check up front), run this invocation's jobs, and
 * write either the whole sweep's results.json and report.html or, with a
 * shard, that slice's shard-I-of-N.json. A sweep explores: a point whose
 * assertions fail is reported (console, results.json, report), not a
 * failed command, so one bad corner does not stop a CI matrix's merge.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { requireWritableDir } from '../../cli/writable-dir.ts';
import { join } from 'node:path';
import type { Results } from '../report/results.ts';
import { formatDuration } from '../scenario/units.ts';
import { progressBar, type TrackProgress } from '../simulate-cli.ts';
import { withPartial } from '../../reference/shared/partial-mark.ts';
import type { SeedRun, SeedsControl } from '../workers/run-seeds.ts';
import type { Scenario } from '../scenario/scenario.ts';
import { roughDuration } from '../../cli/progress/progress-math.ts';
import { partialMark, type PartialMark } from '../../reference/shared/partial-mark.ts';
import { planSweep, type SweepPlan, type SweepRequest } from './plan-sweep.ts';
import { recordOf, type RunRecord } from './run-record.ts';
import type { RunJobs } from './run-jobs.ts';
import { shardLabel } from './shard.ts';
import { shardFileName, shardFileText, SHARD_SCHEMA } from './shard-file.ts';
import type { SweepResults } from './sweep-results.ts';
import { defaultSweepOutDir, writeSweepOutputs } from './write-outputs.ts';

export interface SweepOptions extends SweepRequest {
  outDir?: string;
  write: (line: string) => void;
  progress?: (text: string) => void;
  runJobs: RunJobs;
  /** Runs the jobs so that Ctrl-C is heard (workers/run-seeds.ts runJobsStoppable); when given, used instead of runJobs. */
  runJobsStoppable?: (jobs: ReadonlyArray<{ scenario: Scenario; seed: number }>, control: SeedsControl) => Promise<Array<SeedRun | undefined>>;
  /** Aborted (Ctrl-C): runs stop, finished runs are written marked partial (a stopped run is left out: half a run is not a sample). */
  signal?: AbortSignal;
  track?: TrackProgress;
  now?: () => number;
}

export interface SweepOutcome {
  plan: SweepPlan;
  /** The files written. */
  written: string[];
  /** The whole sweep's results; null for a shard. */
  results: SweepResults | null;
  /** Set when Ctrl-C stopped the sweep: what its results.json carries as `partial`. */
  partial: PartialMark | null;
}

export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  const plan = await planSweep(options);
  const outDir = options.outDir ?? defaultSweepOutDir(plan.definition);
  await requireWritableDir(outDir, '--out');
  for (const line of headerLines(plan)) options.write(line);
  const { records, partial } = options.runJobsStoppable ? await runStoppable(plan, options) : { records: await runSelected(plan, options), partial: null };
  const wallTime = (): void => options.write(`wall time ${roughDuration(now() - startedAt)}`);
  if (partial) options.write(`PARTIAL (stopped by ${partial.signal}): ${partial.note}`);
  if (plan.shard !== null) {
    await mkdir(outDir, { recursive: true });
    const path = join(outDir, shardFileName(plan.shard));
    const text = shardFileText({ schema: SHARD_SCHEMA, definition_hash: plan.hash, definition: plan.definition, shard: plan.shard, jobs_total: plan.jobs.length, runs: records });
    await writeFile(path, partial ? `${JSON.stringify(withPartial(JSON.parse(text) as object, partial), null, 2)}\n` : text);
    options.write(`wrote ${path} (${records.length} runs); merge every shard with: relaylab report --merge ${join(outDir, 'shard-*.json')}`);
    wallTime();
    return { plan, written: [path], results: null, partial };
  }
  const written = await writeSweepOutputs(outDir, plan.definition, plan.hash, records, partial);
  for (const line of pointLines(written.results)) options.write(line);
  const failed = records.find((r) => !r.passed);
  if (failed !== undefined) options.write(reproduceLine(written.results, failed));
  options.write(`wrote ${written.resultsPath} and ${written.reportPath}`);
  wallTime();
  return { plan, written: [written.resultsPath, written.reportPath], results: written.results, partial };
}

/** The selected jobs through runJobsStoppable: records of the runs that finished, and the partial note if Ctrl-C came. */
async function runStoppable(plan: SweepPlan, options: SweepOptions): Promise<{ records: RunRecord[]; partial: PartialMark | null }> {
  const jobs = plan.selected.map((j) => ({ scenario: plan.scenarios[j.point] as Scenario, seed: j.seed }));
  const totalMs = jobs.reduce((sum, j) => sum + j.scenario.durationMs, 0);
  const shown = options.track?.('sweep', totalMs);
  const label = `${jobs.length} runs`;
  const runs = await (options.runJobsStoppable as NonNullable<SweepOptions['runJobsStoppable']>)(jobs, {
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (p) => {
      shown?.update({ done: p.virtualMs, events: p.events });
      options.progress?.(progressBar(p.fraction, label));
    },
  });
  shown?.stop();
  options.progress?.('');
  const records = runs.flatMap((r, i) => (r !== undefined && r.stoppedAtMs === null ? [recordOf(plan.selected[i] as SweepPlan['jobs'][number], r.results)] : []));
  if (!options.signal?.aborted) return { records, partial: null };
  const stopped = runs.filter((r) => r !== undefined && r.stoppedAtMs !== null).length;
  const unstarted = runs.filter((r) => r === undefined).length;
  return { records, partial: partialMark(`${records.length} of ${jobs.length} runs finished; ${stopped} stopped mid-run and left out; ${unstarted} not started`) };
}

async function runSelected(plan: SweepPlan, options: SweepOptions): Promise<RunRecord[]> {
  const jobs = plan.selected.map((j) => ({ scenario: plan.scenarios[j.point] as SweepPlan['scenarios'][number], seed: j.seed }));
  const label = `${jobs.length} runs`;
  const records = await options.runJobs(jobs, (i, r: Results) => recordOf(plan.selected[i] as SweepPlan['jobs'][number], r), (f) => options.progress?.(progressBar(f, label)));
  options.progress?.('');
  return records;
}

function headerLines(plan: SweepPlan): string[] {
  const d = plan.definition;
  const s = plan.scenarios[0];
  const shape = d.parameters.map((p) => `${p.name}=${p.values.join(',')}`).join(' ');
  // Size and length as every point has them, unless they are what is swept.
  const size = s && !d.parameters.some((p) => p.name === 'peers' || p.name === 'duration') ? `, ${s.peers} peers, ${formatDuration(s.durationMs)}` : '';
  const lines = [`sweep ${d.file}: ${plan.points.length} points × ${d.seeds_per_point} seeds = ${plan.jobs.length} runs (${shape}), base seed ${d.seed}${size}`];
  if (plan.shard !== null) lines.push(`shard ${shardLabel(plan.shard)}: ${plan.selected.length} of the ${plan.jobs.length} runs`);
  return lines;
}

function pointLines(r: SweepResults): string[] {
  return r.points.map((p) => `point ${p.index} ${settingsText(p.settings, '')}: ${p.seeds.length === 0 ? 'no run finished (interrupted)' : p.passed ? 'pass' : `FAIL ${p.failed_assertions[0]}${p.failed_assertions.length > 1 ? ` (+${p.failed_assertions.length - 1} more)` : ''}`}`);
}

/** A one-point, one-seed sweep of that run's settings and seed is that run again (the seed rule gives point 0, replicate 0 the base seed). */
function reproduceLine(r: SweepResults, failed: RunRecord): string {
  const settings = r.points[failed.point]?.settings ?? {};
  return `reproduce a failing run: relaylab sweep ${r.file} ${settingsText(settings, '--set ')} --seed ${failed.seed} --seeds 1`;
}

function settingsText(settings: Record<string, string>, prefix: string): string {
  return Object.entries(settings).map(([k, v]) => `${prefix}${k}=${v}`).join(' ');
}
