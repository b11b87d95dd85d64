import { fetchText } from './peer-client.ts';
import type { Report } from './problems.ts';
import { usePeerLoad } from './use-peer-load.ts';

/** Any text file, shown as text only (a text node in a <pre>, never parsed as HTML). */
export function TextView({ origin, segments, report }: { origin: string; segments: string[]; report: Report }) {
  const loaded = usePeerLoad(`${origin} ${JSON.stringify(segments)}`, (signal) => fetchText(origin, segments, signal), report);
  return (
    <div data-kind="text" class="preview-body">
      {loaded.state === 'loading' ? <p class="note">Loading…</p> : loaded.state === 'failed' ? <p class="note">Not shown: {loaded.message}</p> : <pre class="text-file">{loaded.value}</pre>}
    </div>
  );
}
