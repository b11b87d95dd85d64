/**
 * Markdown from a peer, made harmless: marked renders it, DOMPurify keeps
 * only an allow-list of plain document tags and attributes (no scripts,
 * styles, frames, forms, event handlers, ids or classes), and then every
 * link and image is rewritten here:
 *
 *  - http:, https:, mailto: links open in a new tab, rel="noopener noreferrer";
 *  - relative links (and absolute ones to the same peer's /download or
 *    /content) are marked with data-rh-path and opened inside the page; their
 *    href is the real peer URL (what hover, copy and "open in new tab" show);
 *  - relative images load from `${origin}/download/<folder>/<src>`; images
 *    from anywhere but the peer itself (and data:) are not loaded until the
 *    person asks ("Show remote images"): loading one tells its host who is
 *    reading, from where, and when.
 *
 * Markdown that would take the browser's parser seconds (tens of thousands
 * of elements, or raw HTML nested hundreds deep) is refused before anything
 * parses it (MarkdownTooComplex); the view then shows it as plain text.
 *
 * The result is built in an inert <template> and returned as a fragment,
 * with bidi controls in its text made visible.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { previewKind } from './file-kind.ts';
import { contentUrl, downloadUrl, encodePath, listingUrl } from './peer-client.ts';
import { markBidiInTree, peerTextElement, visibleBidi } from './peer-text.tsx';

/**
 * An HTML start tag, quoted values and all. No `<` outside quotes, so a run
 * of `<a<a<a…` without a `>` costs one short scan each, not one to the end.
 */
const START_TAG = /<[a-zA-Z](?:"[^"]*"|'[^']*'|[^'"<>])*>/g;
/** One attribute with its value, if any (quoted values are consumed whole). */
const ATTRIBUTE = /\s+([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?/g;
const NOISY_NAME = /^(?:on|style$)/i;
const STYLE_BLOCK = /<style\b[\s\S]*?(?:<\/style\s*>|$)/gi;

/**
 * Drops handlers, style attributes and <style> blocks from raw HTML in the
 * Markdown before anything parses it. Not the defence (DOMPurify is):
 * parsing them, even in an inert document, makes the page's CSP report a
 * violation each time, which would bury real ones.
 */
export function quietInlineHtml(html: string): string {
  return html.replace(STYLE_BLOCK, '').replace(START_TAG, (tag) => {
    const name = /^<[^\s/>]+/.exec(tag)?.[0] ?? '';
    return name + tag.slice(name.length).replace(ATTRIBUTE, (attribute, attributeName: string) => (NOISY_NAME.test(attributeName) ? '' : attribute));
  });
}

const markdown = new Marked({ gfm: true, breaks: false, async: false });
markdown.use({ renderer: { html: ({ text }) => quietInlineHtml(text) } });

/** http:, https:, mailto:, or no scheme at all (relative, `#frag`, `/x`). */
const SAFE_URL = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;

const ALLOWED_TAGS = [
  'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'cite', 'code', 'col', 'colgroup', 'dd', 'del', 'details', 'dfn', 'div', 'dl', 'dt',
  'em', 'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'pre', 'q',
  's', 'samp', 'small', 'span', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'time', 'tr', 'u', 'ul', 'var', 'wbr',
];
const ALLOWED_ATTR = ['href', 'src', 'alt', 'title', 'align', 'colspan', 'rowspan', 'start', 'reversed', 'open', 'datetime', 'cite', 'lang', 'dir', 'width', 'height', 'abbr', 'scope'];
const FORBID_TAGS = ['script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'input', 'button', 'textarea', 'select', 'option', 'link', 'meta', 'base', 'svg', 'math', 'template', 'dialog', 'area', 'map'];
const FORBID_ATTR = ['style', 'id', 'name', 'class', 'srcset', 'formaction', 'action', 'ping', 'background', 'target', 'tabindex', 'autofocus', 'popover', 'download', 'usemap'];

const INTERNAL_BASE = 'http://peer.invalid/';

export interface MarkdownPlace {
  /** The peer's origin, e.g. http://192.168.1.20:4321. */
  origin: string;
  /** The folder the Markdown file is in, as path segments. */
  folder: readonly string[];
  /** The Markdown file's own name (for `#fragment` links). */
  name: string;
  /** Load images from other hosts too (the person asked to). */
  remoteImages?: boolean;
}

/** More elements than this, or deeper nesting, and the Markdown is shown as text. */
export const MAX_MARKDOWN_ELEMENTS = 20_000;
export const MAX_MARKDOWN_DEPTH = 100;

export class MarkdownTooComplex extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'MarkdownTooComplex';
  }
}

/** Any tag, start or end (no `<` outside quotes, as in START_TAG). */
const ANY_TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)(?:"[^"]*"|'[^']*'|[^'"<>])*>/g;
const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'keygen', 'frame', 'isindex', 'basefont', 'bgsound']);
/** Start tags that close an open one of the same group (`<p>x<p>y`, `<li>a<li>b`). */
const CLOSES_SAME: Record<string, string> = { p: 'p', li: 'li', dt: 'd', dd: 'd', tr: 'tr', td: 'cell', th: 'cell', option: 'option', tbody: 'body', thead: 'body', tfoot: 'body' };

