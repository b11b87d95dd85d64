/**
 * A Markdown file, rendered by markdown.ts (sanitised, links and images
 * rewritten). Links inside the peer open here through `onOpenPath`;
 * `#fragment` links do nothing (they would rewrite our own URL).
 *
 * Pictures from other hosts wait for "Show remote images". Markdown too
 * complex to draw (or that makes marked itself fail) is shown as plain
 * text with a one-line note, never as a part of the page that failed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { MarkdownTooComplex, renderMarkdown, type RenderedMarkdown } from './markdown.ts';
import { MessageText } from './message-text.tsx';
import { fetchBytes, svgDataUrl, type PeerAt } from './peer-client.ts';
import { DocumentText } from './peer-text.tsx';
import type { Report } from './problems.ts';
import { previewText } from './text-view.tsx';
import { usePeerLoad } from './use-peer-load.ts';

interface Props {
  peer: PeerAt;
  segments: string[];
  report: Report;
  onOpenPath(segments: string[], isFolder: boolean): void;
}

/** SVG pictures in one document fetched and shown as data: URLs, and how big each may be. */
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

type Drawn = { kind: 'none' } | { kind: 'drawn'; remoteImages: number } | { kind: 'text'; note: string };

export function MarkdownView({ peer, segments, report, onOpenPath }: Props) {
  const { origin } = peer;
  const loaded = usePeerLoad(`${origin} ${JSON.stringify(segments)}`, (signal) => previewText(peer, segments, signal), report);
  const container = useRef<HTMLDivElement>(null);
  const text = loaded.state === 'ready' ? loaded.value : null;
  const [drawn, setDrawn] = useState<Drawn>({ kind: 'none' });
  const [remoteImages, setRemoteImages] = useState(false);

  useEffect(() => {
    const element = container.current;
    if (!element || text === null) return;
    let rendered: RenderedMarkdown;
    try {
      rendered = renderMarkdown(text, { origin, folder: segments.slice(0, -1), name: segments[segments.length - 1] ?? '', remoteImages });
    } catch (error) {
      element.replaceChildren();
      const note =
        error instanceof MarkdownTooComplex
          ? `This Markdown is too complex to draw safely here (${error.reason}): shown as plain text.`
          : 'This Markdown could not be drawn (it is too deeply nested or malformed): shown as plain text.';
      if (!(error instanceof MarkdownTooComplex)) console.warn('Markdown not drawn:', error);
      setDrawn({ kind: 'text', note });
      return;
    }
    element.replaceChildren(rendered.fragment);
    setDrawn({ kind: 'drawn', remoteImages: rendered.remoteImages });
    const controller = new AbortController();
    for (const image of Array.from(element.querySelectorAll<HTMLImageElement>('img[data-rh-svg]')).slice(0, MAX_SVG_IMAGES)) {
      const src = image.getAttribute('data-rh-svg') ?? '';
      fetchBytes(src, peer, '', controller.signal, () => {}, MAX_SVG_BYTES)
        .then((blob) => svgDataUrl(blob))
        .then(
          (url) => {
            if (!controller.signal.aborted) image.src = url;
          },
          () => {}, // left as a broken picture with its alt text
        );
    }
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text, origin, remoteImages]);

  const onClick = (event: MouseEvent) => {
    const target = event.target;
    const link = target instanceof Element ? target.closest('a') : null;
    if (!link || !container.current?.contains(link)) return;
    // A modified or middle click opens the real peer URL (the href) as the browser does.
    const plain = event.type === 'click' && event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey;
    if (link.hasAttribute('data-rh-fragment')) {
      if (plain) event.preventDefault();
      return;
    }
    if (link.hasAttribute('data-rh-path') && plain) {
      event.preventDefault();
      const path = internalPath(link);
      if (path) onOpenPath(path, link.hasAttribute('data-rh-folder'));
    }
  };

  const showAsText = drawn.kind === 'text' && text !== null;
  return (
    <div data-kind="markdown" class="preview-body">
      {loaded.state === 'loading' ? <p class="note">Loading…</p> : null}
      {loaded.state === 'failed' ? (
        <p class="note">
          Not shown: <MessageText text={loaded.message} />
        </p>
      ) : null}
      {drawn.kind === 'drawn' && drawn.remoteImages > 0 && !remoteImages ? (
        <p id="remote-images" class="remote-images note">
          {drawn.remoteImages === 1 ? '1 picture from another site is' : `${drawn.remoteImages} pictures from other sites are`} not loaded: loading tells that site you are reading this.{' '}
          <button type="button" id="show-remote-images" onClick={() => setRemoteImages(true)}>
            Show remote images
          </button>
        </p>
      ) : null}
      {showAsText ? (
        <>
          <p id="markdown-note" class="note">
            {drawn.note}
          </p>
          <pre class="text-file markdown-source">
            <DocumentText text={text} />
          </pre>
        </>
      ) : null}
      <div class="markdown" ref={container} hidden={drawn.kind !== 'drawn'} onClick={onClick} onAuxClick={onClick} />
    </div>
  );
}
