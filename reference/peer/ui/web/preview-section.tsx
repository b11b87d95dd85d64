/** The open file: a header (name, size, date), its view by kind, and a download. */
import { Fragment } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { OpenFile } from './browser-state.ts';
import { DownloadControls } from './download-controls.tsx';
import { isSvg, MAX_IMAGE_PREVIEW_BYTES, MAX_SVG_PREVIEW_BYTES, MAX_TEXT_PREVIEW_BYTES, previewKind, type PreviewKind } from './file-kind.ts';
import { formatBytes, formatDate } from './format.ts';
import { ImageView } from './image-view.tsx';
import { MarkdownView } from './markdown-view.tsx';
import { MediaView } from './media-view.tsx';
import type { PeerAt } from './peer-client.ts';
import { PeerText } from './peer-text.tsx';
import type { Report } from './problems.ts';
import { TextView } from './text-view.tsx';

interface Props {
  file: OpenFile | null;
  report: Report;
  onOpenPath(segments: string[], isFolder: boolean): void;
}

/** The most a preview of this kind reads (whatever size the listing claims). */
export function previewLimit(kind: PreviewKind, name: string): number {
  if (kind === 'text' || kind === 'markdown') return MAX_TEXT_PREVIEW_BYTES;
  if (kind === 'image') return isSvg(name) ? MAX_SVG_PREVIEW_BYTES : MAX_IMAGE_PREVIEW_BYTES;
  return Infinity;
}

function kindFor(file: OpenFile): { kind: PreviewKind; tooBig: boolean } {
  const kind = previewKind(file.entry.name);
  const size = file.entry.size;
  return size !== null && size > previewLimit(kind, file.entry.name) ? { kind: 'download', tooBig: true } : { kind, tooBig: false };
}

export function PreviewSection({ file, report, onOpenPath }: Props) {
  return (
    <section id="preview" class="card" aria-labelledby="preview-title">
      <h2 id="preview-title">Preview</h2>
      {file ? <FilePreview key={file.id} file={file} report={report} onOpenPath={onOpenPath} /> : <p class="note">Open a file to see it here.</p>}
    </section>
  );
}

function FilePreview({ file, report, onOpenPath }: { file: OpenFile; report: Report; onOpenPath: Props['onOpenPath'] }) {
  const { entry } = file;
  const peer: PeerAt = { origin: file.origin, email: file.email };
  const segments = [...file.folder, entry.name];
  const { kind, tooBig } = kindFor(file);
  const heading = useRef<HTMLHeadingElement>(null);

  // A file the person opened (by keyboard too): the preview's heading takes the
  // focus and comes into view, as the visit's heading does (on one column the
  // preview is far below the list).
  useEffect(() => {
    const element = heading.current;
    if (!file.chosen || !element) return;
    element.focus({ preventScroll: true });
    const box = element.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) element.closest('article')?.scrollIntoView({ block: 'start' });
  }, [file.chosen]);

  const download = <DownloadControls peer={peer} segments={segments} name={entry.name} size={entry.size} report={report} primary={kind === 'download'} />;
  let view;
  switch (kind) {
    case 'text':
      view = <TextView peer={peer} segments={segments} report={report} />;
      break;
    case 'markdown':
      view = <MarkdownView peer={peer} segments={segments} report={report} onOpenPath={onOpenPath} />;
      break;
    case 'image':
      view = <ImageView peer={peer} segments={segments} name={entry.name} report={report} />;
      break;
    case 'audio':
    case 'video':
      view = <MediaView kind={kind} origin={file.origin} segments={segments} name={entry.name} />;
      break;
    case 'download':
      view = (
        <div data-kind="download" class="preview-body">
          <p class="note">{tooBig ? 'This file is too big to preview here.' : 'This kind of file is not shown here.'} Download it to open it on this computer.</p>
          {download}
        </div>
      );
      break;
  }
  return (
    <article class="file-preview" aria-labelledby="preview-name">
      <header class="preview-head">
        <h3 id="preview-name" class="wrap-any" tabIndex={-1} ref={heading}>
          <PeerText text={entry.name} />
        </h3>
        <p class="meta">
          <span>{formatBytes(entry.size)}</span>
          <span>modified {formatDate(entry.mtime)}</span>
          <span class="wrap-any">
            in /
            {file.folder.map((part, i) => (
              <Fragment key={i}>
                {i > 0 ? '/' : ''}
                <PeerText text={part} />
              </Fragment>
            ))}
          </span>
        </p>
      </header>
      {kind !== 'download' ? download : null}
      {view}
    </article>
  );
}
