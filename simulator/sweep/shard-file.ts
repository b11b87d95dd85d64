/**
 * A shard's partial results: the sweep's definition and hash, which
 * slice it is, and the records of the runs in that slice. Read back with
 * every field checked, so a truncated or hand-edited file is one readable
 * line at merge time, not a wrong report.
 */
import { UsageError } from '../../cli/usage-error.ts';
import { definitionHash, type SweepDefinition } from './definition.ts';
import type { RunRecord } from './run-record.ts';
import type { Shard } from './shard.ts';

export const SHARD_SCHEMA = 'relaylab.simulator.sweep-shard/1';

export interface ShardFile {
  schema: string;
  definition_hash: string;
  definition: SweepDefinition;
  shard: Shard;
  /** Runs in the whole sweep (points × seeds), so a merge can tell what is missing. */
  jobs_total: number;
  runs: RunRecord[];
}

export function shardFileName(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}.json`;
}

export function shardFileText(file: ShardFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

export function parseShardFile(path: string, text: string): ShardFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${path}: not JSON (a shard file is the shard-I-of-N.json that relaylab sweep --shard I/N writes)`);
  }
  const f = parsed as Partial<ShardFile> | null;
  if (f === null || typeof f !== 'object' || f.schema !== SHARD_SCHEMA) throw new UsageError(`${path}: not a sweep shard (schema ${SHARD_SCHEMA}); got schema ${JSON.stringify((f as { schema?: unknown } | null)?.schema ?? null)}`);
  const shaped = typeof f.definition_hash === 'string' && isDefinition(f.definition) && isShard(f.shard) && Number.isInteger(f.jobs_total) && Array.isArray(f.runs) && f.runs.every(isRecord);
  if (!shaped) throw new UsageError(`${path}: a sweep shard with missing or malformed fields (truncated or edited?)`);
  if (definitionHash(f.definition as SweepDefinition) !== f.definition_hash) throw new UsageError(`${path}: its sweep definition does not match its definition_hash (edited?)`);
  return f as ShardFile;
}

function isDefinition(d: unknown): boolean {
  const x = d as Partial<SweepDefinition> | null;
  return x !== null && typeof x === 'object' && typeof x.file === 'string' && typeof x.scenario === 'string' && typeof x.scenario_sha256 === 'string'
    && Number.isInteger(x.seed) && Number.isInteger(x.seeds_per_point) && Array.isArray(x.parameters)
    && x.parameters.every((p) => typeof p?.name === 'string' && Array.isArray(p.values) && p.values.every((v) => typeof v === 'string'));
}

function isShard(s: unknown): boolean {
  const x = s as Partial<Shard> | null;
  return x !== null && typeof x === 'object' && Number.isInteger(x.index) && Number.isInteger(x.count) && (x.index as number) >= 0 && (x.index as number) < (x.count as number);
}

function isRecord(r: unknown): boolean {
  const x = r as Partial<RunRecord> | null;
  return x !== null && typeof x === 'object' && [x.job, x.point, x.replicate, x.seed].every(Number.isInteger) && typeof x.passed === 'boolean'
    && typeof x.values === 'object' && x.values !== null && typeof x.notes === 'object' && Array.isArray(x.failed_assertions) && Array.isArray(x.hypotheses);
}
