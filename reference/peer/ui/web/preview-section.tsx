/** The open file: a header (name, size, date), its view by kind, and a download. */
import type { OpenFile } from './browser-state.ts';
import { DownloadControls } from './download-controls.tsx';
import { MAX_IMAGE_PREVIEW_BYTES, MAX_TEXT_PREVIEW_BYTES, previewKind, type PreviewKind } from './file-kind.ts';
import { formatBytes, formatDate } from './format.ts';
import { ImageView } from './image-view.tsx';
import { MarkdownView } from './markdown-view.tsx';
import { MediaView } from './media-view.tsx';
import type { Report } from './problems.ts';
import { TextView } from './text-view.tsx';

interface Props {
  file: OpenFile | null;
  report: Report;
  onOpenPath(segments: string[], isFolder: boolean): void;
}

function kindFor(file: OpenFile): { kind: PreviewKind; tooBig: boolean } {
  const kind = previewKind(file.entry.name);
  const limit = kind === 'text' || kind === 'markdown' ? MAX_TEXT_PREVIEW_BYTES : kind === 'image' ? MAX_IMAGE_PREVIEW_BYTES : Infinity;
  return file.entry.size > limit ? { kind: 'download', tooBig: true } : { kind, tooBig: false };
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
  const { origin, entry } = file;
  const segments = [...file.folder, entry.name];
  const { kind, tooBig } = kindFor(file);
  const download = <DownloadControls origin={origin} segments={segments} name={entry.name} size={entry.size} report={report} primary={kind === 'download'} />;
  let view;
  switch (kind) {
    case 'text':
      view = <TextView origin={origin} segments={segments} report={report} />;
      break;
    case 'markdown':
      view = <MarkdownView origin={origin} segments={segments} report={report} onOpenPath={onOpenPath} />;
      break;
    case 'image':
      view = <ImageView origin={origin} segments={segments} name={entry.name} report={report} />;
      break;
    case 'audio':
    case 'video':
      view = <MediaView kind={kind} origin={origin} segments={segments} name={entry.name} />;
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
        <h3 id="preview-name" class="wrap-any">
          {entry.name}
        </h3>
        <p class="meta">
          <span>{formatBytes(entry.size)}</span>
          <span>modified {formatDate(entry.mtime)}</span>
          <span class="wrap-any">in /{file.folder.join('/')}</span>
        </p>
      </header>
      {kind !== 'download' ? download : null}
      {view}
    </article>
  );
}
