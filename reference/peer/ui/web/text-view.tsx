import { MAX_TEXT_PREVIEW_BYTES } from './file-kind.ts';
import { formatBytes } from './format.ts';
import { fetchText, TOO_LARGE, type PeerAt } from './peer-client.ts';
import { MessageText } from './message-text.tsx';
import { DocumentText } from './peer-text.tsx';
import { Problem } from './problem.ts';
import type { Report } from './problems.ts';
import { usePeerLoad } from './use-peer-load.ts';

/**
 * A file's text for a preview, read no further than MAX_TEXT_PREVIEW_BYTES:
 * a peer can list a file as 10 bytes and then send gigabytes.
 */
export async function previewText(peer: PeerAt, segments: string[], signal: AbortSignal): Promise<string> {
  try {
    return await fetchText(peer, segments, signal, MAX_TEXT_PREVIEW_BYTES);
  } catch (error) {
    if (error instanceof Problem && error.code === TOO_LARGE) {
      throw new Problem(`this file is bigger than ${formatBytes(MAX_TEXT_PREVIEW_BYTES)} (whatever the listing said), too large to preview here: download it instead`, TOO_LARGE);
    }
    throw error;
  }
}

/** Any text file, shown as text only (text in a <pre>, never parsed as HTML; bidi controls shown). */
export function TextView({ peer, segments, report }: { peer: PeerAt; segments: string[]; report: Report }) {
  const loaded = usePeerLoad(`${peer.origin} ${JSON.stringify(segments)}`, (signal) => previewText(peer, segments, signal), report);
  return (
    <div data-kind="text" class="preview-body">
      {loaded.state === 'loading' ? (
        <p class="note">Loading…</p>
      ) : loaded.state === 'failed' ? (
        <p class="note">
          Not shown: <MessageText text={loaded.message} />
        </p>
      ) : (
        <pre class="text-file">
          <DocumentText text={loaded.value} />
        </pre>
      )}
    </div>
  );
}
