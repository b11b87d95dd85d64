/**
 * Download with progress. Files up to BUFFERED_DOWNLOAD_MAX_BYTES are
 * fetched from the peer's /download with a reader (bytes received /
 * Content-Length), then handed to the browser through an <a download> on a
 * blob: URL of type application/octet-stream, so the browser saves rather
 * than shows it. Bigger files (by the listed size, the Content-Length, or
 * the bytes as they arrive) are never held in this tab's memory: a plain
 * link to the peer's /download (which answers Content-Disposition:
 * attachment) lets the browser download it itself, with its own progress.
 *
 * The page can only say it handed the bytes to the browser's downloads,
 * not that the file reached the disk: the words say exactly that.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatBytes } from './format.ts';
import { MessageText } from './message-text.tsx';
import { downloadUrl, fetchBytes, TOO_LARGE, type PeerAt, type Progress } from './peer-client.ts';
import { PeerText, visibleText } from './peer-text.tsx';
import { isAbort, Problem } from './problem.ts';
import type { Report } from './problems.ts';

/** Above this a download is not buffered in the tab: the browser fetches it itself. */
export const BUFFERED_DOWNLOAD_MAX_BYTES = 200 * 1024 * 1024;

interface Props {
  peer: PeerAt;
  segments: string[];
  name: string;
  /** The listed size, or null when the peer gave none we believe. */
  size: number | null;
  report: Report;
  /** The main action (files not shown here) or a secondary one. */
  primary?: boolean;
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'running'; progress: Progress }
  | { kind: 'done'; bytes: number }
  | { kind: 'failed'; message: string }
  /** Too big to buffer: the link instead, and why. */
  | { kind: 'direct'; reason: string | null };

/** Hands `blob` to the browser's downloads as `name`; false when the browser would not take it. */
export function saveBlob(blob: Blob, name: string): boolean {
  let url: string;
  try {
    url = URL.createObjectURL(blob.type === 'application/octet-stream' ? blob : new Blob([blob], { type: 'application/octet-stream' }));
  } catch {
    return false;
  }
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.rel = 'noopener';
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
  } catch {
    URL.revokeObjectURL(url);
    return false;
  }
  // Late enough for the save to have read it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return true;
}

export function DownloadControls({ peer, segments, name, size, report, primary = false }: Props) {
  const big = size !== null && size > BUFFERED_DOWNLOAD_MAX_BYTES;
  const [phase, setPhase] = useState<Phase>(big ? { kind: 'direct', reason: null } : { kind: 'idle' });
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);
  const href = downloadUrl(peer.origin, segments);
  const label = visibleText(name);

  const start = async () => {
    controller.current?.abort();
    const mine = new AbortController();
    controller.current = mine;
    setPhase({ kind: 'running', progress: { received: 0, total: null } });
    try {
      let shownAt = 0;
      const onProgress = (progress: Progress) => {
        // A render per chunk is wasted work: ten a second is plenty to watch.
        const now = performance.now();
        if (now - shownAt < 100 && progress.received !== progress.total) return;
        shownAt = now;
        if (!mine.signal.aborted) setPhase({ kind: 'running', progress });
      };
      const blob = await fetchBytes(href, peer, 'application/octet-stream', mine.signal, onProgress, BUFFERED_DOWNLOAD_MAX_BYTES);
      if (mine.signal.aborted) return;
      if (!saveBlob(blob, name)) throw new Problem('the browser did not accept the file for saving: try again, or free some memory', 'save_refused');
      setPhase({ kind: 'done', bytes: blob.size });
      report('preview', null);
    } catch (error) {
      if (isAbort(error) || mine.signal.aborted) return;
      if (error instanceof Problem && error.code === TOO_LARGE) {
        // It said (or sent) more than is sensible to hold here: let the browser do it.
        setPhase({ kind: 'direct', reason: `it is bigger than ${formatBytes(BUFFERED_DOWNLOAD_MAX_BYTES)} (whatever the listing said), too big to hold in this page` });
        report('preview', null);
        return;
      }
      setPhase({ kind: 'failed', message: error instanceof Problem ? error.message : 'the download failed: try again' });
      report('preview', error);
    }
  };

  if (phase.kind === 'direct') {
    return (
      <div class="download">
        {/* A new tab: a peer that drops Content-Disposition gets its own tab, under its own origin, never this page's. */}
        <a id="download" class={primary ? 'button primary' : 'button'} href={href} target="_blank" rel="noopener noreferrer">
          Download ({formatBytes(size)})
        </a>
        <span id="download-status" class="note" aria-live="polite">
          {phase.reason ? `Not fetched by this page: ${phase.reason}. ` : ''}
          The link hands it to your browser’s downloads, which show its progress.
        </span>
      </div>
    );
  }

  const running = phase.kind === 'running';
  let status;
  if (phase.kind === 'running') {
    const { received, total } = phase.progress;
    status = total !== null ? `${formatBytes(received)} of ${formatBytes(total)} (${received} of ${total} bytes)` : `${formatBytes(received)} (${received} bytes)`;
  } else if (phase.kind === 'done') {
    status = (
      <>
        Handed <PeerText text={name} /> ({formatBytes(phase.bytes)}, {phase.bytes} bytes) to your browser’s downloads: done
      </>
    );
  } else if (phase.kind === 'failed') {
    status = (
      <>
        Download failed: <MessageText text={phase.message} />
      </>
    );
  }

  return (
    <div class="download">
      <button type="button" id="download" class={primary ? 'primary' : undefined} disabled={running} onClick={() => void start()}>
        {running ? 'Downloading…' : `Download (${formatBytes(size)})`}
      </button>
      {running && phase.progress.total !== null ? (
        <progress id="download-progress" max={Math.max(phase.progress.total, 1)} value={phase.progress.received} aria-label={`Downloading ${label}`} />
      ) : running ? (
        <progress id="download-progress" aria-label={`Downloading ${label}`} />
      ) : phase.kind === 'done' ? (
        <progress id="download-progress" max={Math.max(phase.bytes, 1)} value={Math.max(phase.bytes, 1)} aria-label={`Downloaded ${label}`} />
      ) : null}
      <span id="download-status" class="note" aria-live="polite" aria-busy={running ? 'true' : undefined}>
        {status}
      </span>
    </div>
  );
}
