/**
 * `--shard I/N`: the I-th of N slices of a sweep's (point, seed) list,
 * 0-based so a Kubernetes Indexed Job can pass `$(JOB_COMPLETION_INDEX)`
 * as is. Round-robin by job index: neighbouring points often cost alike,
 * so dealing them out evens the shards' run times, and the slice depends
 * on nothing but I, N and the list.
 */
import { UsageError } from '../../cli/usage-error.ts';
import type { SweepJob } from './grid.ts';

export interface Shard {
  index: number;
  count: number;
}

const MAX_SHARDS = 1000;

export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (match === null) throw new UsageError(`--shard: expected I/N with 0 <= I < N, e.g. 0/3 (0-based, like JOB_COMPLETION_INDEX), got "${text}"`);
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  if (shard.count < 1 || shard.count > MAX_SHARDS) throw new UsageError(`--shard ${text}: N must be from 1 to ${MAX_SHARDS}`);
  if (shard.index >= shard.count) throw new UsageError(`--shard ${text}: I must be from 0 to ${shard.count - 1} (0-based, like JOB_COMPLETION_INDEX)`);
  return shard;
}

export function inShard(job: Pick<SweepJob, 'index'>, shard: Shard): boolean {
  return job.index % shard.count === shard.index;
}

export function shardLabel(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
