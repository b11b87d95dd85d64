/**
 * `relaylab report --merge A/results.json B/results.json`: one report.html
 * with the implementation × requirement matrix, each cell a link into the
 * run's own report.html (the one `--reports` wrote next to its
 * results.json). When that file is missing, or was written by another
 * version and lacks an anchor a cell needs, the run's report.html is
 * written from its results.json under OUT/runs/ instead, so no link dangles.
 * Bad input (a missing file, not a results.json, another schema version,
 * two runs with one name) is a UsageError: one line, exit 2.
 */
import { resultsProblem } from './results-schema-check.ts';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../../../cli/usage-error.ts';
import type { SuiteResult } from '../types.ts';
import { toReportHtml } from './html.ts';
import { type MergedColumn, toMergedHtml, wantedAnchors } from './merged-html.ts';

export const RESULTS_SCHEMA_VERSION = 2;

const READ_ERRORS: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'is a folder, not a results.json', EACCES: 'permission denied' };

export async function readResults(path: string): Promise<SuiteResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new UsageError(`cannot read results ${path}: ${READ_ERRORS[code] ?? (code || (error as Error).message)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not a results.json written by relaylab conformance: not JSON`);
  }
  const result = parsed as Partial<SuiteResult> | null;
  const version = (result as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version !== RESULTS_SCHEMA_VERSION && Array.isArray(result?.requirements)) {
    const which = version < RESULTS_SCHEMA_VERSION ? 'an older' : 'a newer';
    throw new UsageError(`${path} is a schemaVersion ${version} results.json from ${which} relaylab; this one reads schemaVersion ${RESULTS_SCHEMA_VERSION}: rerun relaylab conformance --reports DIR with the same version to merge them`);
  }
  const shaped = result !== null && typeof result === 'object' && version === RESULTS_SCHEMA_VERSION
    && [result.requirements, result.cases, result.rootCauses, result.unimplemented].every(Array.isArray)
    && typeof result.options === 'object' && result.options !== null && typeof result.summary === 'object' && result.summary !== null
    && typeof result.target?.url === 'string';
  if (!shaped) throw new UsageError(`${path} is not a results.json written by relaylab conformance (schemaVersion ${RESULTS_SCHEMA_VERSION})`);
  // Then every field: a hand-edited or foreign file must not crash the merge or put markup into it.
  const problem = resultsProblem(result);
  if (problem !== null) throw new UsageError(`${path} does not match schemas/conformance-results.schema.json: ${problem}`);
  return result as SuiteResult;
}

/** A run's column name: its --label, else its target URL. */
export function columnName(result: SuiteResult): string {
  return result.label ?? result.target.url;
}

export interface MergeWritten {
  /** The merged report.html. */
  path: string;
  /** Per-run report.html files written under OUT/runs/ because none usable sat next to the results.json. */
  generated: string[];
}

export async function mergeReports(paths: string[], outDir: string): Promise<MergeWritten> {
  if (paths.length === 0) throw new UsageError('--merge needs at least one results.json');
  const runs: Array<{ path: string; result: SuiteResult }> = [];
  for (const path of paths) runs.push({ path, result: await readResults(path) });
  refuseDuplicateNames(runs);
  const out = join(outDir, 'report.html');
  await mkdir(outDir, { recursive: true });
  const generated: string[] = [];
  const columns: MergedColumn[] = [];
  for (const [i, run] of runs.entries()) {
    const own = await usableReport(run.path, run.result, resolve(out));
    const report = own ?? join(outDir, 'runs', `${i + 1}-${slug(columnName(run.result))}`, 'report.html');
    if (!own) {
      await mkdir(dirname(report), { recursive: true });
      await writeFile(report, toReportHtml([run.result]));
      generated.push(report);
    }
    const ids = idsIn(await readFile(report, 'utf8'));
    columns.push({ result: run.result, name: columnName(run.result), file: run.path, href: hrefFrom(outDir, report), anchors: ids });
  }
  await writeFile(out, toMergedHtml(columns));
  return { path: out, generated };
}

function refuseDuplicateNames(runs: Array<{ path: string; result: SuiteResult }>): void {
  const byName = new Map<string, string>();
  for (const { path, result } of runs) {
    const name = columnName(result);
    const first = byName.get(name);
    if (first !== undefined) {
      throw new UsageError(`${first} and ${path} are both named "${name}" (${result.label === undefined ? 'target URL' : '--label'}): give each run its own --label when running relaylab conformance`);
    }
    byName.set(name, path);
  }
}

/** The report.html next to results.json, when it holds every anchor a cell may link to (and is not the file we are about to write). */
async function usableReport(resultsPath: string, result: SuiteResult, mergedOut: string): Promise<string | null> {
  const candidate = join(dirname(resultsPath), 'report.html');
  if (resolve(candidate) === mergedOut || !existsSync(candidate)) return null;
  const ids = idsIn(await readFile(candidate, 'utf8').catch(() => ''));
  return wantedAnchors(result).every((id) => ids.has(id)) ? candidate : null;
}

function idsIn(html: string): Set<string> {
  return new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1] as string));
}

/** A relative URL from the merged report to a run's report: forward slashes, each segment percent-encoded. */
function hrefFrom(outDir: string, report: string): string {
  return relative(resolve(outDir), resolve(report)).split(sep).map(encodeURIComponent).join('/');
}

const slug = (name: string): string => name.replace(/^[a-z]+:\/\//i, '').replace(/[^A-Za-z0-9.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60) || 'run';
