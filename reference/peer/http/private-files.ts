/**
 * What the Peer Server must never list or serve, decided without ever
 * opening anything but a regular file:
 *
 * - configured private paths (identity folder, friends list and statuses),
 *   compared by real path at request time, so a file created after start
 *   or reached through a symlinked root still matches;
 * - anything under a `.relaylab` folder (even with --serve-dotfiles);
 * - dotfiles and dot-folders (`.env`, `.ssh/`, `.git/`), by the requested
 *   name or the real path, unless the user chose to serve them;
 * - key stores by name (`key.pem`, `*-key.pem`, `*.key`, `.der`, `.p8`,
 *   `.pk8`, `.ppk`, `.p12`, `.pfx`, `.jks`, `.keystore`);
 * - files whose bytes hold a private key (scanForPrivateKey): a PEM or
 *   PuTTY key block anywhere in the whole file, in ASCII/UTF-8 or UTF-16
 *   LE/BE (with or without BOM), NUL bytes or not; or a file that *is* a
 *   DER key (PKCS#8 plain or encrypted, PKCS#1 RSA / DSA, SEC1 EC), a
 *   PKCS#12 bundle, a Java key store or a binary OpenSSH key.
 *
 * Verdicts are cached per real path and file stamp (KeyVerdictCache), so a
 * listing reads a file again only once it has changed.
 */
import { constants, type Stats } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { isInside } from './safe-path.ts';

export const RELAYLAB_FOLDER = '.relaylab';
const KEY_STORE_SUFFIXES = ['.key', '-key.pem', '.der', '.p8', '.pk8', '.ppk', '.p12', '.pfx', '.jks', '.keystore'];

/** Private by name alone (any case). `.der` too: a DER certificate to share is better named `.cer` or `.crt`. */
export function isPrivateKeyName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'key.pem' || KEY_STORE_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

/** A `.env`, or anything under `.ssh/` or `.git/`: any segment of a `/` or `sep` separated relative path that starts with a dot. */
export function hasDotSegment(relativePath: string): boolean {
  return relativePath.split(/[\\/]/).some((segment) => segment.startsWith('.') && segment !== '.' && segment !== '..');
}

/**
 * The real path `path` has or will have once created: the nearest existing
 * ancestor's real path plus the rest. realpath() alone fails for a friends
 * file not saved yet, and resolve() would keep a symlinked root's name.
 */
export async function realOrFuture(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(await realOrFuture(parent), basename(absolute));
  }
}

/** Resolved per request: any of these folders may be created or re-linked while the server runs. */
export function resolvePrivatePaths(paths: readonly string[]): Promise<string[]> {
  return Promise.all(paths.map(realOrFuture));
}

/**
 * Private by where it is: no file access, so safe for FIFOs and devices too.
 * Dot segments are judged on the real path relative to the root (a
 * `notes.txt` link to `.env` is as hidden as `.env`); the caller judges the
 * requested name, which may be a dotted link to a public file.
 */
export function isPrivateByPath(rootReal: string, privateReal: readonly string[], real: string, options: { serveDotfiles?: boolean } = {}): boolean {
  if (privateReal.some((p) => isInside(p, real) || isSaveInProgress(p, real))) return true;
  const inRoot = relative(rootReal, real);
  if (inRoot.split(sep).includes(RELAYLAB_FOLDER)) return true;
  if (!options.serveDotfiles && hasDotSegment(inRoot)) return true;
  return isPrivateKeyName(basename(real));
}

/** friends-file.ts saves through `<file>.<pid>.<n>.tmp` then renames: that copy is just as private. */
function isSaveInProgress(privateReal: string, real: string): boolean {
  return dirname(real) === dirname(privateReal) && basename(real).startsWith(`${basename(privateReal)}.`) && real.endsWith('.tmp');
}

