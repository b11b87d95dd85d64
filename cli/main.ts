/**
 * `relaylab` entry point. Each verb lives in cli/commands/<verb>.command.ts
 * and is listed in cli/commands/index.ts. Command modules import their
 * heavy dependencies inside the handler to keep `relaylab --help` fast.
 */
import yargs from 'yargs';
import { COMMANDS } from './commands/index.ts';
import { EXIT_CODES_EPILOGUE } from './help-text.ts';
import { withHelpText } from './main-parts.ts';
import { packageVersion } from './package-version.ts';
import { checkSingleValues, closestFlag, type DeclaredOptions } from './single-values.ts';
import { hideBin } from 'yargs/helpers';
import { UserInputError } from '../reference/shared/user-input-error.ts';
import { EXIT } from './usage-error.ts';

function reportAndExit(error: unknown): never {
  // UsageError (the command line's), and the reference code's own kinds (IdentityError, FriendsFileError, RelaySetupError).
  if (error instanceof UserInputError) {
    process.stderr.write(`relaylab: ${error.message}\n`);
    process.exit(EXIT.usage);
  }
  const err = error as NodeJS.ErrnoException;
  // Operating-system errors a user can fix (missing file, port taken) are usage errors too.
  if (err && typeof err.code === 'string' && ['ENOENT', 'EACCES', 'EADDRINUSE', 'ECONNREFUSED', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EPERM', 'EROFS', 'ENOSPC'].includes(err.code)) {
    process.stderr.write(`relaylab: ${err.message}\n`);
    process.exit(EXIT.usage);
  }
  process.stderr.write(`relaylab: internal error (a bug in relaylab; please report it with this output): ${err?.stack ?? String(error)}\n`);
  process.exit(EXIT.internal);
}

/**
 * yargs' "Unknown arguments: ui-prot, uiProt" becomes "Unknown argument:
 * ui-prot (--ui-prot: did you mean --ui-port?)": its camelCase echoes are
 * dropped and a declared flag close to each typo is named.
 */
function withSuggestion(message: string, options: { key: Record<string, unknown> }): string {
  const listed = /^Unknown arguments?: (.+)$/.exec(message)?.[1];
  if (!listed) return message;
  const typed = listed.split(', ').filter((t, _, all) => !(/[A-Z]/.test(t) && all.includes(t.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))));
  const known = Object.keys(options.key).filter((k) => !/[A-Z]/.test(k));
  const hints = typed.flatMap((t) => {
    const near = closestFlag(t, known);
    return near ? [`--${t}: did you mean --${near}?`] : [];
  });
  return `Unknown argument${typed.length > 1 ? 's' : ''}: ${typed.join(', ')}${hints.length > 0 ? ` (${hints.join('; ')})` : ''}`;
}

export async function main(argv: string[]): Promise<void> {
  const parser = yargs(argv)
    .scriptName('relaylab')
    .usage('$0 <command> [options]')
    .strict()
    .demandCommand(1, 'Name a command; `relaylab --help` lists them. New here? Try `relaylab demo`.')
    .recommendCommands()
    .help()
    .version(packageVersion())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .middleware(((args: Record<string, unknown>, parsed: { getOptions(): DeclaredOptions }) => checkSingleValues(args, parsed.getOptions(), argv)) as never)
    .fail((message, error) => {
      if (error) reportAndExit(error);
      // During a command's validation the instance holds that command's options.
      process.stderr.write(`relaylab: ${withSuggestion(message, (parser as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions())}\n`);
      process.exit(EXIT.usage);
    });
  for (const command of COMMANDS) parser.command(withHelpText(command));
  parser.epilogue(EXIT_CODES_EPILOGUE);
  try {
    await parser.parseAsync();
  } catch (error) {
    reportAndExit(error);
  }
}

process.on('unhandledRejection', reportAndExit);
await main(hideBin(process.argv));
