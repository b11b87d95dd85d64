import { stdoutLines } from '../stdout-lines.ts';
import type { CommandModule } from 'yargs';
import { EXIT, UsageError } from '../usage-error.ts';

interface SimulateArgs {
  scenario: string;
  seed?: number;
  peers?: number;
  duration?: string;
  out?: string;
  seeds: number;
  strategy?: 'sequential' | 'race';
  'compare-strategies': boolean;
  'compare-extensions'?: string;
}

const command: CommandModule<object, SimulateArgs> = {
  command: 'simulate <scenario>',
  describe: 'Run a NAT scenario on the deterministic network simulator',
  builder: (y) =>
    y
      .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario YAML file, e.g. scenarios/two-homes.yaml' })
      .option('seed', { type: 'number', describe: 'PRNG seed (default: the scenario\'s, else 1)' })
      .option('peers', { type: 'number', describe: 'number of peers (overrides the scenario)' })
      .option('duration', { type: 'string', describe: 'virtual duration, e.g. 24h (overrides the scenario)' })
      .option('out', { type: 'string', describe: 'output directory (default reports/<scenario name>)' })
      .option('seeds', { type: 'number', default: 1, describe: 'run K seeds (seed, seed+1, ...) on worker threads' })
      .option('strategy', { choices: ['sequential', 'race'] as const, describe: 'address try-order strategy (overrides the scenario)' })
      .option('compare-strategies', { type: 'boolean', default: false, describe: 'also run the other strategy on the same seed and compare per NAT pair' })
      .option('compare-extensions', { type: 'string', describe: 'relay extensions to compare on and off on the same seed, e.g. goodbye,observed-address' }),
  handler: async (args) => {
    const { simulate } = await import('../../simulator/simulate-cli.ts');
    const { parseDurationMs } = await import('../../simulator/scenario/units.ts');
    const { runSeedsStoppable } = await import('../../simulator/workers/run-seeds.ts');
    const { progressWriter } = await import('../progress/progress-writer.ts');
    const { onInterrupt, EXIT_INTERRUPTED } = await import('../progress/interrupt.ts');
    const { parseExtensionNames } = await import('../../simulator/compare-extensions.ts');
    // Checked before anything runs: a typo must not cost a whole run first.
    const compareExtensions = args['compare-extensions'] === undefined ? undefined : parseExtensionNames(args['compare-extensions']);
    const durationMs = args.duration === undefined ? undefined : parseDurationMs(args.duration);
    if (durationMs === null || (durationMs !== undefined && durationMs < 1000)) throw new UsageError(`--duration: expected a duration like "24h" or "30m", got "${args.duration}"`);
    if (args.seed !== undefined && (!Number.isInteger(args.seed) || args.seed < 0 || args.seed > 0xffff_ffff)) throw new UsageError(`--seed: expected an integer in [0, 2^32), got ${args.seed}`);
    if (args.peers !== undefined && (!Number.isInteger(args.peers) || args.peers < 2)) throw new UsageError(`--peers: expected a whole number of at least 2, got ${args.peers}`);
    if (!Number.isInteger(args.seeds) || args.seeds < 1 || args.seeds > 1000) throw new UsageError(`--seeds: expected a whole number from 1 to 1000, got ${args.seeds}`);
    const interrupt = onInterrupt();
    const outcome = await simulate({
      file: args.scenario,
      seed: args.seed,
      peers: args.peers,
      durationMs,
      strategy: args.strategy,
      outDir: args.out,
      seeds: args.seeds,
      compareStrategies: args['compare-strategies'],
      compareExtensions,
      write: stdoutLines(),
      // Every run on a worker thread: this thread stays free to hear Ctrl-C.
      runSeedsStoppable,
      signal: interrupt.signal,
      track: (label, total) => progressWriter({ label, total, unit: 'virtual-ms', withEvents: true }),
    }).finally(() => interrupt.dispose());
    if (outcome.partial) process.exit(EXIT_INTERRUPTED);
    if (outcome.failed.length > 0) process.exitCode = EXIT.failed;
  },
};

export default command;