/**
 * Why this HTML is too much for the page to parse, or null. Counts elements
 * and follows nesting the way a parser would, roughly (end tags close back to
 * their start, void elements and `<p>`-like repeats do not nest); quick on
 * megabytes, and stops at the first bound passed.
 */
export function tooComplex(html: string): string | null {
  let elements = 0;
  const open: string[] = [];
  for (const match of html.matchAll(ANY_TAG)) {
    const name = (match[2] ?? '').toLowerCase();
    if (match[1]) {
      const at = open.lastIndexOf(name);
      if (at >= 0) open.length = at;
      continue;
    }
    if (++elements > MAX_MARKDOWN_ELEMENTS) return `more than ${MAX_MARKDOWN_ELEMENTS.toLocaleString('en')} elements`;
    if (VOID_ELEMENTS.has(name)) continue;
    const group = CLOSES_SAME[name];
    const top = open.at(-1);
    if (group && top !== undefined && CLOSES_SAME[top] === group) open.pop();
    open.push(name);
    if (open.length > MAX_MARKDOWN_DEPTH) return `elements nested more than ${MAX_MARKDOWN_DEPTH} deep`;
  }
  return null;
}

/**
 * Nesting marked itself is slow on (or overflows its stack with): a line
 * that starts with hundreds of columns of indentation or `>` markers, as
 * lists or quotes nested 100 deep need. Checked on the source, before marked.
 */
const MAX_LEAD_COLUMNS = 300;

function sourceTooComplex(source: string): string | null {
  let column = 0;
  let leading = true;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || c === 13) {
      column = 0;
      leading = true;
      continue;
    }
    if (!leading) continue;
    if (c === 32 || c === 62) column += 1; // space, '>'
    else if (c === 9) column += 4;
    else leading = false;
    if (column > MAX_LEAD_COLUMNS) return `lists or quotes nested hundreds deep`;
  }
  return null;
}

export function sanitizeMarkdown(source: string): string {
  const early = sourceTooComplex(source);
  if (early) throw new MarkdownTooComplex(early);
  const html = markdown.parse(source, { async: false });
  const reason = tooComplex(html);
  if (reason) throw new MarkdownTooComplex(reason);
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    FORBID_TAGS,
    FORBID_ATTR,
    ALLOWED_URI_REGEXP: SAFE_URL,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    WHOLE_DOCUMENT: false,
  });
}

export interface RenderedMarkdown {
  fragment: DocumentFragment;
  /** Images from other hosts left unloaded (placeholders instead). */
  remoteImages: number;
}

