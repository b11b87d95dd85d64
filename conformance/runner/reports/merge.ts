/** `relaylab report --merge`: several results.json → one report.html with the implementation × requirement matrix. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../../../cli/usage-error.ts';
import type { SuiteResult } from '../types.ts';
import { toReportHtml } from './html.ts';

export const RESULTS_SCHEMA_VERSION = 2;

export async function readResults(path: string): Promise<SuiteResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read results ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const result = parsed as Partial<SuiteResult> | null;
  const version = (result as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version < RESULTS_SCHEMA_VERSION && Array.isArray(result?.requirements)) {
    throw new UsageError(`${path} is a schemaVersion ${version} results.json from an older relaylab; rerun relaylab conformance --reports DIR with this version to write schemaVersion ${RESULTS_SCHEMA_VERSION}`);
  }
  const shaped = result !== null && typeof result === 'object' && version === RESULTS_SCHEMA_VERSION
    && [result.requirements, result.cases, result.rootCauses, result.unimplemented].every(Array.isArray)
    && typeof result.options === 'object' && result.options !== null && typeof result.summary === 'object' && result.summary !== null;
  if (!shaped) throw new UsageError(`${path} is not a results.json written by relaylab conformance (schemaVersion ${RESULTS_SCHEMA_VERSION})`);
  // Without a --label, name an implementation after its folder.
  return { ...(result as SuiteResult), label: result.label ?? basename(dirname(path)) };
}

export async function mergeReports(paths: string[], outDir: string): Promise<string> {
  if (paths.length === 0) throw new UsageError('--merge needs at least one results.json');
  const results = await Promise.all(paths.map(readResults));
  await mkdir(outDir, { recursive: true });
  const out = join(outDir, 'report.html');
  await writeFile(out, toReportHtml(results));
  return out;
}
