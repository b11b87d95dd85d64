/** Loads something from a peer once per key; aborted when the view goes away. */
import { useEffect, useState } from 'preact/hooks';
import { isAbort, Problem } from './problem.ts';
import type { ProblemSource, Report } from './problems.ts';

export type Loaded<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; message: string };

export function usePeerLoad<T>(key: string, load: (signal: AbortSignal) => Promise<T>, report: Report, source: ProblemSource = 'preview'): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    setLoaded({ state: 'loading' });
    load(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setLoaded({ state: 'ready', value });
        report(source, null);
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbort(error)) return;
        setLoaded({ state: 'failed', message: error instanceof Problem ? error.message : 'this file could not be shown' });
        report(source, error);
      },
    );
    return () => controller.abort();
    // `load` is rebuilt each render; the key says when it really changed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return loaded;
}
