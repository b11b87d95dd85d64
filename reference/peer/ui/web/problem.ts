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
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export function messageOf(error: unknown, fallback: string): string {
  if (error instanceof Problem) return error.message;
  return fallback;
}
