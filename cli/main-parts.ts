/** The pieces of cli/main.ts a test can import (main.ts itself runs the CLI when imported). */
import type { Argv, CommandModule } from 'yargs';
import { EXAMPLES, EXIT_CODES_EPILOGUE, verbOf } from './help-text.ts';

/** The command with its examples and the exit codes at the end of its --help (cli/help-text.ts). */
export function withHelpText(command: CommandModule<any, any>): CommandModule<any, any> {
  const original = command.builder;
  const examples = EXAMPLES[verbOf(command.command as string | string[])] ?? [];
  return {
    ...command,
    builder: (yargs: Argv) => {
      const built = (typeof original === 'function' ? (original(yargs) as Argv) : original ? yargs.options(original) : yargs) ?? yargs;
      for (const [example, what] of examples) built.example(example, what);
      return built.epilogue(EXIT_CODES_EPILOGUE);
    },
  };
}

