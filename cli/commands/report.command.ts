import { dirname, resolve } from 'node:path';
import { UsageError } from '../usage-error.ts';
import { requireWritableDir } from '../writable-dir.ts';
import type { CommandModule } from 'yargs';

interface ReportArgs {
  merge?: string[];
  out?: string;
}

const command: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: 'Merge results: conformance results.json files into an implementation × requirement matrix, or a sweep\'s shard files into its results.json and report.html',
  builder: (yargs) =>
    yargs
      .option('merge', { type: 'string', array: true, demandOption: true, describe: 'results.json files from `relaylab conformance --reports`, or shard-I-of-N.json files from `relaylab sweep --shard I/N`' })
      .option('out', { type: 'string', describe: 'folder to write into (default conformance-report, or reports/<scenario>-sweep for sweep shards)' }),
  handler: async (args) => {
    const files = args.merge ?? [];
    if (args.out !== undefined) await requireWritableDir(args.out, '--out');
    const { isSweepFile, mergeSweepFiles } = await import('../../simulator/sweep/merge-command.ts');
    if ((await Promise.all(files.map(isSweepFile))).some(Boolean)) {
      const written = await mergeSweepFiles(files, args.out);
      process.stdout.write(`wrote ${written.resultsPath} and ${written.reportPath}\n`);
      return;
    }
    const out = args.out ?? 'conformance-report';
    // The matrix is report.html too: written beside a run's own results it would replace that run's report.
    const clash = files.find((file) => resolve(dirname(file)) === resolve(out));
    if (clash !== undefined) throw new UsageError(`--out ${out} holds ${clash}: the merged report.html would replace that run's own report; give another folder`);
    const { mergeReports } = await import('../../conformance/runner/reports/merge.ts');
    const written = await mergeReports(files, out);
    process.stdout.write(`wrote ${written.path}\n`);
    for (const path of written.generated) process.stdout.write(`  wrote ${path} (no report.html with every anchor next to its results.json)\n`);
  },
};
export default command;
