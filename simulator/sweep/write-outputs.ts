/**
 * Writes a whole sweep's results.json and report.html. The records go
 * through JSON first whether they came from this process's runs or from
 * shard files, so both paths see the same numbers (JSON has no -0 or
 * undefined) and write the same bytes.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SweepDefinition } from './definition.ts';
import type { RunRecord } from './run-record.ts';
import { renderSweepReport } from './sweep-report.ts';
import { buildSweepResults, sweepResultsText, type SweepResults } from './sweep-results.ts';

export interface WrittenSweep {
  results: SweepResults;
  resultsPath: string;
  reportPath: string;
}

export function defaultSweepOutDir(definition: SweepDefinition): string {
  return join('reports', `${definition.scenario}-sweep`);
}

export async function writeSweepOutputs(outDir: string, definition: SweepDefinition, hash: string, records: readonly RunRecord[]): Promise<WrittenSweep> {
  const asStored = JSON.parse(JSON.stringify({ definition, records })) as { definition: SweepDefinition; records: RunRecord[] };
  const results = buildSweepResults(asStored.definition, hash, asStored.records);
  await mkdir(outDir, { recursive: true });
  const resultsPath = join(outDir, 'results.json');
  const reportPath = join(outDir, 'report.html');
  await writeFile(resultsPath, sweepResultsText(results));
  await writeFile(reportPath, renderSweepReport(results));
  return { results, resultsPath, reportPath };
}
