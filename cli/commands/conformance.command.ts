import type { CommandModule } from 'yargs';
import type { ConformanceArgs } from '../../conformance/runner/cli-options.ts';

const command: CommandModule<object, ConformanceArgs> = {
  command: 'conformance',
  describe: 'Run the Relay Tracker conformance suite against a relay (no --target: the embedded reference relay)',
  builder: (yargs) =>
    yargs
      .option('target', { type: 'string', describe: 'relay URL, e.g. https://127.0.0.1:8443' })
      .option('ca', { type: 'string', describe: "PEM file of the relay's own certificate (pinned: trusted under any address) or of its CA (name checked)" })
      .option('insecure', { type: 'boolean', describe: "do not verify the relay's certificate" })
      .option('auth', { type: 'string', default: 'mtls', describe: 'mtls, or header:NAME to send the URL-encoded client PEM in a header (TLS-terminating proxy)' })
      .option('only', { type: 'string', array: true, describe: "run cases whose id or requirement matches a glob, e.g. 'EXP-*' (repeatable, comma-separated)" })
      .option('max-wait', { type: 'number', default: 120, describe: 'longest TTL (s) expiry cases wait out in real time; longer ones use the test-control profile or skip' })
      .option('reports', { type: 'string', describe: 'folder for results.json, junit.xml, report.html and repro/*.sh' })
      .option('seed', { type: 'number', describe: 'seed for generated inputs (printed by every run)' })
      .option('baseline', { type: 'string', describe: 'file of accepted known failures (requirement or case ids, globs)' })
      .option('production', { type: 'boolean', default: false, describe: 'the target is a deployed relay: POST /api/test/clock must be absent (SPEC TEST-3), and the suite never moves its clock' })
      .option('fail-on-skip', { type: 'boolean', default: false, describe: 'exit 1 also when a MUST was skipped (not checked), e.g. expiry cases with a TTL above --max-wait' })
      .option('label', { type: 'string', describe: 'name of this implementation in merged reports' })
      .option('target-image', { type: 'string', describe: 'start the relay from this container image (testcontainers), test it, remove it' })
      .option('target-port', { type: 'number', describe: 'the port the relay listens on inside the container (with --target-image)' })
      .option('target-arg', { type: 'string', array: true, describe: 'argument passed to the container (repeatable), e.g. --target-arg=--ttl --target-arg=5' }),
  handler: async (args) => {
    const { runConformanceCommand } = await import('../../conformance/runner/command.ts');
    process.exitCode = await runConformanceCommand(args);
  },
};
export default command;
