/**
 * One shell script per case that did not pass (fail, blocked, intermittent,
 * non-strict, unimplemented): it recreates each identity with openssl and
 * replays the case's exchanges with curl against $RELAY, printing each
 * step's status and body. It always exits 0: it shows, it does not judge.
 *
 * What makes the replay the same experiment as the run:
 * - every request header the case sent goes into curl (not the ones curl
 *   computes itself); a certificate PEM anywhere in a header, path or body
 *   (URL-encoded, JSON-escaped, raw or folded, in the run's line width and
 *   line ends) becomes the recreated identity's certificate laid out the
 *   same way, so AUTH-5's forged headers forge the script's registration;
 * - a request the run sent from a chosen local address is sent from it
 *   (`--interface`);
 * - exchanges that overlapped in time in the run run concurrently, each
 *   started only after the exchanges that had ended before it started in
 *   the run; the others run one after another, in the run's order;
 * - every suite email (`tag-<8 hex>-<n>@conformance.example`, an identity's
 *   or not) is made fresh per script run (`$RUN`), as are identities' other
 *   emails, so a rerun against the same relay does not collide with what
 *   the run or an earlier script run left there. Identities openssl cannot
 *   make simply (expired, not yet valid, tampered) are embedded as the run
 *   made them and keep the run's email, which their certificate carries.
 */
import { createHash } from 'node:crypto';
import type { SuiteIdentity } from '../identities.ts';
import type { CaseResult, CaseVerdict, Exchange, SuiteResult } from '../types.ts';

/** The verdicts that get a script: the case found something wrong (or could not check it because of a wrong answer). */
// Not intermittent: alone such a case passes by definition, so a replay alone shows nothing; the rerun command
// at the run's concurrency (in the report) is what reproduces it.
export const REPRO_VERDICTS: readonly CaseVerdict[] = ['fail', 'blocked', 'non-strict', 'unimplemented'];

/** Headers curl computes itself for the request it sends. */
const CURL_COMPUTED_HEADERS = new Set(['content-length', 'host', 'connection', 'transfer-encoding']);

/**
 * `Date.now()` (startedAtMs) floors to the millisecond and durationMs is
 * rounded, so an exchange that started just after another ended can look
 * up to 1 ms early: two exchanges overlap only when one started more than
 * this before the other's recorded end. Sequential exchanges are never
 * taken for concurrent ones.
 */
const CLOCK_SLACK_MS = 1;

/**
 * A file name per case id. Sub-case ids hold characters a file name cannot
 * (`READY-2/invalid-port["8080"]` and `…[[8080]]` would both become
 * `…_8080_`), so those get a short hash of the id to stay distinct.
 */
export function reproFileName(caseId: string): string {
  const plain = caseId.replace(/[^A-Za-z0-9-]+/g, '_');
  if (/^[A-Za-z0-9-]+(\/[A-Za-z0-9-]+)*$/.test(caseId)) return `${plain}.sh`;
  return `${plain.replace(/_+$/, '')}-${createHash('sha256').update(caseId).digest('hex').slice(0, 8)}.sh`;
}

export function reproScripts(result: SuiteResult): Array<{ name: string; script: string }> {
  return result.cases.filter((c) => REPRO_VERDICTS.includes(c.verdict)).map((c) => ({ name: reproFileName(c.caseId), script: reproScript(result, c) }));
}

export function reproScript(result: SuiteResult, kase: CaseResult): string {
  const authHeader = result.target.auth.startsWith('header:') ? result.target.auth.slice('header:'.length) : null;
  const used = usedIdentities(kase);
  const rewriter = new Rewriter(used, kase.exchanges.map((e) => e.request.body ?? ''));
  const file = reproFileName(kase.caseId);
  const lines = [
    '#!/bin/sh',
    `# Repro for ${oneLine(kase.caseId)} (${oneLine(kase.requirements.join(', '))}): ${oneLine(kase.title)}`,
    `# verdict:  ${kase.verdict}${kase.stability ? ` (${kase.stability})` : ''}`,
    `# expected: ${oneLine(kase.expected)}`,
    `# actual:   ${oneLine(kase.actual)}`,
    ...(kase.findings ?? []).map((f) => `# finding ${oneLine(f.requirement)} (${f.outcome}): expected ${oneLine(f.expected)}; got ${oneLine(f.actual)}`),
    `# Usage: RELAY=https://host:port CA=relay-cert.pem sh ${file}    (or INSECURE=1 instead of CA)`,
    '# Replays the exchanges and prints each status and body; always exits 0.',
    'set -u',
    `RELAY="\${RELAY:-${result.target.url.replace(/["$`\\]/g, '')}}"`,
    'WORK=$(mktemp -d)',
    '# Fresh emails on every run of this script: the relay may hold what the run or an earlier replay registered.',
    'RUN=$(od -An -N4 -tx1 /dev/urandom | tr -d " \\n")',
    'RUN_UC=$(printf %s "$RUN" | tr a-f A-F)',
    ...SHELL_HELPERS,
    '',
    `printf '%s\\n' ${shq(`Repro for ${oneLine(kase.caseId)} (${kase.verdict})`)} ${shq(`expected in the run: ${oneLine(kase.expected)}`)} ${shq(`actual in the run:   ${oneLine(kase.actual)}`)} ''`,
    '',
  ];
  used.forEach((identity, index) => lines.push(...identityLines(identity, index + 1, rewriter)));
  const steps = new Steps(rewriter, used, authHeader);
  for (const group of overlapGroups(kase.exchanges)) lines.push(...(group.length === 1 ? steps.sequential(group[0] as Indexed) : steps.concurrent(group)));
  lines.push('rm -rf "$WORK"', 'exit 0', '');
  return lines.join('\n');
}

