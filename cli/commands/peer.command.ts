import type { CommandModule } from 'yargs';
import type { PeerCommandArgs } from '../peer/peer-command.ts';

type Args = PeerCommandArgs;

const command: CommandModule<object, Args> = {
  command: 'peer',
  describe: 'Run a peer: identity, register, Peer Server, announce addresses, heartbeat (and friends)',
  builder: (yargs) =>
    yargs
      .option('relay', { type: 'string', demandOption: true, describe: 'Relay URL, e.g. https://127.0.0.1:8443' })
      .option('relay-ca', { type: 'string', describe: "PEM file of the relay's certificate to pin" })
      .option('insecure', { type: 'boolean', default: false, describe: "Do not verify the relay's certificate (experiments only)" })
      .option('email', { type: 'string', demandOption: true, describe: 'Your email: the identity peers find you by' })
      .option('root', { type: 'string', demandOption: true, describe: 'Folder to serve' })
      .option('serve-dotfiles', { type: 'boolean', default: false, describe: 'Also serve and list dotfiles and dot-folders (.env, .ssh/, .git/); keys and .relaylab stay private' })
      .option('renew', { type: 'boolean', default: true, describe: 'Renew the certificate with the relay before it expires (new key pair written to the identity folder); --no-renew to never' })
      .option('identity-dir', { type: 'string', describe: 'Identity folder (created on first run); default ~/.relaylab/identities/<email>' })
      .option('port', { type: 'number', default: 0, describe: 'Peer Server port (0: the OS chooses)' })
      .option('host', { type: 'string', describe: 'Bind address (default: all interfaces, :: and 0.0.0.0)' })
      .option('public-address', { type: 'string', array: true, describe: 'An address reachable from outside (repeatable); announced after local ones' })
      .option('include-loopback', { type: 'boolean', default: false, describe: 'Also announce 127.0.0.1 / ::1 (tests)' })
      .option('only-loopback', { type: 'boolean', default: false, describe: 'Announce loopback only and ignore network interfaces (tests, demos)' })
      .option('heartbeat-interval', { type: 'string', default: '30m', describe: 'Time between heartbeats (30m, 90s, 1800)' })
      .option('address-check-interval', { type: 'string', default: '60s', describe: 'How often to look for address changes' })
      .option('friends', { type: 'string', describe: 'Friends list file (JSON); statuses go to <identity-dir>/friends-status.json' })
      .option('health-interval', { type: 'string', default: '60s', describe: 'Time between friend health checks' })
      .option('attempt-timeout', { type: 'string', default: '5s', describe: 'Per-address connect timeout for friends' })
      .option('strategy', { type: 'string', default: 'sequential', choices: ['sequential', 'race'], describe: 'Try-order strategy for friends and RemoteHouse visits' })
      .option('ui', { type: 'boolean', default: false, describe: 'Serve RemoteHouse, the browser UI, on 127.0.0.1 and print its link (friends default to <identity-dir>/friends.json)' })
      .option('ui-port', { type: 'number', describe: 'RemoteHouse port (default: the OS chooses)' })
      .option('open', { type: 'boolean', default: false, describe: 'With --ui: open the link in the system browser' })
      .example('$0 peer --relay https://127.0.0.1:8443 --relay-ca relay.pem --email me@example.com --root ~/Shared --ui', 'share a folder and browse your friends in the browser') as never,
  handler: async (args) => {
    const { runPeerCommand } = await import('../peer/peer-command.ts');
    await runPeerCommand(args, (line) => process.stdout.write(`${line}\n`));
  },
};
export default command;
