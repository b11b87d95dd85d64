/**
 * A Markdown file, rendered by markdown.ts (sanitised, links and images
 * rewritten). Links inside the peer open here through `onOpenPath`;
 * `#fragment` links do nothing (they would rewrite our own URL).
 */
import { useEffect, useRef } from 'preact/hooks';
import { renderMarkdown } from './markdown.ts';
import { fetchBytes, fetchText } from './peer-client.ts';
import type { Report } from './problems.ts';
import { usePeerLoad } from './use-peer-load.ts';

interface Props {
  origin: string;
  segments: string[];
  report: Report;
  onOpenPath(segments: string[], isFolder: boolean): void;
}

/** SVG pictures in one document fetched as blobs, and how big each may be. */
const MAX_SVG_IMAGES = 40;
const MAX_SVG_BYTES = 4 * 1024 * 1024;

function internalPath(link: Element): string[] | null {
  const raw = link.getAttribute('data-rh-path');
  if (raw === null) return null;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) && parsed.every((s) => typeof s === 'string') ? (parsed as string[]) : null;
  } catch {
    return null;
  }
}

export function MarkdownView({ origin, segments, report, onOpenPath }: Props) {
  const loaded = usePeerLoad(`${origin} ${JSON.stringify(segments)}`, (signal) => fetchText(origin, segments, signal), report);
  const container = useRef<HTMLDivElement>(null);
  const text = loaded.state === 'ready' ? loaded.value : null;

  useEffect(() => {
    const element = container.current;
    if (!element || text === null) return;
    element.replaceChildren(renderMarkdown(text, { origin, folder: segments.slice(0, -1) }));
    const controller = new AbortController();
    const urls: string[] = [];
    for (const image of Array.from(element.querySelectorAll<HTMLImageElement>('img[data-rh-svg]')).slice(0, MAX_SVG_IMAGES)) {
      const src = image.getAttribute('data-rh-svg') ?? '';
      fetchBytes(src, origin, 'image/svg+xml', controller.signal, () => {}, MAX_SVG_BYTES).then(
        (blob) => {
          if (controller.signal.aborted) return;
          const url = URL.createObjectURL(blob);
          urls.push(url);
          image.src = url;
        },
        () => {}, // left as a broken picture with its alt text
      );
    }
    return () => {
      controller.abort();
      for (const url of urls) URL.revokeObjectURL(url);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text, origin]);

  const onClick = (event: MouseEvent) => {
    const target = event.target;
    const link = target instanceof Element ? target.closest('a') : null;
    if (!link || !container.current?.contains(link)) return;
    if (link.hasAttribute('data-rh-fragment')) return event.preventDefault();
    const path = internalPath(link);
    if (link.hasAttribute('data-rh-path')) {
      event.preventDefault();
      if (event.type === 'click' && path) onOpenPath(path, link.hasAttribute('data-rh-folder'));
    }
  };

  return (
    <div data-kind="markdown" class="preview-body">
      {loaded.state === 'loading' ? <p class="note">Loading…</p> : null}
      {loaded.state === 'failed' ? <p class="note">Not shown: {loaded.message}</p> : null}
      <div class="markdown" ref={container} hidden={text === null} onClick={onClick} onAuxClick={onClick} />
    </div>
  );
}