/** Shell functions every script carries. `pem_block FILE WIDTH EOL` lays the certificate out as the run sent it. */
const SHELL_HELPERS = String.raw`CR=$(printf '\r')
TAB=$(printf '\t')
relay_curl() {
  if [ -n "$\{INSECURE:-}" ]; then set -- -k "$@"; else set -- --cacert "$\{CA:-relay-cert.pem}" "$@"; fi
  curl -sS --http1.1 --path-as-is -g -w '\nHTTP %{http_code}\n' "$@" || echo "(curl exit $?)"
}
# FILE WIDTH EOL: the PEM block of FILE with its base64 in lines of WIDTH (0: one line) and EOL (awk escapes) between lines; no final EOL.
pem_block() {
  b64=$(grep -v -- ----- "$1" | tr -d '\r\n')
  if [ "$2" -gt 0 ]; then b64=$(printf %s "$b64" | fold -w "$2"); fi
  printf '%s\n%s\n%s\n' '-----BEGIN CERTIFICATE-----' "$b64" '-----END CERTIFICATE-----' | LC_ALL=C awk -v eol="$3" 'BEGIN { ORS = "" } NR > 1 { print eol } { print }'
}
pem_b64() { grep -v -- ----- "$1" | tr -d '\r\n'; }
# OLD NEW: NEW, unless the recreated certificate already has NEW there (then the change would vanish): another character.
changed_char() { if [ "$1" != "$2" ]; then printf %s "$2"; elif [ "$2" = A ]; then printf B; else printf A; fi; }
json_esc() { LC_ALL=C sed -e "s/$CR/\\\\r/g" -e "s/$TAB/\\\\t/g" | LC_ALL=C awk 'BEGIN { ORS = "" } NR > 1 { print "\\n" } { print }'; }
url_esc() { LC_ALL=C awk 'BEGIN { ORS = "" } NR > 1 { print "%0A" } { gsub(/%/, "%25"); gsub(/\+/, "%2B"); gsub(/\//, "%2F"); gsub(/=/, "%3D"); gsub(/ /, "%20"); gsub(/\r/, "%0D"); gsub(/\t/, "%09"); print }'; }
# The certificate as the suite sends it: URL-encoded (the header-auth header, forged headers), JSON-escaped (register bodies).
url_pem() { pem_block "$1" 64 '\n' | url_esc; printf %%0A; }
json_pem() { pem_block "$1" 64 '\n' | json_esc; printf '\\n'; }
# A value for a sed replacement: \ & | escaped, line ends kept.
sed_rep() { printf '%s\n' "$1" | LC_ALL=C sed -e 's/[\\&|]/\\&/g' -e '$!s/$/\\/'; }
# The last line end of a heredoc is not part of the body.
trim_nl() { LC_ALL=C awk 'NR > 1 { printf "\n" } { printf "%s", $0 }'; }
show() { printf '%s\n' "$1"; cat "$WORK/out$2"; }`.replaceAll('$\\{', '${').split('\n');

// ---------------------------------------------------------------- identities

interface Known {
  identity: SuiteIdentity;
  n: number;
  /** The base64 of the DER, no whitespace: how a certificate is recognised in any layout. */
  der: string;
}

