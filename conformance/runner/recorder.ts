/**
 * Which requirement each check verifies. Every check inside a case records
 * the requirement it judges (SPEC ids), so a case that checks READY-5 and
 * LOOKUP-5 together judges both: a requirement fails when any of its checks
 * fails, and passes only on checks that ran. The recorder of the running
 * attempt is found through AsyncLocalStorage, so the verifiers stay plain
 * functions that cases call without threading a context through.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Finding, FindingOutcome } from './types.ts';

/** The requirement that error codes and error body shapes are judged under (SHOULD: clients rely on the status). */
export const ERROR_BODY_REQUIREMENT = 'ERR-1';
/** The requirement a 5xx, a dropped connection or a race breaks. */
export const ROBUSTNESS_REQUIREMENT = 'ERR-5';

/** A case under load can see hundreds of distinct failures; the first ones say what is wrong. */
export const MAX_FINDINGS_PER_CASE = 20;

export class CheckRecorder {
  readonly findings: Finding[] = [];
  readonly checked = new Set<string>();
  constructor(readonly defaultRequirement: string) {}

  pass(requirement: string = this.defaultRequirement): void {
    this.checked.add(requirement);
  }

  find(outcome: FindingOutcome, requirement: string, expected: string, actual: string): void {
    // The same defect seen twice in one case is one finding (a 5xx on every retry of a step).
    if (this.findings.some((f) => f.requirement === requirement && f.outcome === outcome && f.expected === expected)) return;
    if (this.findings.length >= MAX_FINDINGS_PER_CASE) {
      this.omitted += 1;
      return;
    }
    this.findings.push({ requirement, outcome, expected, actual });
  }

  /** Findings past the cap, counted so the report can say so. */
  omitted = 0;
}

const storage = new AsyncLocalStorage<CheckRecorder>();

export function runWithRecorder<T>(recorder: CheckRecorder, fn: () => Promise<T>): Promise<T> {
  return storage.run(recorder, fn);
}

export function currentRecorder(): CheckRecorder | undefined {
  return storage.getStore();
}
