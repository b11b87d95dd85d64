/**
 * `relaylab report --merge` for sweeps: tells sweep shards from the
 * conformance results the same flag merges (by `schema`), reads and
 * checks the shards, and writes what the unsharded sweep would have.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../cli/usage-error.ts';
import { mergeShards } from './merge-shards.ts';
import { parseShardFile, SHARD_SCHEMA, type ShardFile } from './shard-file.ts';
import { SWEEP_SCHEMA } from './sweep-results.ts';
import { defaultSweepOutDir, writeSweepOutputs, type WrittenSweep } from './write-outputs.ts';

/** True when the file is a sweep's (shard or whole); unreadable or other files are left to the conformance merge and its errors. */
export async function isSweepFile(path: string): Promise<boolean> {
  try {
    const schema = schemaOf(await readFile(path, 'utf8'));
    return schema === SHARD_SCHEMA || schema === SWEEP_SCHEMA;
  } catch {
    return false;
  }
}

export async function mergeSweepFiles(paths: readonly string[], outDir: string | undefined): Promise<WrittenSweep> {
  const shards = [];
  for (const path of paths) shards.push({ path, file: readShard(path, await readText(path)) });
  const merged = mergeShards(shards);
  return writeSweepOutputs(outDir ?? defaultSweepOutDir(merged.definition), merged.definition, merged.hash, merged.records);
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--merge: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** A whole sweep's results.json, or a conformance file among shards, gets a reason rather than a schema name. */
function readShard(path: string, text: string): ShardFile {
  const schema = schemaOf(text);
  if (schema === SWEEP_SCHEMA) throw new UsageError(`--merge: ${path} is a whole sweep's results.json, already merged; merge the shard-I-of-N.json files that relaylab sweep --shard I/N writes`);
  if (schema !== SHARD_SCHEMA) throw new UsageError(`--merge: ${path} is not a sweep shard (schema ${SHARD_SCHEMA}) but others are: merge sweep shards and conformance results separately`);
  return parseShardFile(path, text);
}

function schemaOf(text: string): unknown {
  try {
    return (JSON.parse(text) as { schema?: unknown } | null)?.schema;
  } catch {
    return undefined;
  }
}
