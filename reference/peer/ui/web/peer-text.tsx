/**
 * Text a peer (or the relay, for a peer) chose, shown so that it cannot
 * pretend to be something else: every invisible format character (Unicode
 * category Cf: the bidi overrides and isolates U+202A-202E, U+2066-2069,
 * the marks U+200E/U+200F/U+061C, zero-width U+200B-200D, U+FEFF ...),
 * every control character and line/paragraph separator is replaced by a
 * visible `⟨U+202E⟩` in its own style, and the whole string is isolated
 * (<bdi>, `unicode-bidi: isolate`) so it cannot reorder the text around it.
 *
 * `\u202Etset.proc@htims.nhoj` then reads "⟨U+202E⟩tset.proc@htims.nhoj",
 * never "john.smith@corp.test". Test hooks (data-email, data-name) keep the
 * raw value; only what is drawn changes.
 */
import type { ComponentChildren } from 'preact';

/**
 * Invisible or reordering: format characters, controls, line and paragraph
 * separators, and the Hangul fillers that draw as blank letters.
 */
const HIDDEN = /[\p{Cf}\p{Cc}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0]/gu;
const HAS_HIDDEN = /[\p{Cf}\p{Cc}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0]/u;

/**
 * In documents (a text file, Markdown) only what reorders text is marked:
 * the bidi controls ("Trojan Source"). Zero-width joiners and non-joiners
 * are part of ordinary Persian, Hindi or emoji text there.
 */
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const HAS_BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** Past this many marks in one text the rest are replaced as plain text (no element each). */
const MAX_MARK_ELEMENTS = 2000;

/** "U+202E" for one character. */
export function codePointName(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function mark(char: string): string {
  return `⟨${codePointName(char)}⟩`;
}

/** The string with every hidden character written out: for attributes (title, aria-label, alt) and plain-text places. */
export function visibleText(text: string): string {
  return HAS_HIDDEN.test(text) ? text.replace(HIDDEN, mark) : text;
}

/** Like visibleText, for documents: only the bidi controls. */
export function visibleBidi(text: string): string {
  return HAS_BIDI.test(text) ? text.replace(BIDI, mark) : text;
}

export function hasHidden(text: string): boolean {
  return HAS_HIDDEN.test(text);
}

/** Splits `text` into plain runs and marks, as Preact children. */
function marked(text: string, pattern: RegExp): ComponentChildren {
  const parts: ComponentChildren[] = [];
  let last = 0;
  let count = 0;
  pattern.lastIndex = 0;
  for (const match of text.matchAll(pattern)) {
    const at = match.index ?? 0;
    if (count >= MAX_MARK_ELEMENTS) {
      parts.push(text.slice(last).replace(pattern, mark));
      last = text.length;
      break;
    }
    if (at > last) parts.push(text.slice(last, at));
    parts.push(
      <span key={`m${at}`} class="hidden-char" title={`invisible character ${codePointName(match[0])}`}>
        {mark(match[0])}
      </span>,
    );
    count++;
    last = at + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

interface Props {
  text: string;
  class?: string;
  id?: string;
}

/** A peer-supplied string, isolated, with its hidden characters shown. */
export function PeerText({ text, class: className, id }: Props) {
  return (
    <bdi class={className ? `peer-text ${className}` : 'peer-text'} id={id}>
      {HAS_HIDDEN.test(text) ? marked(text, HIDDEN) : text}
    </bdi>
  );
}

/** Hidden characters shown, without isolation: for our own messages that quote a peer's words. */
export function MarkedText({ text }: { text: string }) {
  return <>{HAS_HIDDEN.test(text) ? marked(text, HIDDEN) : text}</>;
}

/** Document text (inside a <pre>): newlines and tabs stay, bidi controls are shown. */
export function DocumentText({ text }: { text: string }) {
  return <>{HAS_BIDI.test(text) ? marked(text, BIDI) : text}</>;
}

/** The same for a DOM tree built outside Preact (rendered Markdown): each text node's bidi controls become marks. */
export function markBidiInTree(root: Node): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const hits: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) if (HAS_BIDI.test((node as Text).data)) hits.push(node as Text);
  let made = 0;
  for (const node of hits) {
    const text = node.data;
    if (made >= MAX_MARK_ELEMENTS) {
      node.data = visibleBidi(text);
      continue;
    }
    const fragment = document.createDocumentFragment();
    let last = 0;
    BIDI.lastIndex = 0;
    for (const match of text.matchAll(BIDI)) {
      const at = match.index ?? 0;
      if (at > last) fragment.append(text.slice(last, at));
      fragment.append(markElement(match[0]));
      made++;
      last = at + match[0].length;
    }
    if (last < text.length) fragment.append(text.slice(last));
    node.replaceWith(fragment);
  }
}

/** One mark as a DOM element (for trees built outside Preact). */
export function markElement(char: string): HTMLElement {
  const span = document.createElement('span');
  span.className = 'hidden-char';
  span.title = `invisible character ${codePointName(char)}`;
  span.textContent = mark(char);
  return span;
}

/** A peer string as an isolated DOM element with its hidden characters shown (for trees built outside Preact). */
export function peerTextElement(text: string, className?: string): HTMLElement {
  const bdi = document.createElement('bdi');
  bdi.className = className ? `peer-text ${className}` : 'peer-text';
  let last = 0;
  HIDDEN.lastIndex = 0;
  for (const match of text.matchAll(HIDDEN)) {
    const at = match.index ?? 0;
    if (at > last) bdi.append(text.slice(last, at));
    bdi.append(markElement(match[0]));
    last = at + match[0].length;
  }
  if (last < text.length) bdi.append(text.slice(last));
  return bdi;
}
