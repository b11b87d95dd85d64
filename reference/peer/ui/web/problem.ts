/** One readable line with what to do, and where it came from. */
export class Problem extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'Problem';
  }
}

export const BRIDGE_GONE = 'the local relaylab process stopped: restart `relaylab peer --ui`';
export const NO_TOKEN = 'This page needs the link relaylab printed (…/#t=…): open that link';

/** The bridge refused this page's token: the peer restarted (a new run, a new token) under the old tab. */
export const STALE_TOKEN = "this page's link is from an earlier run of `relaylab peer --ui`: open the new link it printed";

export function peerStopped(origin: string): string {
  return `the peer stopped answering at ${origin}: Visit again to look it up`;
}

export function notOnline(email: string): string {
  return `${email} is not online at the relay: ask them to start their peer`;
}

/** Joins an error and its hint as "error: hint", without repeating the hint. */
export function joinHint(error: string, hint: string | null | undefined): string {
  const head = error.trim().replace(/[.\s]+$/, '');
  if (!hint || !hint.trim()) return head;
  if (head.toLowerCase().includes(hint.trim().toLowerCase().replace(/[.\s]+$/, ''))) return head;
  return `${head}: ${hint.trim()}`;
}

/** Text from elsewhere shown to the user: one line, bounded. */
export function oneLine(text: string, max = 400): string {
  const flat = text.replace(/[\s\u0085\u2028\u2029]+/g, ' ').trim();
  if (flat.length <= max) return flat;
  // Never cut a surrogate pair in half.
  let end = max - 1;
  if (end > 0 && /[\uD800-\uDBFF]/.test(flat.charAt(end - 1))) end--;
  return `${flat.slice(0, end)}…`;
}

/**
 * A peer's own words in one of our lines: attributed, quoted, one line of
 * at most `max` characters, with nothing that could pass for our markup
 * (backticks, which MessageText draws as code) or close the quote early.
 */
export function peerSaid(email: string, text: string, max = 200): string {
  const clean = oneLine(text.replace(/[`\u201C\u201D]/g, "'"), max);
  return `${oneLine(email, 120)} answered: “${clean}”`;
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export function messageOf(error: unknown, fallback: string): string {
  if (error instanceof Problem) return error.message;
  return fallback;
}
