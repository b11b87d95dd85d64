/**
 * Download with progress: the bytes are fetched from the peer's /download
 * with a reader (bytes received / Content-Length), then saved through an
 * <a download> on a blob: URL of type application/octet-stream, so the
 * browser saves rather than shows it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatBytes } from './format.ts';
import { downloadUrl, fetchBytes, type Progress } from './peer-client.ts';
import { isAbort, Problem } from './problem.ts';
import type { Report } from './problems.ts';

interface Props {
  origin: string;
  segments: string[];
  name: string;
  size: number;
  report: Report;
  /** The main action (files not shown here) or a secondary one. */
  primary?: boolean;
}

type Phase = { kind: 'idle' } | { kind: 'running'; progress: Progress } | { kind: 'done'; bytes: number } | { kind: 'failed'; message: string };

export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob.type === 'application/octet-stream' ? blob : new Blob([blob], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Late enough for the save to have read it.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function DownloadControls({ origin, segments, name, size, report, primary = false }: Props) {
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);

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
      const blob = await fetchBytes(downloadUrl(origin, segments), origin, 'application/octet-stream', mine.signal, onProgress);
      saveBlob(blob, name);
      setPhase({ kind: 'done', bytes: blob.size });
      report('preview', null);
    } catch (error) {
      if (isAbort(error)) return;
      setPhase({ kind: 'failed', message: error instanceof Problem ? error.message : 'the download failed: try again' });
      report('preview', error);
    }
  };

  const running = phase.kind === 'running';
  let status = '';
  if (phase.kind === 'running') {
    const { received, total } = phase.progress;
    status = total !== null ? `${formatBytes(received)} of ${formatBytes(total)} (${received} of ${total} bytes)` : `${formatBytes(received)} (${received} bytes)`;
  } else if (phase.kind === 'done') status = `Saved ${name}: ${formatBytes(phase.bytes)} (${phase.bytes} bytes), done`;
  else if (phase.kind === 'failed') status = `Download failed: ${phase.message}`;

  return (
    <div class="download">
      <button type="button" id="download" class={primary ? 'primary' : undefined} disabled={running} onClick={() => void start()}>
        {running ? 'Downloading…' : `Download (${formatBytes(size)})`}
      </button>
      {running && phase.progress.total !== null ? (
        <progress id="download-progress" max={Math.max(phase.progress.total, 1)} value={phase.progress.received} aria-label={`Downloading ${name}`} />
      ) : running ? (
        <progress id="download-progress" aria-label={`Downloading ${name}`} />
      ) : phase.kind === 'done' ? (
        <progress id="download-progress" max={Math.max(phase.bytes, 1)} value={Math.max(phase.bytes, 1)} aria-label={`Downloaded ${name}`} />
      ) : null}
      <span id="download-status" class="note" aria-live="polite" aria-busy={running ? 'true' : undefined}>
        {status}
      </span>
    </div>
  );
}
