import { requireWritableDir } from '../writable-dir.ts';
import type { Argv, CommandModule } from 'yargs';

type CreateArgs = { email: string; dir: string; 'key-type': 'rsa-2048' | 'ecdsa-p256' | 'ed25519' };

const create: CommandModule<object, CreateArgs> = {
  command: 'create',
  describe: 'Make a key and a self-signed certificate carrying the email (CN, SAN and emailAddress)',
  builder: (yargs) =>
    yargs
      .option('email', { type: 'string', demandOption: true })
      .option('dir', { type: 'string', demandOption: true, describe: 'Folder for cert.pem and key.pem (mode 0600)' })
      .option('key-type', { choices: ['rsa-2048', 'ecdsa-p256', 'ed25519'] as const, default: 'rsa-2048' as const }) as never,
  handler: async (args) => {
    const { createIdentityFiles } = await import('../../reference/identity/identity-files.ts');
    await requireWritableDir(args.dir, '--dir');
    const identity = await createIdentityFiles(args.dir, args.email, args['key-type']);
    process.stdout.write(`${JSON.stringify({ email: identity.email, fingerprint_sha256: identity.fingerprintSha256, dir: args.dir }, null, 2)}\n`);
  },
};

const show: CommandModule<object, { dir: string }> = {
  command: 'show',
  describe: "Print an identity's email and certificate fingerprint",
  builder: (yargs) => yargs.option('dir', { type: 'string', demandOption: true }) as never,
  handler: async (args) => {
    const { loadIdentityFiles } = await import('../../reference/identity/identity-files.ts');
    const identity = await loadIdentityFiles(args.dir);
    process.stdout.write(`${JSON.stringify({ email: identity.email, fingerprint_sha256: identity.fingerprintSha256, dir: args.dir }, null, 2)}\n`);
  },
};

const command: CommandModule = {
  command: 'identity <action>',
  describe: 'Create or show a peer identity (key + self-signed certificate)',
  builder: (yargs: Argv) => yargs.command(create).command(show).demandCommand(1),
  handler: () => {},
};
export default command;
