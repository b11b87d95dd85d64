/**
 * Ctrl-C for long runs: the first SIGINT aborts the signal returned here,
 * so the run stops starting work, writes what it has (marked partial) and
 * exits 130; a second SIGINT exits 130 at once, writing nothing more.
 */
export const EXIT_INTERRUPTED = 130;

export { partialMark, withPartial, type PartialMark } from '../../reference/shared/partial-mark.ts';

export interface Interrupt {
  signal: AbortSignal;
  /** Stops listening (the run is over, whichever way). */
  dispose(): void;
}

export function onInterrupt(say: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Interrupt {
  const controller = new AbortController();
  const handler = (): void => {
    if (controller.signal.aborted) {
      say('interrupted again: exiting now, without writing');
      process.exit(EXIT_INTERRUPTED);
    }
    say('interrupted: stopping and writing what is done, marked partial (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', handler);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', handler) };
}
