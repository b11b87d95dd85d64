/**
 * What one registration costs the relay, an ordinary certificate against
 * hostile ones (issue "Hardening", item 2): the pure RelayCore with the real
 * X.509 inspector and the memory store, no network. Prints µs per
 * registration and each as a ratio of the ordinary one, all measured in this
 * one run, plus what verifying each self-signature alone would have cost
 * (the work the relay now refuses before doing) and what the inspector's
 * steps cost as they ran before the fix (parse, render every name, O(n²)
 * de-duplication, then verify, whatever the key).
 *
 *   npm run bench:register [-- --iterations 200]
 */
import { X509Certificate } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sanEmails, x509Inspector } from '../reference/identity/inspect.ts';
import { RelayCore } from '../reference/relay/core/relay-core.ts';
import { MemoryStore } from '../reference/relay/stores/memory-store.ts';
import { SeededRng } from '../reference/shared/rng.ts';
import {
  badNotAfterCertificate,
  fakeDsaCertificate,
  hugeExponentRsaCertificate,
  manySanCertificate,
  ordinaryCertificate,
  oversizedCertificate,
} from '../test/relay/hardening-certificates.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '200' } } });
const iterations = Math.max(10, Number(values.iterations));
const NOW = Date.UTC(2026, 5, 1);
const EMAIL = 'bench@example.test';

const cases: Array<[string, string]> = [
  ['ordinary ECDSA P-256', ordinaryCertificate(EMAIL, NOW).certificatePem],
  ['RSA, 3,064-bit exponent', hugeExponentRsaCertificate(EMAIL, NOW).certificatePem],
  ['fake DSA-10000 key', fakeDsaCertificate(EMAIL, NOW).certificatePem],
  ['4,000 SAN emails (43 KB)', manySanCertificate(EMAIL, NOW, 4000).certificatePem],
  ['101 SAN emails', manySanCertificate(EMAIL, NOW, 101).certificatePem],
  ['40 KB extension', oversizedCertificate(EMAIL, NOW, 40_000).certificatePem],
  ['unreadable notAfter', badNotAfterCertificate(EMAIL, NOW).certificatePem],
];

const core = new RelayCore({ clock: { nowMs: () => NOW }, rng: new SeededRng(1), store: new MemoryStore(), certificates: x509Inspector, config: { ttlSeconds: 3600, testMode: false } });

function perCallUs(run: () => unknown, n: number): number {
  for (let i = 0; i < Math.min(20, n); i++) run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) run();
  return Number(process.hrtime.bigint() - started) / 1000 / n;
}

async function registerUs(pem: string): Promise<{ us: number; answer: string }> {
  const bodyText = JSON.stringify({ certificate: pem, email: EMAIL });
  const request = { method: 'POST', path: '/api/relay/register', query: new URLSearchParams(), bodyText, principal: null };
  const first = await core.register(request);
  const answer = `${first.status} ${(first.body as { code?: string; status?: string }).code ?? (first.body as { status?: string }).status}`;
  // register() is synchronous up to the store; awaiting each call keeps the measure per registration.
  for (let i = 0; i < 20; i++) await core.register(request);
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await core.register(request);
  return { us: Number(process.hrtime.bigint() - started) / 1000 / iterations, answer };
}

function verifyAloneUs(pem: string): number {
  const cert = new X509Certificate(pem);
  const key = cert.publicKey;
  return perCallUs(() => {
    try {
      cert.verify(key);
    } catch {
      // the cost is the point
    }
  }, Math.max(10, Math.floor(iterations / 4)));
}

/** The pre-fix inspector's steps, for comparison in the same run. */
function beforeFixUs(pem: string): number {
  return perCallUs(() => {
    const cert = new X509Certificate(pem);
    const subject = cert.toLegacyObject().subject as unknown as Record<string, string | string[] | undefined>;
    const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    [...list(subject.CN), ...list(subject.emailAddress), ...sanEmails(cert.subjectAltName)].map((e) => e.trim().toLowerCase()).filter((e, i, all) => e.length > 0 && all.indexOf(e) === i);
    try {
      cert.verify(cert.publicKey);
    } catch {
      // the cost is the point
    }
  }, Math.max(10, Math.floor(iterations / 4)));
}

// Rounds interleave the cases so a noisy neighbour hits them alike; each figure is the median over rounds.
const ROUNDS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const samples = cases.map(() => ({ us: [] as number[], verifyUs: [] as number[], beforeUs: [] as number[], answer: '' }));
for (let round = 0; round < ROUNDS; round++) {
  for (const [index, [, pem]] of cases.entries()) {
    const sample = samples[index] as (typeof samples)[number];
    const { us, answer } = await registerUs(pem);
    sample.us.push(us);
    sample.answer = answer;
    sample.verifyUs.push(verifyAloneUs(pem));
    sample.beforeUs.push(beforeFixUs(pem));
  }
}
const rows = cases.map(([name], index) => {
  const sample = samples[index] as (typeof samples)[number];
  return { name, answer: sample.answer, us: median(sample.us), verifyUs: median(sample.verifyUs), beforeUs: median(sample.beforeUs) };
});
const base = rows[0] as (typeof rows)[number];
console.log(`register cost per call, RelayCore + X.509 inspector + memory store, median of ${ROUNDS} interleaved rounds of ${iterations} (the ordinary one answers 409 after its first: the full check still runs)`);
console.log(`${'certificate'.padEnd(28)}${'answer now'.padEnd(29)}${'µs'.padStart(8)}${'× ordinary'.padStart(12)}${'verify alone µs'.padStart(17)}${'pre-fix inspect µs'.padStart(20)}${'× ordinary'.padStart(12)}`);
for (const row of rows) {
  console.log(
    `${row.name.padEnd(28)}${row.answer.padEnd(29)}${row.us.toFixed(1).padStart(8)}${(row.us / base.us).toFixed(2).padStart(12)}${row.verifyUs.toFixed(1).padStart(17)}${row.beforeUs.toFixed(1).padStart(20)}${(row.beforeUs / base.beforeUs).toFixed(2).padStart(12)}`,
  );
}
const worst = rows.slice(1).reduce((a, b) => (b.us > a.us ? b : a));
const worstBefore = rows.slice(1).reduce((a, b) => (b.beforeUs > a.beforeUs ? b : a));
console.log(`worst hostile registration now: ${(worst.us / base.us).toFixed(2)}× an ordinary one (${worst.name}); pre-fix inspector steps: ${(worstBefore.beforeUs / base.beforeUs).toFixed(1)}× (${worstBefore.name})`);
