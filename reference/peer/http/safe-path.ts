/**
 * Confines a request path to the served root. The raw, still
 * percent-encoded path from the request line goes in; a real path inside
 * the root comes out, or a coded refusal. Decoded exactly once, so a
 * double-encoded `%252e%252e` stays the harmless literal name `%2e%2e`.
 *
 * Refused with 403 (`bad_path_encoding` for invalid percent-encoding such
 * as overlong `%c0%ae`, `path_forbidden` otherwise): backslashes (raw or encoded), NUL, `.` and
 * `..` segments after decoding, empty segments (`//`, a leading `/` after
 * decoding, i.e. an absolute path), and anything whose real path (symlinks
 * resolved) lies outside the root's real path.
 */
import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';

export type SafePathResult =
  | { ok: true; realPath: string; relative: string }
  | { ok: false; status: 403 | 404; code: 'bad_path_encoding' | 'path_forbidden' | 'not_found'; error: string };

type Refusal = Extract<SafePathResult, { ok: false }>;
const forbidden = (why: string): Refusal => ({ ok: false, status: 403, code: 'path_forbidden', error: `path refused: ${why}` });

/** Checks the shape of the path alone (no file system): the decoded relative path, or a refusal. */
export function checkPathShape(rawPath: string): { ok: true; relative: string } | Refusal {
  if (/\\|%5c/i.test(rawPath)) return forbidden('backslash');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    // 403 like every other hostile shape (issue 3: "all get 403 or 404"); overlong `%c0%ae` lands here.
    return { ok: false, status: 403, code: 'bad_path_encoding', error: 'path refused: not valid percent-encoded UTF-8' };
  }
  if (decoded.includes('\0')) return forbidden('NUL byte');
  if (decoded.includes('\\')) return forbidden('backslash');
  if (decoded.startsWith('/')) return forbidden('absolute path');
  // A trailing slash names a directory; allow it, then judge the segments.
  const trimmed = decoded.endsWith('/') ? decoded.slice(0, -1) : decoded;
  if (trimmed === '') return { ok: true, relative: '' };
  for (const segment of trimmed.split('/')) {
    if (segment === '') return forbidden('empty segment or absolute path');
    if (segment === '.' || segment === '..') return forbidden('dot segment');
  }
  return { ok: true, relative: trimmed };
}

/** Resolves `rawPath` under `rootRealPath` (already a real path) with symlinks followed. */
export async function resolveInsideRoot(rootRealPath: string, rawPath: string): Promise<SafePathResult> {
  const shape = checkPathShape(rawPath);
  if (!shape.ok) return shape;
  if (shape.relative === '') return { ok: true, realPath: rootRealPath, relative: '' };
  let real: string;
  try {
    real = await realpath(`${rootRealPath}${sep}${shape.relative}`);
  } catch {
    return { ok: false, status: 404, code: 'not_found', error: `no such file: ${shape.relative}` };
  }
  if (!isInside(rootRealPath, real)) return forbidden('leads outside the served folder');
  return { ok: true, realPath: real, relative: shape.relative };
}

export function isInside(rootRealPath: string, candidate: string): boolean {
  return candidate === rootRealPath || candidate.startsWith(rootRealPath.endsWith(sep) ? rootRealPath : rootRealPath + sep);
}
