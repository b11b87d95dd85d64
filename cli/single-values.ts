/**
 * Checks yargs cannot make on its own, for every command (cli/main.ts runs
 * them as middleware): a flag that takes one value given twice (yargs
 * silently makes it an array, which crashed the relay's duration flags),
 * a flag that takes a value given none (yargs then uses the default), and
 * a boolean flag given a value other than true or false (yargs reads
 * `--require-possession=yes` as false: an open relay its operator believes
 * closed).
 */
import { UsageError } from './usage-error.ts';

export interface DeclaredOptions {
  array: string[];
  boolean: string[];
  string: string[];
  number: string[];
}

export function checkSingleValues(argv: Record<string, unknown>, declared: DeclaredOptions, rawArgs: readonly string[]): void {
  const arrays = new Set(declared.array);
  for (const name of [...declared.string, ...declared.number, ...declared.boolean]) {
    if (!arrays.has(name) && Array.isArray(argv[name])) throw new UsageError(`--${name} was given more than once; give it once`);
  }
  const booleans = new Set(declared.boolean);
  const valued = new Set([...declared.string, ...declared.number]);
  for (const [index, raw] of rawArgs.entries()) {
    if (raw === '--') break;
    // `--cleanup-interval` with nothing after it: yargs falls back to the default without a word.
    const bare = /^--([A-Za-z0-9][A-Za-z0-9-]*)$/.exec(raw)?.[1];
    const next = rawArgs[index + 1];
    if (bare !== undefined && valued.has(bare) && (next === undefined || (next.startsWith('--') && next !== '--'))) {
      throw new UsageError(`--${bare} needs a value`);
    }
    const match = /^--(?:no-)?([A-Za-z0-9][A-Za-z0-9-]*)=(.*)$/s.exec(raw);
    if (match && booleans.has(match[1] as string) && !/^(true|false)$/.test(match[2] as string)) {
      throw new UsageError(`--${match[1]} is a switch: give it alone, or as --${match[1]}=true / --${match[1]}=false (got "${match[2]}")`);
    }
  }
}
