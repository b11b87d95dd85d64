/**
 * From case results to one verdict per requirement. A case's failure counts
 * against its primary requirement (its first id): that is the one the case
 * was written to check, so the report names the requirement that broke.
 * Failures of SHOULD and MAY requirements are warnings.
 */
import type { Baseline } from './baseline.ts';
import type { CaseResult, Requirement, RequirementResult, RequirementVerdict } from './types.ts';

export function aggregateRequirements(spec: Requirement[], results: CaseResult[], baseline: Baseline, selectedPrimaries: Set<string>): RequirementResult[] {
  return spec.map((requirement) => {
    const primary = results.filter((r) => r.requirements[0] === requirement.id);
    const verdict = verdictOf(requirement, primary, selectedPrimaries.has(requirement.id));
    const failing = primary.filter((r) => r.verdict === 'fail');
    const baselined = failing.length > 0 && (baseline.covers(requirement.id) || failing.every((r) => baseline.covers(r.caseId)));
    return {
      id: requirement.id,
      level: requirement.level,
      section: requirement.section,
      text: requirement.text,
      verdict,
      baselined,
      caseIds: results.filter((r) => r.requirements.includes(requirement.id)).map((r) => r.caseId),
    };
  });
}

function verdictOf(requirement: Requirement, primary: CaseResult[], selected: boolean): RequirementVerdict {
  if (!selected || primary.length === 0) return 'untested';
  if (primary.some((r) => r.verdict === 'fail')) return requirement.level === 'MUST' ? 'fail' : 'warn';
  if (primary.every((r) => r.verdict === 'skip')) return 'skip';
  return 'pass';
}
