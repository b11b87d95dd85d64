/**
 * The global error line (#error): the latest problem and where it came
 * from, so that a later success from the same place clears it. Any
 * "bridge gone" is filed under `bridge`, which the event stream clears
 * once it is connected again.
 */
import { useCallback, useState } from 'preact/hooks';
import { isAbort, Problem } from './problem.ts';

export type ProblemSource = 'bridge' | 'peers' | 'friends' | 'files' | 'preview';

export interface ShownProblem {
  source: ProblemSource;
  message: string;
}

export type Report = (source: ProblemSource, problem: unknown) => void;

export function useProblems(): { problem: ShownProblem | null; report: Report } {
  const [problem, setProblem] = useState<ShownProblem | null>(null);
  /** `problem` null clears that source's line; an AbortError is ignored. */
  const report = useCallback<Report>((source, value) => {
    if (value === null || value === undefined) {
      setProblem((shown) => (shown && shown.source === source ? null : shown));
      return;
    }
    if (isAbort(value)) return;
    const message = value instanceof Problem ? value.message : typeof value === 'string' ? value : 'something went wrong in this page: reload it';
    const filed: ProblemSource = value instanceof Problem && value.code === 'bridge_gone' ? 'bridge' : source;
    if (!(value instanceof Problem) && typeof value !== 'string') console.error(value);
    setProblem({ source: filed, message });
  }, []);
  return { problem, report };
}