/** What identifies one version of a file's bytes without reading them. ctime too: `cp -p` rewrites in place and restores mtime. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  dev: number;
}

export function stampOf(info: Stats): FileStamp {
  return { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, ino: info.ino, dev: info.dev };
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.dev === b.dev;
}

/**
 * Opens a file already known (by stat) to be regular, and checks again on
 * the open descriptor: if it was swapped for a FIFO in between, O_NONBLOCK
 * keeps open() from waiting for a writer forever. Null when not regular.
 */
export async function openRegular(real: string): Promise<{ handle: FileHandle; size: number; mtimeMs: number; stamp: FileStamp } | null> {
  const handle = await open(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  const info = await handle.stat().catch(() => null);
  if (info?.isFile()) return { handle, size: info.size, mtimeMs: info.mtimeMs, stamp: stampOf(info) };
  await handle.close();
  return null;
}

/**
 * A file whose mtime is this close to the start of its scan is not cached:
 * timestamps are coarse (a jiffy on Linux, 2 s on FAT), so a rewrite in the
 * same tick would keep the stamp and reuse a stale verdict (git's "racy
 * clean" problem). Such a file is simply read again next time.
 */
export const RACY_STAMP_MS = 3_000;

interface Verdict {
  stamp: FileStamp;
  holdsKey: Promise<boolean>;
}

/**
 * Key verdicts by real path, valid while the file's stamp is unchanged.
 * Concurrent requests for the same file share one scan. Bounded: the
 * oldest verdicts are dropped first. `counts` is for tests and benches.
 */
export class KeyVerdictCache {
  readonly counts = { scans: 0, reused: 0 };
  private readonly verdicts = new Map<string, Verdict>();

  constructor(
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether the file at `real`, whose stamp is `stamp` (from stat or fstat),
   * holds a key. `scan` reads it (only on a miss) and reports the stamp of
   * what it read; the verdict is kept only when that is still `stamp`.
   * A failed scan counts as a key and is not kept.
   */
  holdsKey(real: string, stamp: FileStamp, scan: () => Promise<{ holdsKey: boolean; stamp: FileStamp | null }>): Promise<boolean> {
    const known = this.verdicts.get(real);
    if (known && sameStamp(known.stamp, stamp)) {
      this.counts.reused++;
      return known.holdsKey;
    }
    this.counts.scans++;
    const startedAt = this.now();
    const verdict: Verdict = { stamp, holdsKey: Promise.resolve(true) };
    const forget = () => {
      if (this.verdicts.get(real) === verdict) this.verdicts.delete(real);
    };
    verdict.holdsKey = scan().then(
      (result) => {
        const racy = stamp.mtimeMs > startedAt - RACY_STAMP_MS;
        if (racy || !result.stamp || !sameStamp(result.stamp, stamp)) forget();
        return result.holdsKey;
      },
      () => {
        forget();
        return true;
      },
    );
    this.verdicts.delete(real); // re-inserted last: Map order is the eviction order
    this.verdicts.set(real, verdict);
    if (this.verdicts.size > this.maxEntries) this.verdicts.delete(this.verdicts.keys().next().value as string);
    return verdict.holdsKey;
  }
}

/** Read in pieces of this size: memory per scan stays flat however big the file is. */
const SCAN_CHUNK_BYTES = 256 * 1024;
/** Kept from the previous piece so a key block split across two pieces is still seen whole (≥ longest needle plus its window, in UTF-16). */
const SCAN_OVERLAP_BYTES = 512;
/** How far the DER structure is followed; every real DER key's header fits, with room to spare. */
const DER_HEAD_BYTES = 64 * 1024;

/**
 * Text key markers. Each needle is searched as raw bytes in three encodings
 * (ASCII/UTF-8/Latin-1, UTF-16LE, UTF-16BE), so NUL bytes elsewhere in the
 * file and a missing BOM change nothing; what follows it is then decoded
 * in the same encoding and must complete the marker. The armour line alone
 * is enough: a key whose body was cut short is still key material. Prose
 * that names "BEGIN PRIVATE KEY" without the full `-----BEGIN …-----` line
 * is not a key.
 */
const TEXT_MARKERS: Array<{ needle: string; rest: RegExp }> = [
  { needle: '-----BEGIN ', rest: /^[A-Z0-9 ]{0,40}PRIVATE KEY( BLOCK)?-----/ },
  { needle: 'PuTTY-User-Key-File-', rest: /^\d{1,3}:/ },
];
const MARKER_WINDOW_CHARS = 64;
type TextEncoding = 'latin1' | 'utf16le' | 'utf16be';
/**
 * Per marker, two byte patterns: the ASCII one, and UTF-16LE without its
 * last NUL, which is also UTF-16BE without its first. Neither starts or
 * ends with a NUL, so a search through zero-filled data stays fast.
 */
const NEEDLES = TEXT_MARKERS.flatMap((marker) => [
  { ...marker, bytes: Buffer.from(marker.needle, 'latin1'), wide: false },
  { ...marker, bytes: Buffer.from(marker.needle, 'utf16le').subarray(0, -1), wide: true },
]);

function decode(bytes: Buffer, encoding: TextEncoding): string {
  if (encoding !== 'utf16be') return bytes.toString(encoding);
  const even = Buffer.from(bytes.subarray(0, bytes.length & ~1));
  return even.swap16().toString('utf16le');
}

/** Whether `bytes` hold a complete text key marker (see TEXT_MARKERS). */
export function holdsKeyText(bytes: Buffer): boolean {
  const completes = (rest: RegExp, from: number, encoding: TextEncoding) => {
    const unit = encoding === 'latin1' ? 1 : 2;
    return rest.test(decode(bytes.subarray(from, from + MARKER_WINDOW_CHARS * unit), encoding));
  };
  for (const { bytes: needle, rest, wide } of NEEDLES) {
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) {
      const after = at + needle.length;
      if (!wide && completes(rest, after, 'latin1')) return true;
      // UTF-16LE read one byte on is UTF-16BE, so each decode finds both but for the last byte of the file: try both.
      if (wide && bytes[after] === 0 && completes(rest, after + 1, 'utf16le')) return true;
      if (wide && (at === 0 || bytes[at - 1] === 0) && completes(rest, after, 'utf16be')) return true;
    }
  }
  return false;
}

/**
 * Whether an open regular file holds a private key: its first `size` bytes
 * (what the server would send) read whole, in pieces, stopping at the
 * first key found. Binary files are read too: a NUL says nothing about
 * what comes after it.
 */
export async function scanForPrivateKey(handle: FileHandle, size: number): Promise<boolean> {
  const buffer = Buffer.allocUnsafe(SCAN_OVERLAP_BYTES + SCAN_CHUNK_BYTES);
  let carried = 0; // bytes at the start of buffer kept from the previous piece
  for (let position = 0; position < size; ) {
    const want = Math.min(SCAN_CHUNK_BYTES, size - position);
    const got = await readFully(handle, buffer, carried, want, position);
    if (position === 0 && holdsDerKey(buffer.subarray(0, Math.min(got, DER_HEAD_BYTES)), size)) return true;
    if (holdsKeyText(buffer.subarray(0, carried + got))) return true;
    if (got < want) break; // the file shrank meanwhile
    position += got;
    const keep = Math.min(SCAN_OVERLAP_BYTES, carried + got);
    buffer.copy(buffer, 0, carried + got - keep, carried + got);
    carried = keep;
  }
  return false;
}

async function readFully(handle: FileHandle, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, offset + filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}

interface Tlv {
  tag: number;
  /** Offsets into the buffer: content starts at `start`, the element ends at `end` (may lie past the buffer). */
  start: number;
  end: number;
}

/** One DER element header at `at`, or null when it is not one (long tags, indefinite or absurd lengths, header cut off). */
function readTlv(bytes: Buffer, at: number): Tlv | null {
  if (at + 2 > bytes.length) return null;
  const tag = bytes[at]!;
  if ((tag & 0x1f) === 0x1f) return null;
  const first = bytes[at + 1]!;
  if (first < 0x80) return { tag, start: at + 2, end: at + 2 + first };
  const count = first & 0x7f;
  if (count === 0 || count > 4 || at + 2 + count > bytes.length) return null;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + bytes[at + 2 + i]!;
  return { tag, start: at + 2 + count, end: at + 2 + count + length };
}

/** The elements directly inside `parent`, as far as the buffer holds their headers, each required to fit inside it. */
function childrenOf(bytes: Buffer, parent: Tlv, max = 10): Tlv[] | null {
  const children: Tlv[] = [];
  for (let at = parent.start; at < parent.end && children.length < max; ) {
    const child = readTlv(bytes, at);
    if (!child) break; // past what was read: judge by what was seen
    if (child.end > parent.end) return null;
    children.push(child);
    at = child.end;
  }
  return children;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const OID = 0x06;
const OID_PKCS5 = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05]); // 1.2.840.113549.1.5 (PBES2 and older PBE)
const OID_PKCS12_PBE = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01]); // 1.2.840.113549.1.12.1
const OID_PKCS7 = Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07]); // 1.2.840.113549.1.7 (data, signedData)
const MAGIC = [Buffer.from('feedfeed', 'hex'), Buffer.from('cececece', 'hex'), Buffer.from('openssh-key-v1\0', 'latin1')]; // JKS, JCEKS, binary OpenSSH

