/**
 * The per-run token from the page's fragment (`#t=TOKEN`), read once when
 * the bundle loads and kept only here: never written to storage, never put
 * into a URL, and sent only to our own /bridge/ (see bridge-client.ts).
 */

/** Header values must be visible ASCII; anything else cannot be ours. */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,512}$/;

function readToken(): string | null {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  const value = new URLSearchParams(hash).get('t');
  return value !== null && TOKEN_SHAPE.test(value) ? value : null;
}

const token: string | null = readToken();

export function bridgeToken(): string | null {
  return token;
}
