/**
 * The coverage table: each requirement with the cases that check it
 * (primary: the case names it first and its failure is reported against it).
 * `npx tsx conformance/runner/coverage.ts` rewrites conformance/COVERAGE.md;
 * a project test fails when that file is stale, when a MUST has no primary
 * case, or when a case names an id SPEC.md does not define.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConformanceCase, Requirement } from './types.ts';

export interface CoverageProblems {
  mustWithoutCase: string[];
  unknownIds: Array<{ caseId: string; id: string }>;
  duplicateCaseIds: string[];
}

export function coverageProblems(spec: Requirement[], cases: ConformanceCase[]): CoverageProblems {
  const known = new Set(spec.map((r) => r.id));
  const primaries = new Set(cases.map((c) => c.requirements[0]));
  const seen = new Set<string>();
  const duplicateCaseIds: string[] = [];
  for (const c of cases) {
    if (seen.has(c.id)) duplicateCaseIds.push(c.id);
    seen.add(c.id);
  }
  return {
    mustWithoutCase: spec.filter((r) => r.level === 'MUST' && !primaries.has(r.id)).map((r) => r.id),
    unknownIds: cases.flatMap((c) => [c.id.split('/')[0] ?? '', ...c.requirements].filter((id) => !known.has(id)).map((id) => ({ caseId: c.id, id }))),
    duplicateCaseIds,
  };
}

export function coverageMarkdown(spec: Requirement[], cases: ConformanceCase[]): string {
  const lines = [
    '# Conformance coverage',
    '',
    'Generated from `conformance/SPEC.md` and `conformance/cases/` by `npx tsx conformance/runner/coverage.ts`; do not edit.',
    'Primary cases are written for the requirement; secondary ones also check it. A table-driven case is one sub-case per input',
    '(`READY-2/invalid-port[3.5]`), shown here once with its number of inputs. Besides these, every check of any case can',
    'fall under ERR-5 (a 5xx or a dropped connection anywhere) and ERR-1 (an error code or body shape other than the SPEC\'s).',
    '',
    '| Requirement | Level | Primary cases | Also exercised by |',
    '|---|---|---|---|',
  ];
  for (const r of spec) {
    const primary = grouped(cases.filter((c) => c.requirements[0] === r.id));
    const secondary = grouped(cases.filter((c) => c.requirements.slice(1).includes(r.id)));
    lines.push(`| ${r.id} | ${r.level} | ${primary.join('<br>') || '**none**'} | ${secondary.join('<br>')} |`);
  }
  const musts = spec.filter((r) => r.level === 'MUST');
  const covered = musts.filter((r) => cases.some((c) => c.requirements[0] === r.id));
  lines.push('', `${spec.length} requirements (${musts.length} MUST), ${cases.length} cases; ${covered.length}/${musts.length} MUST requirements have a primary case.`, '');
  return lines.join('\n');
}

/** Sub-cases `ID[input]` collapse to `ID` with their count. */
function grouped(cases: ConformanceCase[]): string[] {
  const counts = new Map<string, number>();
  for (const c of cases) {
    const base = c.id.replace(/\[.*\]$/s, '');
    counts.set(base, (counts.get(base) ?? 0) + (base === c.id ? 0 : 1));
  }
  return [...counts].map(([base, inputs]) => (inputs > 0 ? `\`${base}[…]\` (${inputs} inputs)` : `\`${base}\``));
}

export const COVERAGE_PATH = new URL('../COVERAGE.md', import.meta.url);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { loadSpec } = await import('./spec.ts');
  const { ALL_CASES } = await import('../cases/index.ts');
  writeFileSync(COVERAGE_PATH, coverageMarkdown(loadSpec(), ALL_CASES));
  process.stdout.write(`wrote ${fileURLToPath(COVERAGE_PATH)}\n`);
}
