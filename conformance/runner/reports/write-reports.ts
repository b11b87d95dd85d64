/** Writes every report of one run into a folder. */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SuiteResult } from '../run-suite.ts';
import { toReportHtml } from './html.ts';
import { toJunitXml } from './junit.ts';
import { reproScripts } from './repro.ts';
import { toResultsJson } from './results-json.ts';

export async function writeReports(dir: string, result: SuiteResult): Promise<string[]> {
  await mkdir(join(dir, 'repro'), { recursive: true });
  const written = [join(dir, 'results.json'), join(dir, 'junit.xml'), join(dir, 'report.html')];
  await writeFile(written[0] as string, toResultsJson(result));
  await writeFile(written[1] as string, toJunitXml(result));
  await writeFile(written[2] as string, toReportHtml([result]));
  for (const { name, script } of reproScripts(result)) {
    const path = join(dir, 'repro', name);
    await writeFile(path, script);
    await chmod(path, 0o755);
    written.push(path);
  }
  return written;
}
