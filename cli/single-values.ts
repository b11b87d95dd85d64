/**
 * Checks yargs cannot make on its own, for every command (cli/main.ts runs
 * them as middleware): a flag that takes one value given twice (yargs
 * silently makes it an array, which crashed the relay's duration flags),
 * a flag that takes a value given none (yargs then uses the default), and
 * a boolean flag given a value other than true or false (yargs reads
 * `--require-possession=yes` as false: an open relay its operator believes
 * closed), and a number flag given something that is not a number (yargs
 * makes it NaN). closestFlag serves the "did you mean" of a mistyped flag.
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
  for (const name of declared.number) {
    const value = argv[name];
    // yargs turns `--limit abc` into NaN; the value's own checks would then say "got NaN".
    if (typeof value === 'number' && Number.isNaN(value)) throw new UsageError(`--${name} ${JSON.stringify(rawValueOf(name, rawArgs) ?? '')} is not a number`);
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

/** What the user typed after `--name` (or in `--name=...`), for messages. */
function rawValueOf(name: string, rawArgs: readonly string[]): string | undefined {
  for (const [index, raw] of rawArgs.entries()) {
    if (raw === `--${name}`) return rawArgs[index + 1];
    if (raw.startsWith(`--${name}=`)) return raw.slice(name.length + 3);
  }
  return undefined;
}

/** The declared flag closest to a mistyped one (edit distance at most 2, or a prefix), for "did you mean". */
export function closestFlag(typed: string, known: readonly string[]): string | null {
  let best: { name: string; distance: number } | null = null;
  for (const name of known) {
    if (name.length < 2) continue;
    const distance = name.startsWith(typed) && typed.length >= 3 ? 1 : editDistance(typed, name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