/** Throws MarkdownTooComplex, or whatever marked throws (a RangeError on 50,000 nested `>`). */
export function renderMarkdown(source: string, place: MarkdownPlace): RenderedMarkdown {
  const template = document.createElement('template');
  template.innerHTML = sanitizeMarkdown(source);
  const content = template.content;
  for (const link of Array.from(content.querySelectorAll('a'))) fixLink(link, place);
  let remoteImages = 0;
  for (const image of Array.from(content.querySelectorAll('img'))) if (fixImage(image, place) === 'remote') remoteImages++;
  markBidiInTree(content);
  for (const element of Array.from(content.querySelectorAll('[title], [alt]'))) {
    for (const name of ['title', 'alt']) {
      const value = element.getAttribute(name);
      if (value !== null) element.setAttribute(name, visibleBidi(value));
    }
  }
  return { fragment: content, remoteImages };
}

function isOwnOrigin(url: URL): boolean {
  return url.origin === location.origin;
}

function folderBase(origin: string, prefix: string, folder: readonly string[]): string {
  return `${origin}${prefix}${folder.length > 0 ? `${encodePath(folder)}/` : ''}`;
}

/** Path segments of an encoded URL path (`/a%20b/c` → ["a b", "c"]), or null when not decodable. */
function segmentsOf(pathname: string): string[] | null {
  try {
    return pathname
      .split('/')
      .filter((part) => part !== '')
      .map((part) => decodeURIComponent(part));
  } catch {
    return null;
  }
}

/** Where a path inside the peer really is: its listing, its text, or its bytes. */
export function peerUrlOf(origin: string, segments: readonly string[], folder: boolean): string {
  if (folder || segments.length === 0) return listingUrl(origin, segments);
  const kind = previewKind(segments[segments.length - 1] ?? '');
  return kind === 'text' || kind === 'markdown' ? contentUrl(origin, segments) : downloadUrl(origin, segments);
}

/**
 * A link into the peer: clicked, it opens here (data-rh-path); its href is
 * the real peer URL, so hover, copy and "open in new tab" show where it
 * leads, never this page's own address.
 */
function markInternal(link: HTMLAnchorElement, segments: string[], folder: boolean, place: MarkdownPlace): void {
  link.setAttribute('data-rh-path', JSON.stringify(segments));
  if (folder) link.setAttribute('data-rh-folder', '');
  link.setAttribute('href', peerUrlOf(place.origin, segments, folder));
  link.setAttribute('rel', 'noopener noreferrer');
  link.removeAttribute('target');
}

function fixLink(link: HTMLAnchorElement, place: MarkdownPlace): void {
  const href = link.getAttribute('href');
  if (href === null) return;
  const trimmed = href.trim();
  if (trimmed === '' || trimmed.startsWith('#')) {
    // Headings have no ids here, so a fragment leads nowhere in the page; its
    // href is this file at the peer (never this page's own URL, `/#t=…`).
    link.setAttribute('data-rh-fragment', '');
    const self = contentUrl(place.origin, [...place.folder, place.name]);
    let target = self;
    try {
      target = new URL(trimmed, self).href;
    } catch {
      // keep the file's own URL
    }
    link.setAttribute('href', target);
    link.setAttribute('rel', 'noopener noreferrer');
    return;
  }
  let absolute: URL | null = null;
  try {
    absolute = new URL(trimmed);
  } catch {
    absolute = null;
  }
  if (absolute) {
    if ((absolute.protocol === 'http:' || absolute.protocol === 'https:') && absolute.origin === place.origin) {
      // The same peer: never a new tab onto a peer file; open it here.
      const match = /^\/(?:download|content|api\/files)(?:\/|$)(.*)$/.exec(absolute.pathname);
      const segments = match ? segmentsOf(match[1] ?? '') : null;
      if (segments) markInternal(link, segments, absolute.pathname.startsWith('/api/files') || absolute.pathname.endsWith('/'), place);
      else link.removeAttribute('href');
      return;
    }
    if (isOwnOrigin(absolute)) {
      // Nothing a peer writes should open this page's own server.
      link.removeAttribute('href');
      return;
    }
    if (absolute.protocol === 'http:' || absolute.protocol === 'https:' || absolute.protocol === 'mailto:') {
      link.setAttribute('target', '_blank');
      link.setAttribute('rel', 'noopener noreferrer');
      return;
    }
    link.removeAttribute('href');
    return;
  }
  // Relative: resolved against the file's folder on a stand-in origin.
  let resolved: URL;
  try {
    resolved = new URL(trimmed, folderBase(INTERNAL_BASE.slice(0, -1), '/', place.folder));
  } catch {
    link.removeAttribute('href');
    return;
  }
  if (resolved.origin !== new URL(INTERNAL_BASE).origin) {
    // `//host/x` is absolute after all.
    if (isOwnOrigin(resolved) || resolved.origin === place.origin) return link.removeAttribute('href');
    link.setAttribute('href', resolved.href);
    link.setAttribute('target', '_blank');
    link.setAttribute('rel', 'noopener noreferrer');
    return;
  }
  const segments = segmentsOf(resolved.pathname);
  if (!segments) {
    link.removeAttribute('href');
    return;
  }
  markInternal(link, segments, resolved.pathname.endsWith('/'), place);
}

