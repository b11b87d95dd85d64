/** Audio and video, played straight from the peer's /download (which answers Range requests); never a blob: URL. */
import { useState } from 'preact/hooks';
import { downloadUrl } from './peer-client.ts';
import { visibleText } from './peer-text.tsx';

interface Props {
  kind: 'audio' | 'video';
  origin: string;
  segments: string[];
  name: string;
}

export function MediaView({ kind, origin, segments, name }: Props) {
  const [failed, setFailed] = useState(false);
  const src = downloadUrl(origin, segments);
  const onError = () => setFailed(true);
  const label = visibleText(name);
  return (
    <div data-kind={kind} class="preview-body">
      {kind === 'audio' ? (
        <audio class="media" controls preload="metadata" src={src} aria-label={label} onError={onError} />
      ) : (
        <video class="media" controls preload="metadata" src={src} aria-label={label} onError={onError} />
      )}
      {failed ? <p class="note">The browser cannot play this file (or the peer stopped answering): download it instead, or Visit again.</p> : null}
    </div>
  );
}
