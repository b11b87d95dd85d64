/**
 * What every `relaylab <verb> --help` ends with (issue 13): examples a user
 * can copy, and the exit codes. One table, applied by cli/main.ts, so no
 * command can go without; cli/help-text.test.ts parses every example with
 * the real command definitions.
 */
import { EXIT_INTERRUPTED } from './progress/interrupt.ts';
import { EXIT } from './usage-error.ts';

const RELAY = '--relay https://127.0.0.1:8443 --relay-ca .relaylab/relay/relay-cert.pem';
const ME = '--identity alice';

export const EXAMPLES: Record<string, ReadonlyArray<readonly [string, string]>> = {
  demo: [['$0 demo', 'the seven discovery steps on loopback, in about a second']],
  relay: [
    ['$0 relay', 'a relay on https://127.0.0.1:8443 with a memory store and a generated certificate'],
    ['$0 relay --store postgres://relaylab:relaylab@127.0.0.1:5432/relaylab --ttl 3600', 'keep identities in PostgreSQL'],
  ],
  identity: [
    ['$0 identity create --email alice@example.com --dir alice', 'a key and a self-signed certificate carrying the email'],
    ['$0 identity show --dir alice', 'its email, fingerprint and validity'],
  ],
  register: [[`$0 register ${RELAY} ${ME}`, 'register the identity (POST /api/relay/register)']],
  ready: [[`$0 ready ${RELAY} ${ME} --port 54321 --address 192.168.1.50`, 'announce a Peer Server port and its addresses']],
  heartbeat: [[`$0 heartbeat ${RELAY} ${ME}`, 'stay listed']],
  lookup: [[`$0 lookup ${RELAY} ${ME} --email bob@example.com`, "a peer's port and addresses"]],
  list: [
    [`$0 list ${RELAY} ${ME}`, 'the first page of online peers'],
    [`$0 list ${RELAY} ${ME} --filter example.com`, 'online peers whose email or address contains the text'],
  ],
  peer: [
    ['$0 peer --relay https://127.0.0.1:8443 --relay-ca .relaylab/relay/relay-cert.pem --email alice@example.com --root ~/Shared', 'share a folder read-only and stay listed'],
    ['$0 peer --relay https://127.0.0.1:8443 --relay-ca .relaylab/relay/relay-cert.pem --email alice@example.com --root ~/Shared --ui', 'the same, with RemoteHouse in the browser (prints its link)'],
  ],
  connect: [[`$0 connect ${RELAY} ${ME} --email bob@example.com`, "try bob's addresses in order until one answers as bob"]],
  ls: [[`$0 ls ${RELAY} ${ME} --email bob@example.com photos`, "list a folder on bob's Peer Server"]],
  get: [[`$0 get ${RELAY} ${ME} --email bob@example.com photos/holiday.jpg --out holiday.jpg`, 'download a file from it']],
  friends: [
    ['$0 friends --friends friends.json --add bob@example.com', 'add a friend to the list a running peer watches'],
    ['$0 friends --identity-dir ~/.relaylab/identities/alice@example.com', 'their statuses as the running peer last saw them'],
  ],
  conformance: [
    ['$0 conformance', 'the suite against the embedded reference relay'],
    ['$0 conformance --target https://127.0.0.1:8443 --ca .relaylab/relay/relay-cert.pem --reports out', 'your relay: results.json, junit.xml, report.html, repro scripts'],
    ["$0 conformance --target https://127.0.0.1:8443 --ca .relaylab/relay/relay-cert.pem --only EXP-*", 'one section'],
  ],
  report: [['$0 report --merge a/results.json b/results.json --out matrix', 'one implementation x requirement matrix from several runs']],
  simulate: [
    ['$0 simulate scenarios/same-lan.yaml', 'a scenario, its report in reports/<name>/'],
    ['$0 simulate scenarios/cgnat.yaml --seeds 5 --peers 2000 --duration 6h', 'five seeds on worker threads, with confidence intervals'],
  ],
  sweep: [['$0 sweep scenarios/heartbeat-loss.yaml --set protocol.heartbeat_interval=5m,15m,30m --seeds 3', 'a metric against a parameter, with confidence bands']],
  version: [['$0 version', 'the version of relaylab']],
};

export const EXIT_CODES_EPILOGUE = [
  'Exit codes:',
  `  ${EXIT.ok}   done`,
  `  ${EXIT.failed}   the thing checked failed: a conformance MUST, a scenario assertion, a refused request, a peer not reached`,
  `  ${EXIT.usage}   bad input: one line on stderr says what to change`,
  `  ${EXIT.internal}  a bug in relaylab (please report it with the output)`,
  `  ${EXIT_INTERRUPTED} stopped by Ctrl-C: simulate, sweep and conformance first write what they have, marked partial`,
  'relay and peer stop cleanly with 0 on SIGTERM or Ctrl-C.',
].join('\n');

/** The verb of a command module (`get <path>` -> get). */
export function verbOf(command: string | readonly string[] | undefined): string {
  const first = Array.isArray(command) ? command[0] : command;
  return String(first ?? '').split(' ')[0] ?? '';
}
