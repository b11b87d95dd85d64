import type { CommandModule } from 'yargs';

interface ReportArgs {
  merge?: string[];
  out?: string;
}

const command: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: 'Build report.html from conformance results (--merge a.json b.json: implementation × requirement matrix)',
  builder: (yargs) =>
    yargs
      .option('merge', { type: 'string', array: true, demandOption: true, describe: 'results.json files from `relaylab conformance --reports`' })
      .option('out', { type: 'string', default: 'conformance-report', describe: 'folder to write report.html into' }),
  handler: async (args) => {
    const { mergeReports } = await import('../../conformance/runner/reports/merge.ts');
    const path = await mergeReports(args.merge ?? [], args.out ?? 'conformance-report');
    process.stdout.write(`wrote ${path}\n`);
  },
};
export default command;
