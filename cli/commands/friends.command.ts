import type { CommandModule } from 'yargs';

interface Args {
  'identity-dir'?: string;
  friends?: string;
  add?: string[];
  remove?: string[];
  json: boolean;
}

const command: CommandModule<object, Args> = {
  command: 'friends',
  describe: "Show your friends' statuses as your running peer last saw them, or edit the friends list",
  builder: (yargs) =>
    yargs
      .option('identity-dir', { type: 'string', describe: 'Identity folder of the running peer (holds friends-status.json)' })
      .option('friends', { type: 'string', describe: 'Friends list file to edit with --add / --remove' })
      .option('add', { type: 'string', array: true, describe: 'Add a friend by email (repeatable; needs --friends)' })
      .option('remove', { type: 'string', array: true, describe: 'Remove a friend by email (repeatable; needs --friends)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the status file as JSON' }) as never,
  handler: async (args) => {
    const { friendsCommand } = await import('../peer/friends-command.ts');
    await friendsCommand(args, (line) => process.stdout.write(`${line}\n`));
  },
};
export default command;
