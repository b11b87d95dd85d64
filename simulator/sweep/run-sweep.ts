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
import { progressBar } from '../simulate-cli.ts';
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
}

export interface SweepOutcome {
  plan: SweepPlan;
  /** The files written. */
  written: string[];
  /** The whole sweep's results; null for a shard. */
  results: SweepResults | null;
}

export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const plan = await planSweep(options);
  const outDir = options.outDir ?? defaultSweepOutDir(plan.definition);
  await requireWritableDir(outDir, '--out');
  for (const line of headerLines(plan)) options.write(line);
  const records = await runSelected(plan, options);
  if (plan.shard !== null) {
    await mkdir(outDir, { recursive: true });
    const path = join(outDir, shardFileName(plan.shard));
    await writeFile(path, shardFileText({ schema: SHARD_SCHEMA, definition_hash: plan.hash, definition: plan.definition, shard: plan.shard, jobs_total: plan.jobs.length, runs: records }));
    options.write(`wrote ${path} (${records.length} runs); merge every shard with: relaylab report --merge ${join(outDir, 'shard-*.json')}`);
    return { plan, written: [path], results: null };
  }
  const written = await writeSweepOutputs(outDir, plan.definition, plan.hash, records);
  for (const line of pointLines(written.results)) options.write(line);
  const failed = records.find((r) => !r.passed);
  if (failed !== undefined) options.write(reproduceLine(written.results, failed));
  options.write(`wrote ${written.resultsPath} and ${written.reportPath}`);
  return { plan, written: [written.resultsPath, written.reportPath], results: written.results };
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
  return r.points.map((p) => `point ${p.index} ${settingsText(p.settings, '')}: ${p.passed ? 'pass' : `FAIL ${p.failed_assertions[0]}${p.failed_assertions.length > 1 ? ` (+${p.failed_assertions.length - 1} more)` : ''}`}`);
}

/** A one-point, one-seed sweep of that run's settings and seed is that run again (the seed rule gives point 0, replicate 0 the base seed). */
function reproduceLine(r: SweepResults, failed: RunRecord): string {
  const settings = r.points[failed.point]?.settings ?? {};
  return `reproduce a failing run: relaylab sweep ${r.file} ${settingsText(settings, '--set ')} --seed ${failed.seed} --seeds 1`;
}

function settingsText(settings: Record<string, string>, prefix: string): string {
  return Object.entries(settings).map(([k, v]) => `${prefix}${k}=${v}`).join(' ');
}
