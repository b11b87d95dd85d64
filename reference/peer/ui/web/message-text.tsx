import { MarkedText } from './peer-text.tsx';

/**
 * True when a line starts with a peer's email or an address: its lines are
 * drawn with class `as-is`, so the `::first-letter` capital of error lines
 * never changes what the peer wrote ("evil@x answered: …" stays lower case).
 */
export function startsAsIs(text: string | null | undefined): boolean {
  const first = /^\S*/.exec(text ?? '')?.[0] ?? '';
  return first.includes('@') || first.includes('://') || first.startsWith('`');
}

/** `base`, plus ` as-is` for a line that starts with a peer's email or an address. */
export function lineClass(base: string, text: string | null | undefined): string {
  return startsAsIs(text) ? `${base} as-is` : base;
}

/**
 * A one-line message where `backticked` parts are shown as code. Messages
 * often quote a peer's words (a name, an email, its error text), so hidden
 * format characters are shown in every part.
 */
export function MessageText({ text }: { text: string }) {
  const parts = text.split('`');
  // An odd count of backticks leaves the last one literal.
  if (parts.length % 2 === 0) return <MarkedText text={text} />;
  return <>{parts.map((part, i) => (i % 2 === 1 ? <code key={i}><MarkedText text={part} /></code> : <MarkedText key={i} text={part} />))}</>;
}
