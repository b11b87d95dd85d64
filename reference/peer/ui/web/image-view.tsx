/**
 * A picture: its bytes fetched from the peer's /download (capped) and shown
 * in an <img>. PNG, JPEG and the other raster types come from a blob: URL
 * of that image type (never anything a browser would run as a page). An
 * SVG never becomes a blob: URL: on this page's origin, opened as a page
 * ("Open image in new tab", a drag) its script would run here. It is shown
 * from a data: URL instead, which opened as a page has an opaque origin.
 * Blob URLs are revoked when the view goes away.
 */
import { useEffect, useState } from 'preact/hooks';
import { formatBytes } from './format.ts';
import { imageType, isSvg, MAX_IMAGE_PREVIEW_BYTES, MAX_SVG_PREVIEW_BYTES } from './file-kind.ts';
import { MessageText } from './message-text.tsx';
import { downloadUrl, fetchBytes, previewBlobUrl, svgDataUrl, type PeerAt, type Progress } from './peer-client.ts';
import { visibleText } from './peer-text.tsx';
import type { Report } from './problems.ts';
import { usePeerLoad } from './use-peer-load.ts';

interface Props {
  peer: PeerAt;
  segments: string[];
  name: string;
  report: Report;
}

interface Shown {
  url: string;
  /** A blob: URL to revoke, or a data: URL (nothing to revoke). */
  blob: boolean;
}

export function ImageView({ peer, segments, name, report }: Props) {
  const [progress, setProgress] = useState<Progress | null>(null);
  const [broken, setBroken] = useState(false);
  const svg = isSvg(name);
  const loaded = usePeerLoad<Shown>(
    `${peer.origin} ${JSON.stringify(segments)}`,
    async (signal) => {
      const blob = await fetchBytes(downloadUrl(peer.origin, segments), peer, svg ? '' : imageType(name), signal, setProgress, svg ? MAX_SVG_PREVIEW_BYTES : MAX_IMAGE_PREVIEW_BYTES);
      if (svg) return { url: await svgDataUrl(blob), blob: false };
      // Gone already: make no URL nobody would revoke.
      if (signal.aborted) throw new DOMException('gone', 'AbortError');
      return { url: previewBlobUrl(blob), blob: true };
    },
    report,
  );
  const shown = loaded.state === 'ready' ? loaded.value : null;
  useEffect(() => (shown?.blob ? () => URL.revokeObjectURL(shown.url) : undefined), [shown]);

  return (
    <div data-kind="image" class="preview-body">
      {loaded.state === 'loading' ? (
        <p class="note">Loading… {progress ? (progress.total !== null ? `${formatBytes(progress.received)} of ${formatBytes(progress.total)}` : formatBytes(progress.received)) : ''}</p>
      ) : null}
      {loaded.state === 'failed' ? (
        <p class="note">
          Not shown: <MessageText text={loaded.message} />
        </p>
      ) : null}
      {shown ? <img class="picture" src={shown.url} alt={visibleText(name)} onError={() => setBroken(true)} /> : null}
      {broken ? <p class="note">The browser cannot show this file as a picture: download it instead.</p> : null}
    </div>
  );
}
