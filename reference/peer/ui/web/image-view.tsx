/**
 * A picture: its bytes fetched from the peer's /download and shown from a
 * blob: URL typed by the file's extension (SVG too: as an <img>, where its
 * scripts never run). The URL is revoked when the view goes away.
 */
import { useEffect, useState } from 'preact/hooks';
import { formatBytes } from './format.ts';
import { imageType, MAX_IMAGE_PREVIEW_BYTES } from './file-kind.ts';
import { downloadUrl, fetchBytes, type Progress } from './peer-client.ts';
import type { Report } from './problems.ts';
import { usePeerLoad } from './use-peer-load.ts';

interface Props {
  origin: string;
  segments: string[];
  name: string;
  report: Report;
}

export function ImageView({ origin, segments, name, report }: Props) {
  const [progress, setProgress] = useState<Progress | null>(null);
  const [broken, setBroken] = useState(false);
  const loaded = usePeerLoad(
    `${origin} ${JSON.stringify(segments)}`,
    async (signal) => {
      const blob = await fetchBytes(downloadUrl(origin, segments), origin, imageType(name), signal, setProgress, MAX_IMAGE_PREVIEW_BYTES);
      // Gone already: make no URL nobody would revoke.
      if (signal.aborted) throw new DOMException('gone', 'AbortError');
      return URL.createObjectURL(blob);
    },
    report,
  );
  const url = loaded.state === 'ready' ? loaded.value : null;
  useEffect(() => (url ? () => URL.revokeObjectURL(url) : undefined), [url]);

  return (
    <div data-kind="image" class="preview-body">
      {loaded.state === 'loading' ? (
        <p class="note">Loading… {progress ? (progress.total !== null ? `${formatBytes(progress.received)} of ${formatBytes(progress.total)}` : formatBytes(progress.received)) : ''}</p>
      ) : null}
      {loaded.state === 'failed' ? <p class="note">Not shown: {loaded.message}</p> : null}
      {url ? <img class="picture" src={url} alt={name} onError={() => setBroken(true)} /> : null}
      {broken ? <p class="note">The browser cannot show this file as a picture: download it instead.</p> : null}
    </div>
  );
}
