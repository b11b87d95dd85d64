import type { Argv, CommandModule } from 'yargs';
import { stdoutLines } from '../stdout-lines.ts';

interface SweepArgs {
  scenario: string;
  set: string[];
  seeds: number;
  seed?: number;
  shard?: string;
  out?: string;
}

/** `relaylab sweep X.yaml --set FIELD=a,b --set FIELD=c,d --seeds K`; checks live in simulator/sweep/plan-sweep.ts, before any run. */
const sweepBuilder = (y: Argv) =>
  y
    .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file, e.g. scenarios/mass-churn.yaml' })
    // nargs 1: each --set takes one word, so a scenario path after it stays the positional.
    .option('set', { type: 'string', array: true, nargs: 1, demandOption: true, describe: 'FIELD=V1,V2,... a scenario field (protocol.heartbeat_interval, churn.crashes_per_hour, topology[0].share) and its values in the file\'s own syntax; repeat for a grid' })
    .option('seeds', { type: 'number', default: 1, describe: 'seeds per point (confidence intervals need 2 or more)' })
    .option('seed', { type: 'number', describe: 'base seed (default: the scenario\'s); point p, replicate k runs seed + p × seeds + k' })
    .option('shard', { type: 'string', describe: 'I/N: run only the I-th of N slices (0-based, like JOB_COMPLETION_INDEX) and write shard-I-of-N.json for relaylab report --merge' })
    .option('out', { type: 'string', describe: 'output directory (default reports/<scenario name>-sweep)' });

const command: CommandModule<object, SweepArgs> = {
  command: 'sweep <scenario>',
  describe: 'Run a scenario over a grid of settings (--set, repeatable) and seeds on worker threads; chart every metric against each setting',
  builder: sweepBuilder,
  handler: async (args) => {
    const { runSweep } = await import('../../simulator/sweep/run-sweep.ts');
    const { runJobsOnWorkers } = await import('../../simulator/sweep/run-jobs.ts');
    const { runJobsStoppable } = await import('../../simulator/workers/run-seeds.ts');
    const { progressWriter } = await import('../progress/progress-writer.ts');
    const { onInterrupt, EXIT_INTERRUPTED } = await import('../progress/interrupt.ts');
    const interrupt = onInterrupt();
    const outcome = await runSweep({
      file: args.scenario,
      sets: args.set,
      seeds: args.seeds,
      seed: args.seed,
      shard: args.shard,
      outDir: args.out,
      write: stdoutLines(),
      runJobs: runJobsOnWorkers(),
      runJobsStoppable,
      signal: interrupt.signal,
      track: (label, total) => progressWriter({ label, total, unit: 'virtual-ms', withEvents: true }),
    }).finally(() => interrupt.dispose());
    if (outcome.partial) process.exit(EXIT_INTERRUPTED);
  },
};
export default command;
