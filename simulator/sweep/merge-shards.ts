/**
 * Shards back into one sweep: every file from the same sweep (by hash),
 * one slicing (the same N), each slice exactly once, each holding exactly
 * its runs. Each refusal is one line naming the files.
 */
import { UsageError } from '../../cli/usage-error.ts';
import type { SweepDefinition } from './definition.ts';
import type { RunRecord } from './run-record.ts';
import { sweepJobs } from './grid.ts';
import { inShard, shardLabel } from './shard.ts';
import type { ShardFile } from './shard-file.ts';

export interface NamedShard {
  path: string;
  file: ShardFile;
}

export interface MergedSweep {
  definition: SweepDefinition;
  hash: string;
  records: RunRecord[];
}

export function mergeShards(shards: readonly NamedShard[]): MergedSweep {
  const first = shards[0];
  if (first === undefined) throw new UsageError('--merge: name the shard files to merge (shard-I-of-N.json from relaylab sweep --shard I/N)');
  for (const s of shards) checkSameSweep(first, s);
  checkEachSliceOnce(shards, first.file.shard.count);
  for (const s of shards) checkRuns(s);
  return { definition: first.file.definition, hash: first.file.definition_hash, records: shards.flatMap((s) => s.file.runs) };
}

function checkSameSweep(first: NamedShard, s: NamedShard): void {
  if (s.file.definition_hash !== first.file.definition_hash) {
    throw new UsageError(`--merge: ${s.path} is a shard of another sweep than ${first.path} (sweep ${s.file.definition_hash.slice(0, 12)} vs ${first.file.definition_hash.slice(0, 12)}: the scenario file, --set values, --seed or --seeds differ)`);
  }
  if (s.file.shard.count !== first.file.shard.count) {
    throw new UsageError(`--merge: ${s.path} is shard ${shardLabel(s.file.shard)} but ${first.path} is shard ${shardLabel(first.file.shard)}: merge the shards of one slicing (the same N)`);
  }
}

function checkEachSliceOnce(shards: readonly NamedShard[], count: number): void {
  const seen = new Map<number, string>();
  for (const s of shards) {
    const earlier = seen.get(s.file.shard.index);
    if (earlier !== undefined) throw new UsageError(`--merge: shard ${shardLabel(s.file.shard)} is given twice: ${earlier} and ${s.path}`);
    seen.set(s.file.shard.index, s.path);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new UsageError(`--merge: ${missing.length === 1 ? 'shard' : 'shards'} ${missing.map((i) => `${i}/${count}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (given: ${[...seen.keys()].sort((a, b) => a - b).map((i) => `${i}/${count}`).join(', ')})`);
}

/** A shard holds exactly the runs its slice names (job, point, replicate and seed by the seed rule), each once: anything else is a cut-short or edited file. */
function checkRuns(s: NamedShard): void {
  const { shard, definition } = s.file;
  const points = definition.parameters.reduce((n, p) => n * p.values.length, 1);
  const all = sweepJobs(points, definition.seeds_per_point, definition.seed);
  const expected = all.filter((j) => inShard(j, shard));
  const runs = s.file.runs;
  const matches = s.file.jobs_total === all.length && runs.length === expected.length
    && runs.every((r, i) => r.job === expected[i]?.index && r.point === expected[i]?.point && r.replicate === expected[i]?.replicate && r.seed === expected[i]?.seed);
  if (!matches) throw new UsageError(`--merge: ${s.path}: shard ${shardLabel(shard)} should hold ${expected.length} of the sweep's ${all.length} runs, but its ${runs.length} runs are not those (cut short or edited?)`);
}
