/**
 * Markdown from a peer, made harmless: marked renders it, DOMPurify keeps
 * only an allow-list of plain document tags and attributes (no scripts,
 * styles, frames, forms, event handlers, ids or classes), and then every
 * link and image is rewritten here:
 *
 *  - http:, https:, mailto: links open in a new tab, rel="noopener noreferrer";
 *  - relative links (and absolute ones to the same peer's /download or
 *    /content) are marked with data-rh-path and opened inside the page;
 *  - relative images load from `${origin}/download/<folder>/<src>`.
 *
 * The result is built in an inert <template> and returned as a fragment.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { encodePath } from './peer-client.ts';

/** An HTML start tag, quoted values and all. */
const START_TAG = /<[a-zA-Z](?:"[^"]*"|'[^']*'|[^'">])*>/g;
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
}

export function sanitizeMarkdown(source: string): string {
  const html = markdown.parse(source, { async: false });
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

export function renderMarkdown(source: string, place: MarkdownPlace): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = sanitizeMarkdown(source);
  const content = template.content;
  for (const link of Array.from(content.querySelectorAll('a'))) fixLink(link, place);
  for (const image of Array.from(content.querySelectorAll('img'))) fixImage(image, place);
  return content;
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

function markInternal(link: HTMLAnchorElement, segments: string[], folder: boolean): void {
  link.setAttribute('data-rh-path', JSON.stringify(segments));
  if (folder) link.setAttribute('data-rh-folder', '');
  link.setAttribute('rel', 'noopener noreferrer');
  link.removeAttribute('target');
}

function fixLink(link: HTMLAnchorElement, place: MarkdownPlace): void {
  const href = link.getAttribute('href');
  if (href === null) return;
  const trimmed = href.trim();
  if (trimmed === '' || trimmed.startsWith('#')) {
    link.setAttribute('data-rh-fragment', '');
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
      if (segments) markInternal(link, segments, absolute.pathname.startsWith('/api/files') || absolute.pathname.endsWith('/'));
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
  markInternal(link, segments, resolved.pathname.endsWith('/'));
}

function fixImage(image: HTMLImageElement, place: MarkdownPlace): void {
  image.setAttribute('referrerpolicy', 'no-referrer');
  image.setAttribute('loading', 'lazy');
  image.setAttribute('decoding', 'async');
  const src = image.getAttribute('src')?.trim() ?? '';
  if (src === '') return image.removeAttribute('src');
  if (/^data:image\//i.test(src)) return;
  let absolute: URL | null = null;
  try {
    absolute = new URL(src);
  } catch {
    absolute = null;
  }
  if (absolute) {
    if ((absolute.protocol !== 'http:' && absolute.protocol !== 'https:') || isOwnOrigin(absolute)) image.removeAttribute('src');
    else if (absolute.origin === place.origin) peerImage(image, absolute);
    return;
  }
  try {
    const base = folderBase(place.origin, '/download/', place.folder);
    const resolved = new URL(src, base);
    if (resolved.origin === place.origin && resolved.pathname.startsWith('/download/')) peerImage(image, resolved);
    else image.removeAttribute('src');
  } catch {
    image.removeAttribute('src');
  }
}

/**
 * The peer's /download answers application/octet-stream: browsers sniff
 * PNG, JPEG and the like, but never SVG. Those get no src here; the view
 * fetches them (data-rh-svg) and shows a blob: URL typed image/svg+xml.
 */
function peerImage(image: HTMLImageElement, url: URL): void {
  if (!url.pathname.startsWith('/download/')) return image.removeAttribute('src');
  if (/\.svg$/i.test(url.pathname)) {
    image.removeAttribute('src');
    image.setAttribute('data-rh-svg', url.href);
  } else image.setAttribute('src', url.href);
}
