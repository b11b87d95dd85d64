/**
 * The machine-readable view of SPEC.md: every line `**ID** (LEVEL): text`
 * is a requirement. Parsing the document itself keeps one source of truth.
 */
import { readFileSync } from 'node:fs';
import type { Level, Requirement } from './types.ts';

export const SPEC_PATH = new URL('../SPEC.md', import.meta.url);

const REQUIREMENT_LINE = /^\*\*([A-Z]+-\d+)\*\* \((MUST|SHOULD|MAY)\): (.+)$/;
const SECTION_LINE = /^## ([A-Z]+):/;

export function parseSpec(markdown: string): Requirement[] {
  const requirements: Requirement[] = [];
  let section = '';
  for (const line of markdown.split('\n')) {
    const heading = SECTION_LINE.exec(line);
    if (heading) section = heading[1] ?? '';
    const match = REQUIREMENT_LINE.exec(line.trim());
    if (!match) continue;
    const [, id = '', level = 'MUST', text = ''] = match;
    if (requirements.some((r) => r.id === id)) throw new Error(`SPEC.md defines ${id} twice`);
    requirements.push({ id, level: level as Level, section, text });
  }
  return requirements;
}

let cached: Requirement[] | null = null;

export function loadSpec(): Requirement[] {
  cached ??= parseSpec(readFileSync(SPEC_PATH, 'utf8'));
  return cached;
}

export function requirementById(id: string): Requirement | undefined {
  return loadSpec().find((r) => r.id === id);
}
