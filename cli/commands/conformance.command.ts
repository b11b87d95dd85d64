import type { CommandModule } from 'yargs';
import type { ConformanceArgs } from '../../conformance/runner/cli-options.ts';

const command: CommandModule<object, ConformanceArgs> = {
  command: 'conformance',
  describe: 'Run the Relay Tracker conformance suite against a relay (no --target: the embedded reference relay)',
  builder: (yargs) =>
    yargs
      .option('target', { type: 'string', describe: 'relay URL, e.g. https://127.0.0.1:8443 (http:// only with --auth header:NAME, behind a TLS-terminating proxy)' })
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
      .option('concurrency', { type: 'number', default: 6, describe: 'cases run at once (1: one at a time); a failure is rerun alone to tell a race from a deterministic defect' })
      .option('strict', { type: 'boolean', default: false, describe: 'exit 1 also on non-strict findings (the right status, but the error code or body shape differs from SPEC ERR-1)' })
      .option('untrusted-source', { type: 'string', describe: "with --auth header:NAME: a local address the relay does not trust as a proxy (e.g. 127.0.0.3); AUTH-5 sends the forged header from it" })
      .option('target-cmd', { type: 'string', describe: 'shell command that starts the relay at --target; the suite starts it, waits for /api/health, runs, and stops it' })
      .option('time-warp', { type: 'number', describe: "with --target-cmd: run the relay under libfaketime K times faster, so a long TTL expires in TTL/K seconds" })
      .option('label', { type: 'string', describe: 'name of this implementation in merged reports' })
      .option('target-image', { type: 'string', describe: 'start the relay from this container image (testcontainers), test it, remove it' })
      .option('target-port', { type: 'number', describe: 'the port the relay listens on inside the container (with --target-image)' })
      .option('target-arg', { type: 'string', array: true, describe: 'argument passed to the container (repeatable), e.g. --target-arg=--ttl --target-arg=5' }),
  handler: async (args) => {
    const { runConformanceCommand } = await import('../../conformance/runner/command.ts');
    const code = await runConformanceCommand(args);
    // Interrupted: cases abandoned in flight may still hold timers (an expiry wait); the reports are written, so leave now.
    if (code === 130) process.exit(code);
    process.exitCode = code;
  },
};
export default command;