function derBase64(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

function recreatable(identity: SuiteIdentity): boolean {
  return identity.recipe.validity === 'current' && !identity.recipe.tampered;
}

/** Identities the exchanges use: by label, by email (any case, raw or URL-encoded), or by certificate anywhere. */
function usedIdentities(kase: CaseResult): SuiteIdentity[] {
  const texts = kase.exchanges.flatMap((e) => [e.request.path, e.request.body ?? '', ...Object.values(e.request.headers)]);
  const flat = texts.map((t) => lenientDecode(t).replace(/\\[nrt]|\s+/g, ''));
  const lower = texts.map((t) => lenientDecode(t).toLowerCase());
  return kase.identities.filter((identity) => {
    if (kase.exchanges.some((e) => e.request.identity === identity.label)) return true;
    const email = identity.email.toLowerCase();
    const der = derBase64(identity.certificatePem);
    return lower.some((t) => email !== '' && t.includes(email)) || flat.some((t) => der !== '' && t.includes(der));
  });
}

function lenientDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

function identityLines(identity: SuiteIdentity, n: number, rewriter: Rewriter): string[] {
  const r = identity.recipe;
  const lines = [`# identity ${n} (${oneLine(identity.label)}): ${r.keyType}, email ${r.layout}, ${r.validity}${r.tampered ? ', signature tampered' : ''}; run email ${oneLine(identity.email)}`];
  if (recreatable(identity)) {
    const subject: Piece[] = r.subject.flatMap((a) => [`/${subjectEscape(a.field)}=`, ...rewriter.rewrite(a.value).map((p) => (typeof p === 'string' ? subjectEscape(p) : p))]);
    const sans: Piece[] = r.sanEmails.flatMap((e, i) => [`${i > 0 ? ',' : ''}email:`, ...rewriter.rewrite(e)]);
    lines.push(
      `openssl req -x509 ${newKey(r.keyType)} -nodes -keyout "$WORK/id${n}.key" -out "$WORK/id${n}.crt" -days 365 -subj ${shellWord(subject.length > 0 ? subject : ['/'])}${sans.length > 0 ? ` -addext ${shellWord(['subjectAltName=', ...sans])}` : ''} 2>"$WORK/openssl${n}.err" || { echo "openssl could not make identity ${n}:"; cat "$WORK/openssl${n}.err"; }`,
      `printf '%s\\n' ${shellWord([`identity ${n} (${oneLine(identity.label)}): `, ...rewriter.rewrite(oneLine(identity.email))])}`,
    );
  } else {
    const why = r.tampered ? 'a certificate with a corrupted signature' : r.validity === 'expired' ? 'an expired certificate' : 'a certificate not yet valid';
    lines.push(
      `# Embedded as the run made it: openssl cannot simply make ${why}. The certificate carries the run's email`,
      `# ${oneLine(identity.email)}, so this identity keeps it (a fresh one would not match the certificate).`,
      `cat > "$WORK/id${n}.crt" <<'${delimiter(identity.certificatePem, 'PEM')}'`,
      identity.certificatePem.replace(/\n$/, ''),
      delimiter(identity.certificatePem, 'PEM'),
      `cat > "$WORK/id${n}.key" <<'${delimiter(identity.privateKeyPem, 'PEM')}'`,
      identity.privateKeyPem.replace(/\n$/, ''),
      delimiter(identity.privateKeyPem, 'PEM'),
      `printf '%s\\n' ${shq(`identity ${n} (${oneLine(identity.label)}): ${oneLine(identity.email)} (the run's, embedded certificate)`)}`,
    );
  }
  lines.push('');
  return lines;
}

/** openssl -subj: `/` separates attributes, `+` joins multi-valued ones, `\` escapes. */
function subjectEscape(text: string): string {
  return text.replace(/[\\/+]/g, (c) => `\\${c}`);
}

function newKey(keyType: string): string {
  switch (keyType) {
    case 'rsa-1024': return '-newkey rsa:1024';
    case 'rsa-2048': return '-newkey rsa:2048';
    case 'ed25519': return '-newkey ed25519';
    default: return '-newkey ec -pkeyopt ec_paramgen_curve:P-256';
  }
}

// ---------------------------------------------------------------- rewriting

type CertLayer = 'raw' | 'json' | 'url' | 'b64';
type Dynamic =
  | { kind: 'run'; upper: boolean }
  | { kind: 'cert'; n: number; layer: CertLayer; width: number; eol: string; /** The PEM's final line end follows (the usual layout: `url_pem`, `json_pem`). */ final?: boolean }
  /** A JSON-escaped PEM the case mangled (cut, a character changed): the recreated one mangled at the same places. */
  | { kind: 'mangled'; n: number; head: number; middle: string; tail: number; replaced: number };
/** A literal string, or something the script computes when it runs. */
type Piece = string | Dynamic;

const PEM_LAYERS: Array<{ layer: Exclude<CertLayer, 'b64'>; pattern: RegExp; decode: (inner: string) => string }> = [
  { layer: 'json', pattern: /-----BEGIN CERTIFICATE-----((?:[A-Za-z0-9+/= ]|\\[nrt/])+)-----END CERTIFICATE-----/g, decode: (s) => s.replace(/\\([nrt/])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t', '/': '/' })[c] ?? c) },
  { layer: 'url', pattern: /-----BEGIN%20CERTIFICATE-----((?:[A-Za-z0-9+/=]|%(?:2B|2F|3D|0A|0D|20|09))+)-----END%20CERTIFICATE-----/gi, decode: (s) => lenientDecode(s) },
  { layer: 'raw', pattern: /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g, decode: (s) => s },
];

/** A suite email's run-specific part: `-<nonce>-<n>`, an optional `+tag`, then the suite's domain (raw or URL-encoded). */
const SUITE_EMAIL = /-([0-9a-f]{8})-(\d+)((?:\+|%2B)[A-Za-z0-9._-]*)?(@|%40)(conformance\.example)(?![A-Za-z0-9-])/gi;

function suiteKey(nonce: string, n: string, plus: string | undefined): string {
  return `${nonce}-${n}${lenientDecode(plus ?? '')}`.toLowerCase();
}

/** Rewrites run-specific text (certificates, emails) into what the script computes. */
class Rewriter {
  private readonly known: Known[];
  /** Suite emails of embedded identities: kept as the run had them. */
  private readonly keptSuite = new Set<string>();
  /** Other emails of identities (not suite-shaped), each variant with its fresh pieces. */
  private readonly literals: Array<{ text: string; pieces: Piece[] }> = [];
  readonly marker: string;

  constructor(identities: SuiteIdentity[], bodies: string[]) {
    this.known = identities.map((identity, i) => ({ identity, n: i + 1, der: derBase64(identity.certificatePem) }));
    const keptOther = new Set<string>();
    for (const identity of identities) {
      if (recreatable(identity)) continue;
      const match = new RegExp(SUITE_EMAIL.source, 'i').exec(identity.email);
      if (match) this.keptSuite.add(suiteKey(match[1] as string, match[2] as string, match[3]));
      else keptOther.add(identity.email.toLowerCase());
    }
    const bases = new Map<string, number>();
    for (const identity of identities) {
      const email = identity.email;
      if (email === '' || new RegExp(SUITE_EMAIL.source, 'i').test(email) || keptOther.has(email.toLowerCase())) continue;
      const at = email.lastIndexOf('@');
      const local = at >= 0 ? email.slice(0, at) : email;
      const domain = at >= 0 ? email.slice(at) : '';
      const plusAt = local.indexOf('+');
      const base = plusAt >= 0 ? local.slice(0, plusAt) : local;
      const key = `${base}${domain}`.toLowerCase();
      if (!bases.has(key)) bases.set(key, bases.size + 1);
      const k = bases.get(key) as number;
      for (const variant of new Set([email, email.toLowerCase(), email.toUpperCase()])) {
        if (this.literals.some((l) => l.text === variant)) continue;
        const vAt = variant.lastIndexOf('@');
        const vLocal = vAt >= 0 ? variant.slice(0, vAt) : variant;
        const vPlus = vLocal.indexOf('+');
        const vBase = vPlus >= 0 ? vLocal.slice(0, vPlus) : vLocal;
        const rest = `-${k}${vPlus >= 0 ? vLocal.slice(vPlus) : ''}${vAt >= 0 ? variant.slice(vAt) : ''}`;
        const upper = variant === variant.toUpperCase() && variant !== variant.toLowerCase();
        const pieces: Piece[] = [`${vBase}-`, { kind: 'run', upper }, rest];
        this.literals.push({ text: variant, pieces });
        const encoded = encodeURIComponent(variant);
        if (encoded !== variant) this.literals.push({ text: encoded, pieces: [encodeURIComponent(`${vBase}-`), { kind: 'run', upper }, encodeURIComponent(rest)] });
      }
    }
    // Longest first, so `a+tag@x` is not taken for `a@x` plus junk.
    this.literals.sort((a, b) => b.text.length - a.text.length);
    let marker = '@@relaylab:';
    while (bodies.some((b) => b.includes(marker))) marker = `${marker.slice(0, -1)}_:`;
    this.marker = marker;
  }

  rewrite(text: string): Piece[] {
    let pieces: Piece[] = [text];
    for (const layer of PEM_LAYERS) pieces = mapStrings(pieces, (s) => this.pemBlocks(s, layer));
    pieces = mapStrings(pieces, (s) => this.mangledPems(s));
    pieces = mapStrings(pieces, (s) => this.bareBase64(s));
    pieces = mapStrings(pieces, (s) => this.suiteEmails(s));
    pieces = mapStrings(pieces, (s) => this.literalEmails(s));
    return merge(usualLayouts(merge(pieces)));
  }

  /** Old certificate text that survived rewriting (a form not recognised): for a warning in the script. */
  leftovers(pieces: Piece[]): number[] {
    const flat = pieces.filter((p): p is string => typeof p === 'string').map((s) => lenientDecode(s).replace(/\\[nrt]|\s+/g, '')).join('');
    return this.known.filter((k) => k.der.length > 40 && flat.includes(k.der.slice(0, 40))).map((k) => k.n);
  }

  private pemBlocks(text: string, { layer, pattern, decode }: (typeof PEM_LAYERS)[number]): Piece[] {
    const out: Piece[] = [];
    let last = 0;
    for (const match of text.matchAll(new RegExp(pattern.source, pattern.flags))) {
      const inner = decode(match[1] as string);
      const known = this.known.find((k) => k.der === inner.replace(/\s+/g, ''));
      if (!known) continue;
      const lines = inner.split(/\s+/).filter(Boolean);
      const eol = /^\s*/.exec(inner)?.[0] ?? '';
      out.push(text.slice(last, match.index), { kind: 'cert', n: known.n, layer, width: lines.length > 1 ? (lines[0] as string).length : 0, eol });
      last = (match.index ?? 0) + match[0].length;
    }
    out.push(text.slice(last));
    return out;
  }

  /**
   * A JSON string holding a PEM derived from an identity's (the case cut
   * it or changed a character): kept as the same first and last characters
   * of the recreated certificate around the run's middle, so the replay
   * sends a certificate mangled the same way that carries the fresh email.
   */
  private mangledPems(text: string): Piece[] {
    const begin = '-----BEGIN CERTIFICATE-----';
    const out: Piece[] = [];
    let last = 0;
    for (let at = text.indexOf(begin); at >= 0; at = text.indexOf(begin, at + 1)) {
      if (at < last) continue;
      const close = /(?<!\\)(?:\\\\)*"/.exec(text.slice(at));
      const region = text.slice(at, close ? at + close.index + close[0].length - 1 : text.length);
      let best: { n: number; head: number; tail: number } | null = null;
      for (const known of this.known) {
        const old = JSON.stringify(known.identity.certificatePem).slice(1, -1);
        let head = 0;
        while (head < region.length && head < old.length && region[head] === old[head]) head += 1;
        let tail = 0;
        while (tail < region.length - head && tail < old.length - head && region[region.length - 1 - tail] === old[old.length - 1 - tail]) tail += 1;
        if (head - begin.length + tail >= 32 && (!best || head + tail > best.head + best.tail)) best = { n: known.n, head, tail };
      }
      if (!best) continue;
      const oldLength = JSON.stringify(this.known[best.n - 1]?.identity.certificatePem ?? '').length - 2;
      out.push(text.slice(last, at), { kind: 'mangled', n: best.n, head: best.head, middle: region.slice(best.head, region.length - best.tail), tail: best.tail, replaced: oldLength - best.head - best.tail });
      last = at + region.length;
    }
    out.push(text.slice(last));
    return out;
  }

  private bareBase64(text: string): Piece[] {
    let pieces: Piece[] = [text];
    for (const known of this.known) {
      if (known.der.length < 40) continue;
      pieces = mapStrings(pieces, (s) => s.split(known.der).flatMap((part, i) => (i === 0 ? [part] : [{ kind: 'cert', n: known.n, layer: 'b64', width: 0, eol: '' } as Piece, part])));
    }
    return pieces;
  }

  private suiteEmails(text: string): Piece[] {
    const out: Piece[] = [];
    let last = 0;
    for (const match of text.matchAll(new RegExp(SUITE_EMAIL.source, SUITE_EMAIL.flags))) {
      const [whole, nonce = '', n = '', plus, at = '', domain = ''] = match;
      if (this.keptSuite.has(suiteKey(nonce, n, plus))) continue;
      const upper = /[A-F]/.test(nonce) || (!/[a-f]/.test(nonce) && domain === domain.toUpperCase());
      out.push(text.slice(last, match.index), '-', { kind: 'run', upper }, `-${n}${plus ?? ''}${at}${domain}`);
      last = (match.index ?? 0) + whole.length;
    }
    out.push(text.slice(last));
    return out;
  }

  private literalEmails(text: string): Piece[] {
    let pieces: Piece[] = [text];
    for (const { text: variant, pieces: fresh } of this.literals) {
      pieces = mapStrings(pieces, (s) => {
        const out: Piece[] = [];
        let from = 0;
        let cut = 0;
        for (let at = s.indexOf(variant); at >= 0; at = s.indexOf(variant, at + 1)) {
          if (at < from || !emailBoundary(s, at, at + variant.length)) continue;
          out.push(s.slice(cut, at), ...fresh);
          cut = from = at + variant.length;
        }
        out.push(s.slice(cut));
        return out;
      });
    }
    return pieces;
  }
}

/** The match is a whole email, not part of a longer one (`%XX` before it is an encoded separator). */
function emailBoundary(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 3), start);
  const okBefore = start === 0 || /%[0-9A-Fa-f]{2}$/.test(before) || !/[A-Za-z0-9._+-]/.test(text[start - 1] as string);
  const okAfter = end >= text.length || !/[A-Za-z0-9_-]/.test(text[end] as string);
  return okBefore && okAfter;
}

/** A certificate in the usual layout (64 columns, LF) with its final line end: one helper call (`url_pem`, `json_pem`). */
function usualLayouts(pieces: Piece[]): Piece[] {
  return pieces.map((p, i) => {
    const next = pieces[i + 1];
    if (typeof p === 'string' || p.kind !== 'cert' || p.width !== 64 || p.eol !== '\n' || typeof next !== 'string') return p;
    const end = p.layer === 'url' ? /^%0A/i : p.layer === 'json' ? /^\\n/ : null;
    if (!end || !end.test(next)) return p;
    pieces[i + 1] = next.replace(end, '');
    return { ...p, final: true };
  });
}

function mapStrings(pieces: Piece[], f: (s: string) => Piece[]): Piece[] {
  return pieces.flatMap((p) => (typeof p === 'string' ? f(p) : [p]));
}

function merge(pieces: Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    if (p === '') continue;
    const prev = out[out.length - 1];
    if (typeof p === 'string' && typeof prev === 'string') out[out.length - 1] = prev + p;
    else out.push(p);
  }
  return out;
}

/** The shell command that prints a dynamic piece. */
function dynamicCommand(d: Dynamic): string {
  if (d.kind === 'run') return d.upper ? 'printf %s "$RUN_UC"' : 'printf %s "$RUN"';
  if (d.kind === 'mangled') {
    // The recreated certificate's length differs a little: a cut keeps the same start; a change keeps its
    // place counted from the nearer end, so the rest of the certificate is whole.
    const json = `json_pem "$WORK/id${d.n}.crt"`;
    const fromEnd = d.tail < d.head && d.tail > 0;
    const headExpr = fromEnd ? `$(($(${json} | wc -c) - ${d.tail + d.replaced}))` : String(d.head);
    // One character changed: changed again if the recreated certificate happens to hold the new one there (1 in 64).
    const oneChar = d.replaced === 1 && d.middle.length === 1 && d.tail > 0;
    const middle = oneChar ? `changed_char "$(${json} | head -c $((${headExpr} + 1)) | tail -c 1)" ${shq(d.middle)}` : `printf %s ${shq(d.middle)}`;
    if (d.tail === 0) return `{ ${json} | head -c ${d.head}; ${middle}; }`;
    if (fromEnd) return `{ ${json} | head -c ${headExpr}; ${middle}; ${json} | tail -c ${d.tail}; }`;
    return `{ ${json} | head -c ${d.head}; ${middle}; ${json} | tail -c +${d.head + d.replaced + 1}; }`;
  }
  const file = `"$WORK/id${d.n}.crt"`;
  if (d.layer === 'b64') return `pem_b64 ${file}`;
  if (d.final && d.layer === 'url') return `url_pem ${file}`;
  if (d.final && d.layer === 'json') return `json_pem ${file}`;
  const block = `pem_block ${file} ${d.width} ${shq(awkEscape(d.eol))}`;
  return d.layer === 'json' ? `${block} | json_esc` : d.layer === 'url' ? `${block} | url_esc` : block;
}

function dynamicWord(d: Dynamic): string {
  if (d.kind === 'run') return d.upper ? '"$RUN_UC"' : '"$RUN"';
  return `"$(${dynamicCommand(d)})"`;
}

function awkEscape(whitespace: string): string {
  return whitespace.replace(/[\s\\]/g, (c) => ({ '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' })[c] ?? c);
}

/** One shell word: literal pieces single-quoted, dynamic ones double-quoted expansions. */
function shellWord(pieces: Piece[]): string {
  const word = merge(pieces).map((p) => (typeof p === 'string' ? shq(p) : dynamicWord(p))).join('');
  return word === '' ? "''" : word;
}

function shq(text: string): string {
  // A NUL cannot be in a shell word; nothing the suite sends in a header or path holds one.
  return `'${text.replace(/\0/g, '').replace(/'/g, `'\\''`)}'`;
}

/** A heredoc delimiter that is no line of the text. */
function delimiter(text: string, base: string): string {
  const lines = new Set(text.split(/\r?\n/));
  let name = base;
  for (let i = 1; lines.has(name); i += 1) name = `${base}_${i}`;
  return name;
}

// ---------------------------------------------------------------- exchanges

interface Indexed {
  exchange: Exchange;
  step: number;
}

function endOf(e: Exchange): number {
  return e.startedAtMs + e.durationMs;
}

/** `later` started only after `earlier` had ended (within the clock's resolution). */
function endedBefore(earlier: Exchange, later: Exchange): boolean {
  return later.startedAtMs >= endOf(earlier) - CLOCK_SLACK_MS;
}

/** Runs of exchanges whose time spans overlap (transitively), in start order; most runs are single exchanges. */
function overlapGroups(exchanges: Exchange[]): Indexed[][] {
  const ordered = exchanges.map((exchange, i) => ({ exchange, step: i + 1 })).sort((a, b) => a.exchange.startedAtMs - b.exchange.startedAtMs || a.step - b.step);
  const groups: Indexed[][] = [];
  let groupEnd = -Infinity;
  for (const item of ordered) {
    const current = groups[groups.length - 1];
    if (current && item.exchange.startedAtMs < groupEnd - CLOCK_SLACK_MS) current.push(item);
    else {
      groups.push([item]);
      groupEnd = -Infinity;
    }
    groupEnd = Math.max(groupEnd, endOf(item.exchange));
  }
  return groups;
}

class Steps {
  constructor(
    private readonly rewriter: Rewriter,
    private readonly identities: SuiteIdentity[],
    private readonly authHeader: string | null,
  ) {}

  sequential({ exchange, step }: Indexed): string[] {
    const { prep, curl, notes } = this.request(exchange, step);
    return [`printf '%s\\n' ${this.title(exchange, step)}`, `# the run got: ${oneLine(outcome(exchange))}`, ...notes, ...prep, curl, ''];
  }

  /**
   * Each exchange in the background; before starting one, wait for those
   * that had ended before it started in the run (all of them end before
   * any later one starts too, since the group is in start order). Outputs
   * go to files, printed in step order after the last one ends.
   */
  concurrent(group: Indexed[]): string[] {
    const steps = group.map((g) => g.step);
    const lines = [`# Steps ${steps.join(', ')} overlapped in the run: replayed concurrently, each after the steps that had ended before it started.`];
    const waited = new Set<number>();
    group.forEach(({ exchange, step }, index) => {
      const { prep, curl, notes } = this.request(exchange, step);
      const before = group.slice(0, index).filter((g) => !waited.has(g.step) && endedBefore(g.exchange, exchange));
      for (const g of before) {
        lines.push(`wait "$P${g.step}"    # step ${g.step} had ended when step ${step} started`);
        waited.add(g.step);
      }
      lines.push(`# step ${step}: ${oneLine(exchange.request.method)} ${oneLine(exchange.request.path).slice(0, 200)}; the run got: ${oneLine(outcome(exchange))}`, ...notes, ...prep, `${curl} > "$WORK/out${step}" 2>&1 &`, `P${step}=$!`);
    });
    lines.push('wait');
    for (const { exchange, step } of [...group].sort((a, b) => a.step - b.step)) lines.push(`show ${this.title(exchange, step)} ${step}`);
    lines.push('');
    return lines;
  }

  /** `== N. METHOD /path` as this run of the script sends it (fresh emails), one shell word. */
  private title(exchange: Exchange, step: number): string {
    return shellWord([`== ${step}. ${oneLine(exchange.request.method)} `, ...this.rewriter.rewrite(oneLine(sentPath(exchange.request.path)).slice(0, 200))]);
  }

  private request(exchange: Exchange, step: number): { prep: string[]; curl: string; notes: string[] } {
    const { request } = exchange;
    const notes: string[] = [];
    const prep: string[] = [];
    const args: string[] = [];
    const method = request.method.toUpperCase();
    args.push(method === 'HEAD' ? '--head' : `-X ${shq(request.method)}`);
    const localAddress = request.localAddress ?? null;
    if (localAddress) args.push(`--interface ${shq(localAddress)}`);
    const owner = this.identities.findIndex((id) => id.label === request.identity) + 1;
    if (request.identity && owner === 0) notes.push(`# the run presented identity ${oneLine(request.identity)}, which is not in the report: sent without it`);
    const sent = new Set<string>();
    for (const [name, value] of Object.entries(request.headers)) {
      const lower = name.toLowerCase();
      if (CURL_COMPUTED_HEADERS.has(lower)) continue;
      sent.add(lower);
      const pieces = this.rewriter.rewrite(value);
      for (const n of this.rewriter.leftovers(pieces)) notes.push(`# header ${oneLine(name)} holds (part of) identity ${n}'s certificate as the run had it: mangled on purpose, or in a layout this script does not rebuild`);
      args.push(`-H ${value === '' ? shq(`${name};`) : shellWord([`${name}: `, ...pieces])}`);
    }
    if (owner > 0) {
      if (this.authHeader) {
        if (!sent.has(this.authHeader.toLowerCase())) args.push(`-H ${shellWord([`${this.authHeader}: `, { kind: 'cert', n: owner, layer: 'url', width: 64, eol: '\n', final: true }])}`);
      } else {
        args.push(`--cert "$WORK/id${owner}.crt" --key "$WORK/id${owner}.key"`);
      }
    }
    // Headers the run did not send, curl would add: take them out.
    if (!sent.has('accept')) args.push(`-H 'Accept:'`);
    if (!sent.has('user-agent')) args.push(`-H 'User-Agent:'`);
    if (request.body !== null) {
      if (!sent.has('content-type')) args.push(`-H 'Content-Type:'`);
      if (!sent.has('expect')) args.push(`-H 'Expect:'`);
      prep.push(...this.bodyLines(exchange, step, notes));
      args.push(`--data-binary @"$WORK/body${step}"`);
    }
    args.push(`"$RELAY"${shellWord(this.rewriter.rewrite(sentPath(request.path)))}`);
    return { prep, curl: `relay_curl ${args.join(' ')}`, notes };
  }

  private bodyLines(exchange: Exchange, step: number, notes: string[]): string[] {
    const { request } = exchange;
    const body = request.body ?? '';
    const pieces = this.rewriter.rewrite(body);
    for (const n of this.rewriter.leftovers(pieces)) notes.push(`# the body holds (part of) identity ${n}'s certificate as the run had it: mangled on purpose, or in a layout this script does not rebuild`);
    const lines: string[] = [];
    const file = `"$WORK/body${step}"`;
    if (body.includes('\0')) {
      // A heredoc cannot carry a NUL byte: printf writes the body, octal escapes and all.
      const parts = pieces.map((p) => (typeof p === 'string' ? `printf ${shq(p.replace(/\\/g, '\\\\').replace(/%/g, '%%').replace(/\0/g, '\\000'))}` : dynamicCommand(p)));
      lines.push(`{ ${parts.join('; ')}; } > ${file}`);
    } else {
      const marker = this.rewriter.marker;
      const placeholders: Array<{ name: string; piece: Dynamic }> = [];
      const template = pieces.map((p) => {
        if (typeof p === 'string') return p;
        const name = p.kind === 'run' ? (p.upper ? 'RUN_UC' : 'RUN') : `P${placeholders.length + 1}`;
        if (!placeholders.some((h) => h.name === name)) placeholders.push({ name, piece: p });
        return `${marker}${name}@@`;
      }).join('');
      const end = delimiter(template, 'BODY');
      lines.push(`cat > "$WORK/body${step}.tmpl" <<'${end}'`, template, end);
      const seds = placeholders.map(({ name, piece }) => `-e "s|${marker}${name}@@|${piece.kind === 'run' ? (piece.upper ? '$RUN_UC' : '$RUN') : `$(sed_rep "$(${dynamicCommand(piece)})")`}|g"`);
      lines.push(seds.length > 0 ? `LC_ALL=C sed ${seds.join(' ')} "$WORK/body${step}.tmpl" | trim_nl > ${file}` : `trim_nl < "$WORK/body${step}.tmpl" > ${file}`);
    }
    const keptBytes = Buffer.byteLength(body);
    if (request.bodyBytes > keptBytes) {
      // Very large bodies are not kept whole in the report: pad to the size the run sent, closing the JSON the kept part opened.
      const { fill, closing } = jsonCompletion(body);
      const count = Math.max(0, request.bodyBytes - keptBytes - Buffer.byteLength(closing));
      notes.push(`# the report kept the first ${keptBytes} of this body's ${request.bodyBytes} bytes: the rest is ${count} × "${fill}"${closing ? ` then ${closing}` : ''}, not the run's own tail`);
      lines.push(`head -c ${count} /dev/zero | tr '\\0' ${shq(fill)} >> ${file}`);
      if (closing) lines.push(`printf %s ${shq(closing)} >> ${file}`);
    }
    return lines;
  }
}

