import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_CASES } from './cases/index.ts';
import { COVERAGE_PATH, coverageMarkdown, coverageProblems } from './runner/coverage.ts';
import { SPEC_ERROR_CODES } from './runner/error-codes.ts';
import { loadSpec, parseSpec } from './runner/spec.ts';
import { ERROR_STATUS } from '../reference/shared/errors.ts';

describe('SPEC.md and its coverage', () => {
  const spec = loadSpec();

  it('defines requirements with ids, levels and sections', () => {
    expect(spec.length).toBeGreaterThan(50);
    for (const r of spec) expect(r.section).toBe(r.id.split('-')[0]);
    expect(spec.find((r) => r.id === 'REG-11')?.level).toBe('MAY');
    expect(spec.find((r) => r.id === 'REG-8')?.level).toBe('SHOULD');
  });

  it('gives every MUST a primary case and names no unknown id', () => {
    expect(coverageProblems(spec, ALL_CASES)).toEqual({ mustWithoutCase: [], unknownIds: [], duplicateCaseIds: [] });
  });

  it('catches a MUST without a case and a case with an unknown id', () => {
    const extra = parseSpec('## ZZZ: x\n\n**ZZZ-1** (MUST): a new rule.\n');
    const bogus = { id: 'NOPE-1/x', requirements: ['NOPE-1'], title: 'x', run: async () => {} };
    const problems = coverageProblems([...spec, ...extra], [...ALL_CASES, bogus]);
    expect(problems.mustWithoutCase).toEqual(['ZZZ-1']);
    expect(problems.unknownIds).toEqual([{ caseId: 'NOPE-1/x', id: 'NOPE-1' }, { caseId: 'NOPE-1/x', id: 'NOPE-1' }]);
  });

  it('keeps COVERAGE.md generated from the current spec and cases', () => {
    expect(readFileSync(COVERAGE_PATH, 'utf8')).toBe(coverageMarkdown(spec, ALL_CASES));
  });

  it("lists exactly the reference relay's client-visible error codes", () => {
    const operatorSide = new Set(['store_unavailable', 'internal_error']);
    const reference = Object.keys(ERROR_STATUS).filter((c) => !operatorSide.has(c)).sort();
    expect([...SPEC_ERROR_CODES].sort()).toEqual(reference);
  });

  it('gives, in its error table, exactly the codes and statuses the reference relay uses', () => {
    const text = readFileSync(new URL('./SPEC.md', import.meta.url), 'utf8');
    const table = Object.fromEntries([...text.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(table).toEqual({ ...ERROR_STATUS });
  });

  it('mentions every error code in SPEC.md', () => {
    const text = readFileSync(new URL('./SPEC.md', import.meta.url), 'utf8');
    const missing = SPEC_ERROR_CODES.filter((c) => !text.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });
});
