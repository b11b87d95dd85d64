/** `relaylab report --merge`: several results.json → one report.html with the implementation × requirement matrix. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../../../cli/usage-error.ts';
import type { SuiteResult } from '../run-suite.ts';
import { toReportHtml } from './html.ts';

export async function readResults(path: string): Promise<SuiteResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read results ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const result = parsed as Partial<SuiteResult>;
  if (result?.schemaVersion !== 1 || !Array.isArray(result.requirements) || !Array.isArray(result.cases)) {
    throw new UsageError(`${path} is not a results.json written by relaylab conformance (schemaVersion 1)`);
  }
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
