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
import { withPartial, type PartialMark } from '../../reference/shared/partial-mark.ts';

export interface WrittenSweep {
  results: SweepResults;
  resultsPath: string;
  reportPath: string;
}

export function defaultSweepOutDir(definition: SweepDefinition): string {
  return join('reports', `${definition.scenario}-sweep`);
}

export async function writeSweepOutputs(outDir: string, definition: SweepDefinition, hash: string, records: readonly RunRecord[], partial: PartialMark | null = null): Promise<WrittenSweep> {
  const asStored = JSON.parse(JSON.stringify({ definition, records })) as { definition: SweepDefinition; records: RunRecord[] };
  const results = buildSweepResults(asStored.definition, hash, asStored.records);
  await mkdir(outDir, { recursive: true });
  const resultsPath = join(outDir, 'results.json');
  const reportPath = join(outDir, 'report.html');
  // A stopped sweep (Ctrl-C) says so in both files: `partial` after `schema`, and the report's banner.
  await writeFile(resultsPath, sweepResultsText(partial ? withPartial(results, partial) : results));
  await writeFile(reportPath, renderSweepReport(results, partial ? { partial } : {}));
  return { results, resultsPath, reportPath };
}