type ImageFate = 'peer' | 'data' | 'remote' | 'shown-remote' | 'dropped';

function fixImage(image: HTMLImageElement, place: MarkdownPlace): ImageFate {
  image.setAttribute('referrerpolicy', 'no-referrer');
  image.setAttribute('loading', 'lazy');
  image.setAttribute('decoding', 'async');
  const src = image.getAttribute('src')?.trim() ?? '';
  if (src === '') return drop(image);
  if (/^data:image\//i.test(src)) return 'data';
  let absolute: URL | null = null;
  try {
    absolute = new URL(src);
  } catch {
    absolute = null;
  }
  if (absolute) {
    if ((absolute.protocol !== 'http:' && absolute.protocol !== 'https:') || isOwnOrigin(absolute)) return drop(image);
    if (absolute.origin === place.origin) return peerImage(image, absolute);
    return remoteImage(image, absolute, place);
  }
  try {
    const base = folderBase(place.origin, '/download/', place.folder);
    const resolved = new URL(src, base);
    if (resolved.origin === place.origin && resolved.pathname.startsWith('/download/')) return peerImage(image, resolved);
    // `//host/pic.png` is another host after all.
    if ((resolved.protocol === 'http:' || resolved.protocol === 'https:') && !isOwnOrigin(resolved) && resolved.origin !== place.origin) return remoteImage(image, resolved, place);
    return drop(image);
  } catch {
    return drop(image);
  }
}

function drop(image: HTMLImageElement): ImageFate {
  image.removeAttribute('src');
  return 'dropped';
}

/**
 * A picture from some other host: a placeholder naming it (mail-client
 * style), unless the person chose "Show remote images" for this preview.
 */
function remoteImage(image: HTMLImageElement, url: URL, place: MarkdownPlace): ImageFate {
  if (place.remoteImages) {
    image.setAttribute('src', url.href);
    return 'shown-remote';
  }
  const placeholder = document.createElement('span');
  placeholder.className = 'remote-image';
  placeholder.setAttribute('data-rh-remote-src', url.href);
  placeholder.append('Picture not loaded, from ');
  placeholder.append(peerTextElement(url.href, 'mono wrap-any'));
  const alt = image.getAttribute('alt')?.trim();
  if (alt) {
    placeholder.append(' (');
    placeholder.append(peerTextElement(alt.slice(0, 200)));
    placeholder.append(')');
  }
  image.replaceWith(placeholder);
  return 'remote';
}

/**
 * The peer's /download answers application/octet-stream: browsers sniff
 * PNG, JPEG and the like, but never SVG. Those get no src here; the view
 * fetches them (data-rh-svg) and shows them from a data:image/svg+xml URL
 * (never a blob: URL, which would be on this page's origin).
 */
function peerImage(image: HTMLImageElement, url: URL): ImageFate {
  if (!url.pathname.startsWith('/download/')) return drop(image);
  if (/\.svg$/i.test(url.pathname)) {
    image.removeAttribute('src');
    image.setAttribute('data-rh-svg', url.href);
  } else image.setAttribute('src', url.href);
  return 'peer';
}
