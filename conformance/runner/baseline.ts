/**
 * Accepted known failures, like an expectations file: one requirement id
 * or case id (globs allowed) per line, `#` starts a comment. Baselined
 * failures are still reported but do not fail the run.
 */
import { readFile } from 'node:fs/promises';
import { globToRegExp, matchesAny } from './glob.ts';

export interface Baseline {
  source: string | null;
  patterns: string[];
  covers(...names: string[]): boolean;
}

export function parseBaseline(text: string, source: string | null): Baseline {
  const patterns = text
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line.length > 0)
    .map((line) => line.split(/\s+/)[0] ?? '');
  const regexes = patterns.map(globToRegExp);
  return { source, patterns, covers: (...names) => matchesAny(regexes, ...names) };
}

export const EMPTY_BASELINE: Baseline = parseBaseline('', null);

export async function loadBaseline(path: string): Promise<Baseline> {
  return parseBaseline(await readFile(path, 'utf8'), path);
}