/**
 * Whether the file *is* a binary key, judged from its head and full size:
 * an outer SEQUENCE that fits in the file and, inside it, the shape of
 *
 * - PKCS#8 PrivateKeyInfo: INTEGER 0|1, SEQUENCE { OID … }, OCTET STRING;
 * - PKCS#8 EncryptedPrivateKeyInfo: SEQUENCE { OID pkcs-5 | pkcs-12 PBE }, OCTET STRING;
 * - PKCS#1 RSAPrivateKey (9 INTEGERs) or OpenSSL DSA (6): ≥ 6 INTEGERs, the first 0|1;
 * - SEC1 ECPrivateKey: INTEGER 1, OCTET STRING, then only [0] / [1];
 * - PKCS#12 PFX: INTEGER 3, SEQUENCE { OID pkcs-7 … }.
 *
 * A certificate starts SEQUENCE { SEQUENCE …: none of these.
 */
export function holdsDerKey(head: Buffer, fileSize: number): boolean {
  if (MAGIC.some((magic) => head.subarray(0, magic.length).equals(magic))) return true;
  const outer = readTlv(head, 0);
  if (!outer || outer.tag !== SEQUENCE || outer.end > fileSize) return false;
  const items = childrenOf(head, outer);
  if (!items || items.length < 2) return false;
  const [first, second] = items as [Tlv, Tlv];
  const small = (tlv: Tlv, ...values: number[]) => tlv.tag === INTEGER && tlv.end - tlv.start === 1 && values.includes(head[tlv.start]!);
  const oidStarts = (container: Tlv, ...prefixes: Buffer[]) => {
    const oid = container.tag === SEQUENCE ? readTlv(head, container.start) : null;
    return !!oid && oid.tag === OID && oid.end <= container.end && (prefixes.length === 0 || prefixes.some((p) => head.subarray(oid.start, oid.end).subarray(0, p.length).equals(p)));
  };
  if (small(first, 0, 1) && oidStarts(second) && items[2]?.tag === OCTET_STRING) return true; // PKCS#8
  if (oidStarts(first, OID_PKCS5, OID_PKCS12_PBE) && second.tag === OCTET_STRING) return true; // encrypted PKCS#8
  if (small(first, 0, 1) && items.length >= 6 && items.slice(0, 6).every((tlv) => tlv.tag === INTEGER)) return true; // PKCS#1, DSA
  if (small(first, 1) && second.tag === OCTET_STRING && items.slice(2).every((tlv) => tlv.tag === 0xa0 || tlv.tag === 0xa1)) return true; // SEC1
  if (small(first, 3) && oidStarts(second, OID_PKCS7)) return true; // PKCS#12
  return false;
}
