/**
 * One shell script per failing case: recreate each identity with openssl
 * (fresh key, fresh email of the same shape, so the replay does not collide
 * with what the run left on the relay) and replay the exchanges with curl.
 * Identities openssl cannot recreate simply (expired, not-yet-valid,
 * tampered) are embedded as the run made them, with their original email.
 */
import type { SuiteIdentity } from '../identities.ts';
import type { SuiteResult } from '../run-suite.ts';
import type { CaseResult, Exchange } from '../types.ts';

export function reproFileName(caseId: string): string {
  return `${caseId.replace(/[^A-Za-z0-9-]+/g, '_')}.sh`;
}

export function reproScripts(result: SuiteResult): Array<{ name: string; script: string }> {
  return result.cases.filter((c) => c.verdict === 'fail').map((c) => ({ name: reproFileName(c.caseId), script: reproScript(result, c) }));
}

export function reproScript(result: SuiteResult, kase: CaseResult): string {
  const header = result.target.auth.startsWith('header:') ? result.target.auth.slice('header:'.length) : null;
  const used = kase.identities.filter((id) => kase.exchanges.some((e) => mentions(e, id)));
  const lines = [
    '#!/bin/sh',
    `# Repro for ${kase.caseId} (${kase.requirements.join(', ')}): ${kase.title}`,
    `# expected: ${oneLine(kase.expected)}`,
    `# actual:   ${oneLine(kase.actual)}`,
    `# Usage: RELAY=https://host:port CA=relay-cert.pem sh ${reproFileName(kase.caseId)}    (or INSECURE=1 instead of CA)`,
    'set -u',
    `RELAY="\${RELAY:-${result.target.url}}"`,
    'if [ -n "${INSECURE:-}" ]; then TLS="-k"; else TLS="--cacert ${CA:-relay-cert.pem}"; fi',
    'WORK=$(mktemp -d)',
    'RUN=$(od -An -N4 -tx1 /dev/urandom | tr -d " \\n")',
    'json_pem() { awk \'BEGIN{ORS=""} {print $0 "\\\\n"}\' "$1" | sed \'s/\\\\/\\\\\\\\/g\'; }',
    'url_pem() { awk \'BEGIN{ORS=""} {gsub(/\\+/,"%2B"); gsub(/\\//,"%2F"); gsub(/=/,"%3D"); gsub(/ /,"%20"); print $0 "%0A"}\' "$1"; }',
    'url_email() { printf "%s" "$1" | sed "s/@/%40/g; s/+/%2B/g"; }',
    '',
  ];
  used.forEach((identity, index) => lines.push(...identityLines(identity, index + 1, used.slice(0, index))));
  kase.exchanges.forEach((exchange, index) => lines.push(...exchangeLines(exchange, index + 1, used, header)));
  lines.push('rm -rf "$WORK"', '');
  return lines.join('\n');
}

function mentions(exchange: Exchange, identity: SuiteIdentity): boolean {
  return exchange.request.identity === identity.label || (exchange.request.body ?? '').includes(identity.email) || exchange.request.path.includes(encodeURIComponent(identity.email));
}

function recreatable(identity: SuiteIdentity): boolean {
  return identity.recipe.validity === 'current' && !identity.recipe.tampered;
}

function identityLines(identity: SuiteIdentity, n: number, earlier: SuiteIdentity[]): string[] {
  const r = identity.recipe;
  const lines = [`# identity ${n} (${identity.label}): ${r.keyType}, email ${r.layout}, ${r.validity}${r.tampered ? ', signature tampered' : ''}; run email ${identity.email}`];
  // Identities that shared an email in the run (a second key, another letter case) share the fresh one:
  // the collision is what such a case tests.
  const sameEmailAs = earlier.findIndex((other) => other.email.toLowerCase() === identity.email.toLowerCase()) + 1;
  if (recreatable(identity)) {
    const [local = 'peer', domain = 'conformance.example'] = identity.email.split('@');
    const fresh = `${local.replace(/-[0-9a-f]{8}-\d+$/i, '')}-$RUN-${n}@${domain}`;
    lines.push(`EMAIL_${n}="${sameEmailAs > 0 ? sharedEmail(identity.email, earlier[sameEmailAs - 1] as SuiteIdentity, sameEmailAs) : identity.email === identity.email.toLowerCase() ? fresh : fresh.toUpperCase()}"`);
    const subject = r.subject.map((a) => `/${a.field}=${a.value === identity.email ? `$EMAIL_${n}` : a.value}`).join('');
    const sans = r.sanEmails.map((e) => `email:${e === identity.email ? `$EMAIL_${n}` : e}`).join(',');
    lines.push(`openssl req -x509 ${newKey(r.keyType)} -nodes -keyout "$WORK/id${n}.key" -out "$WORK/id${n}.crt" -days 365 -subj "${subject}"${sans ? ` -addext "subjectAltName=${sans}"` : ''} 2>/dev/null`);
  } else {
    lines.push(`EMAIL_${n}="${identity.email}"`, `cat > "$WORK/id${n}.crt" <<'PEM'`, identity.certificatePem.trimEnd(), 'PEM', `cat > "$WORK/id${n}.key" <<'PEM'`, identity.privateKeyPem.trimEnd(), 'PEM');
  }
  lines.push(`CERT_${n}=$(json_pem "$WORK/id${n}.crt")`, '');
  return lines;
}

