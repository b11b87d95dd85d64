import { lineClass, MessageText } from './message-text.tsx';
import type { ShownProblem } from './problems.ts';

/** The page's one error line; always present (a live region), empty when all is well. */
export function ErrorLine({ problem }: { problem: ShownProblem | null }) {
  return (
    <p id="error" role="alert" class={lineClass('error-line', problem?.message)} data-source={problem?.source}>
      {problem ? <MessageText text={problem.message} /> : null}
    </p>
  );
}