/**
 * How a cut JSON text goes on: the character to repeat (the one it was cut
 * in, for the usual long run of one character) and what closes what it
 * opened (a string, arrays, objects). Not JSON: pad with x, close nothing.
 */
function jsonCompletion(text: string): { fill: string; closing: string } {
  const fallback = { fill: 'x', closing: '' };
  if (!/^\s*[[{]/.test(text)) return fallback;
  const open: string[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i] as string;
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') open.push('}');
    else if (c === '[') open.push(']');
    else if (c === '}' || c === ']') open.pop();
  }
  const closers = open.reverse().join('');
  const lastChar = text[text.length - 1] ?? 'x';
  if (inString) return { fill: /[A-Za-z0-9 ._-]/.test(lastChar) && !text.endsWith('\\') ? lastChar : 'x', closing: `"${closers}` };
  return { fill: ' ', closing: closers };
}

/**
 * The request target the run sent: the suite resolves each path as a URL
 * (percent-encoding what a URL may not hold, resolving dot segments), so
 * curl gets that, not the text the case wrote.
 */
function sentPath(path: string): string {
  if (!path.startsWith('/') || path.startsWith('//')) return path;
  try {
    const url = new URL(path, 'https://relay.invalid');
    return `${url.pathname}${url.search}`;
  } catch {
    return path;
  }
}

function outcome(exchange: Exchange): string {
  return exchange.response ? `HTTP ${exchange.response.status} ${exchange.response.body.slice(0, 160)}` : `no response (${exchange.transportError})`;
}

function oneLine(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').slice(0, 300);
}