/** Identity n's email written from an earlier identity's, keeping this one's letter case. */
function sharedEmail(email: string, other: SuiteIdentity, m: number): string {
  if (email === other.email) return `$EMAIL_${m}`;
  if (email === email.toUpperCase()) return `$(printf %s "$EMAIL_${m}" | tr a-z A-Z)`;
  if (email === email.toLowerCase()) return `$(printf %s "$EMAIL_${m}" | tr A-Z a-z)`;
  return `$EMAIL_${m}`;
}

function newKey(keyType: string): string {
  switch (keyType) {
    case 'rsa-1024': return '-newkey rsa:1024';
    case 'rsa-2048': return '-newkey rsa:2048';
    case 'ed25519': return '-newkey ed25519';
    default: return '-newkey ec -pkeyopt ec_paramgen_curve:P-256';
  }
}

function exchangeLines(exchange: Exchange, step: number, identities: SuiteIdentity[], header: string | null): string[] {
  const { request, response } = exchange;
  let path = request.path;
  let body = request.body;
  const seds: string[] = [];
  identities.forEach((identity, index) => {
    const n = index + 1;
    for (const [variant, shell] of [[identity.email, `$(url_email "$EMAIL_${n}")`], [identity.email.toUpperCase(), `$(url_email "$EMAIL_${n}" | tr a-z A-Z)`], [identity.email.toLowerCase(), `$(url_email "$EMAIL_${n}" | tr A-Z a-z)`]] as const) {
      path = path.split(encodeURIComponent(variant)).join(shell);
    }
    if (body !== null) {
      body = body.split(JSON.stringify(identity.certificatePem).slice(1, -1)).join(`@@CERT_${n}@@`).split(identity.email).join(`@@EMAIL_${n}@@`);
      seds.push(`-e "s|@@CERT_${n}@@|$CERT_${n}|g" -e "s|@@EMAIL_${n}@@|$EMAIL_${n}|g"`);
    }
  });
  const outcome = response ? `HTTP ${response.status} ${response.body.slice(0, 160)}` : `no response (${exchange.transportError})`;
  const lines = [`echo "== ${step}. ${request.method} ${request.path.replace(/["$`\\]/g, '')}"`, `# the run got: ${oneLine(outcome)}`];
  const args = [`-sS $TLS -X ${request.method}`, `-w '\\nHTTP %{http_code}\\n'`];
  const owner = identities.findIndex((id) => id.label === request.identity) + 1;
  if (owner > 0) args.push(header ? `-H "${header}: $(url_pem "$WORK/id${owner}.crt")"` : `--cert "$WORK/id${owner}.crt" --key "$WORK/id${owner}.key"`);
  if (body !== null) {
    const keptBytes = Buffer.byteLength(request.body ?? '');
    const truncated = request.bodyBytes > keptBytes;
    lines.push(`cat > "$WORK/body${step}.tmpl" <<'BODY'`, body, 'BODY');
    lines.push(`sed ${seds.join(' ') || '-e ""'} "$WORK/body${step}.tmpl" | tr -d '\\n' > "$WORK/body${step}.json"`);
    // Very large bodies are not kept in the report; pad to the original size.
    if (truncated) lines.push(`head -c ${request.bodyBytes - keptBytes} /dev/zero | tr '\\0' x >> "$WORK/body${step}.json"`);
    args.push(`-H 'content-type: ${request.headers['content-type'] ?? 'application/json'}'`, `--data-binary @"$WORK/body${step}.json"`);
  }
  lines.push(`curl ${args.join(' ')} "$RELAY${path}"`, '');
  return lines;
}

function oneLine(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').slice(0, 300);
}
