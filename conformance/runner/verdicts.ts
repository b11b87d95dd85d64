/**
 * From case results to one verdict per requirement. Every check records
 * the requirement it verifies, so a requirement is judged by its own
 * checks wherever they ran: it fails when any of them failed (a SHOULD or
 * MAY warns), is non-strict when only non-strict findings fell under it,
 * and passes only when checks of it held. A requirement none of whose
 * checks ran takes the kind of why not: unimplemented (an endpoint is
 * missing), blocked (a setup step failed), skipped, or not applicable.
 * Root causes (failed setup steps) are failures of the requirement they break.
 */
import type { Baseline } from './baseline.ts';
import type { CaseResult, Finding, Requirement, RequirementResult, RequirementVerdict, RootCause, UnimplementedEndpoint } from './types.ts';

/** Findings that count: a harness error is the suite's bug, not the relay's (an intermittent case's findings were already reattributed to ERR-5 by the runner). */
const countedFindings = (c: CaseResult): Finding[] => (c.verdict === 'harness-error' ? [] : c.findings);

export function rootCausesOf(results: CaseResult[]): RootCause[] {
  const byKey = new Map<string, RootCause>();
  for (const c of results) {
    if (c.verdict !== 'blocked' || !c.blocker) continue;
    const cause = byKey.get(c.blocker.key) ?? { key: c.blocker.key, requirement: c.blocker.requirement, expected: c.blocker.expected, actual: c.blocker.actual, caseIds: [], blocks: [] };
    cause.caseIds.push(c.caseId);
    for (const id of c.requirements) if (!cause.blocks.includes(id)) cause.blocks.push(id);
    byKey.set(c.blocker.key, cause);
  }
  return [...byKey.values()].sort((a, b) => b.caseIds.length - a.caseIds.length);
}

export function unimplementedOf(results: CaseResult[]): UnimplementedEndpoint[] {
  const byEndpoint = new Map<string, UnimplementedEndpoint>();
  for (const c of results) {
    if (c.verdict !== 'unimplemented' || !c.unimplemented) continue;
    const status = Number(/HTTP (\d+)/.exec(c.actual ?? '')?.[1] ?? 404);
    const entry = byEndpoint.get(c.unimplemented) ?? { endpoint: c.unimplemented, status, caseIds: [], blocks: [] };
    entry.caseIds.push(c.caseId);
    for (const id of c.requirements) if (!entry.blocks.includes(id)) entry.blocks.push(id);
    byEndpoint.set(c.unimplemented, entry);
  }
  return [...byEndpoint.values()];
}

export function aggregateRequirements(spec: Requirement[], results: CaseResult[], baseline: Baseline, rootCauses: RootCause[]): RequirementResult[] {
  return spec.map((requirement) => {
    const id = requirement.id;
    const involved = results.filter((c) => c.requirements.includes(id) || c.checked.includes(id) || c.findings.some((f) => f.requirement === id));
    const failingCases = results.filter((c) => countedFindings(c).some((f) => f.requirement === id));
    const causes = rootCauses.filter((r) => r.requirement === id);
    const verdict = verdictOf(requirement, results, failingCases, causes.length > 0);
    const failingIds = [...new Set([...failingCases.map((c) => c.caseId), ...causes.flatMap((r) => r.caseIds)])];
    const failed = verdict === 'fail' || verdict === 'warn' || verdict === 'unimplemented' || verdict === 'blocked' || verdict === 'non-strict';
    const named = results.filter((c) => c.requirements[0] === id && ['fail', 'unimplemented', 'blocked'].includes(c.verdict)).map((c) => c.caseId);
    const coveredIds = [...failingIds, ...named];
    const baselined = failed && (baseline.covers(id) || (coveredIds.length > 0 && coveredIds.every((caseId) => baseline.covers(caseId))));
    return {
      id,
      level: requirement.level,
      section: requirement.section,
      text: requirement.text,
      verdict,
      baselined,
      caseIds: involved.map((c) => c.caseId),
      failingCaseIds: failingIds,
    };
  });
}

function verdictOf(requirement: Requirement, results: CaseResult[], failingCases: CaseResult[], rootCause: boolean): RequirementVerdict {
  const id = requirement.id;
  const findings = failingCases.flatMap((c) => countedFindings(c).filter((f) => f.requirement === id));
  if (rootCause || findings.some((f) => f.outcome === 'fail')) return requirement.level === 'MUST' ? 'fail' : 'warn';
  if (findings.length > 0) return 'non-strict';
  // Cases written for this requirement that never reached their checks.
  const primary = results.filter((c) => c.requirements[0] === id);
  if (primary.some((c) => c.verdict === 'unimplemented')) return 'unimplemented';
  if (primary.some((c) => c.verdict === 'blocked')) return 'blocked';
  // A case written for it that was skipped leaves part of it unchecked: never a pass (AUTH-5 with only the trusted-proxy half run).
  if (primary.some((c) => c.verdict === 'skip')) return 'skip';
  if (results.some((c) => c.checked.includes(id))) return 'pass';
  // Unchecked: say why from the cases written for it. A case that only names it too (a secondary id) and
  // did not run leaves it untested, so `--only EXP-1*` never reports the model case's other ids as skipped.
  if (primary.some((c) => c.verdict === 'not-applicable')) return 'not-applicable';
  return 'untested';
}
