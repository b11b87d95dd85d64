/**
 * Every scenario text this repository holds outside scenarios/: the YAML
 * template literals of the simulator's, CLI's and bench's tests (those
 * without interpolation, which are complete texts) and the ```yaml blocks
 * of the Markdown docs that look like a scenario (a `topology:` key).
 * Found statically, so a new inline scenario joins the corpus by itself.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './schemas.ts';

export interface CorpusEntry {
  /** Where it is: file and ordinal. */
  where: string;
  text: string;
}

const SOURCE_DIRS = ['simulator', 'test', 'cli', 'bench', 'conformance', 'reference'];
const DOC_DIRS = ['.', 'simulator', 'docs', 'reports', 'scenarios', 'simulator/sweep'];

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || join(dir, name) === import.meta.dirname) continue; // not this folder's own test texts
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

const TEMPLATE = /`((?:[^`\\$]|\\.|\$(?!\{))*)`/g;
const YAML_BLOCK = /```ya?ml\n([\s\S]*?)```/g;

export function inlineScenarios(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const file of SOURCE_DIRS.flatMap((d) => walk(join(ROOT, d))).filter((f) => f.endsWith('.ts')).sort()) {
    const source = readFileSync(file, 'utf8');
    let n = 0;
    for (const match of source.matchAll(TEMPLATE)) {
      const text = unescape(match[1] as string);
      if (!/^\s*topology:/m.test(text) || !/^\s*name:/m.test(text)) continue;
      out.push({ where: `${relative(ROOT, file)} #${++n}`, text });
    }
  }
  return out;
}

export function documentedScenarios(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const dir of DOC_DIRS) {
    for (const name of readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.md')).sort()) {
      const text = readFileSync(join(ROOT, dir, name), 'utf8');
      let n = 0;
      for (const match of text.matchAll(YAML_BLOCK)) {
        const block = match[1] as string;
        if (/^topology:/m.test(block)) out.push({ where: `${relative(ROOT, join(ROOT, dir, name))} yaml block #${++n}`, text: block });
      }
    }
  }
  return out;
}

/** A template literal's text as the program sees it (only the escapes scenario texts use). */
function unescape(raw: string): string {
  return raw.replace(/\\(n|t|`|\\|\$)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}
