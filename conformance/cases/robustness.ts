/**
 * SPEC ROB-*: robustness against hostile clients. Certificates built to be
 * costly to check (ROB-3) and capabilities that a parse-and-serialise round
 * trip would change (ROB-5). The load case runs alone (timing 'alone') so
 * the rest of the suite neither distorts its latency measurement nor is
 * slowed by its burst.
 */
import type { CaseContext } from '../runner/types.ts';
import type { SuiteIdentity } from '../runner/identities.ts';
import type { Reply } from '../runner/target.ts';
import { currentRecorder, ERROR_BODY_REQUIREMENT } from '../runner/recorder.ts';
import { check, describeReply, expectError, expectStatus, sameJson } from '../runner/verify.ts';
import { percentile } from './performance.ts';
import { announce, defineCases, lookupPath, PATHS, registeredPeer, subCases, table, type Broadcast } from './steps.ts';
import { hugeExponentRsaCertificate, manySanCertificate, oversizedCertificate } from './robustness-certificates.ts';

/** ROB-3's bounds: each hostile registration answered within this, honest lookups at most this much slower. */
export const ROB3_ANSWER_LIMIT_MS = 1000;
export const ROB3_SLOWDOWN_FACTOR = 2;
/** Slowdowns smaller than this are noise on any machine (a 1 ms baseline doubling to 2 ms says nothing). */
export const ROB3_SLOWDOWN_FLOOR_MS = 20;
const ROB3_ATTACKERS = 4;
const ROB3_BURST_MS = 3000;
/** Per attacker, spread over the burst: bounds the requests (and the ~60 KB bodies the report keeps) whatever the relay's speed. */
const ROB3_MAX_REQUESTS_PER_ATTACKER = 100;
const ROB3_ATTACKER_INTERVAL_MS = ROB3_BURST_MS / ROB3_MAX_REQUESTS_PER_ATTACKER;
const ROB3_BASELINE_SAMPLES = 40;
const REFUSAL_CODES = ['invalid_certificate', 'unsupported_key_type'];

/** The DER size whose registration body (PEM, JSON-escaped, plus the email) stays just under 64 KiB. */
const LARGEST_BODY_DER_BYTES = 46_000;

type HostileCertificate = (email: string, nowMs: number) => string;

const HOSTILE_CERTIFICATES = table<HostileCertificate>(
  [
    ['RSA with a 3064-bit exponent', hugeExponentRsaCertificate],
    ['4000 SAN emails', (email, nowMs) => manySanCertificate(email, nowMs, 4000)],
    ['62 KB certificate', (email, nowMs) => oversizedCertificate(email, nowMs, LARGEST_BODY_DER_BYTES)],
  ],
  true,
);

/** A refusal is 400 (ROB-3); the code is judged under ERR-1 like every other error code. */
function expectCertificateRefusal(reply: Reply, what: string): void {
  // A relay that requires possession (REG-14) refuses the anonymous registration before reading any certificate: the cheapest refusal of all.
  if (reply.status === 401 && (reply.json as { code?: unknown } | undefined)?.code === 'client_certificate_required') return expectError(reply, 401, 'client_certificate_required', what);
  const expected = `${what}: HTTP 400 {"code":"invalid_certificate" or "unsupported_key_type"}`;
  check(reply.status === 400, expected, describeReply(reply));
  const body = reply.json as { code?: unknown; error?: unknown } | undefined;
  const rightBody = typeof body === 'object' && body !== null && REFUSAL_CODES.includes(String(body.code)) && typeof body.error === 'string';
  if (rightBody) currentRecorder()?.pass(ERROR_BODY_REQUIREMENT);
  else currentRecorder()?.find('non-strict', ERROR_BODY_REQUIREMENT, `${what}: HTTP 400 {"error": <string>, "code":"invalid_certificate" or "unsupported_key_type"}`, describeReply(reply));
}

const median = (ms: number[]): number => percentile([...ms].sort((a, b) => a - b), 0.5);

/**
 * One honest lookup's duration. A relay with a TTL shorter than the case
 * (3 s, say) lets the looked-up broadcast expire meanwhile: it is announced
 * again and the lookup repeated, so the TTL is never mistaken for a failure.
 */
async function honestLookupMs(context: CaseContext, path: string, caller: Parameters<CaseContext['client']['get']>[1], target: SuiteIdentity): Promise<number> {
  let reply = await context.client.get(path, caller);
  if (reply.status === 404 && (reply.json as { code?: unknown } | undefined)?.code === 'peer_not_found') {
    await announce(context, target);
    reply = await context.client.get(path, caller);
  }
  expectStatus(reply, 200, 'an honest lookup', 'LOOKUP-1');
  return reply.exchange.durationMs;
}

async function hostileCertificateCase(context: CaseContext, make: HostileCertificate, label: string): Promise<void> {
  const observer = await registeredPeer(context, { tag: 'rob3-honest' });
  const peer = await registeredPeer(context, { tag: 'rob3-peer' });
  await announce(context, peer);
  const lookup = lookupPath(peer.email);
  const email = context.newEmail('rob3-hostile');
  const registration = { certificate: make(email, Date.now()), email };

  // Cold: the first hostile registration, refused and fast. The exchange's own duration (a 429 retried after Retry-After is its own exchange).
  const first = await context.client.post(PATHS.register, registration);
  expectCertificateRefusal(first, `register a certificate with ${label}`);
  check(first.exchange.durationMs <= ROB3_ANSWER_LIMIT_MS, `register a certificate with ${label}: answered within ${ROB3_ANSWER_LIMIT_MS} ms`, `answered in ${first.exchange.durationMs} ms`);

  // Baseline: honest lookups with nothing else in flight (a few first to warm the connection).
  for (let i = 0; i < 5; i += 1) await honestLookupMs(context, lookup, observer, peer);
  const before: number[] = [];
  for (let i = 0; i < ROB3_BASELINE_SAMPLES; i += 1) before.push(await honestLookupMs(context, lookup, observer, peer));

  // The burst: attackers registering the certificate again and again, an honest client looking up meanwhile.
  const deadline = performance.now() + ROB3_BURST_MS;
  const refusals: Reply[] = [];
  let attacking = ROB3_ATTACKERS;
  const attackers = Array.from({ length: ROB3_ATTACKERS }, async () => {
    try {
      for (let sent = 0; sent < ROB3_MAX_REQUESTS_PER_ATTACKER && performance.now() < deadline; sent += 1) {
        const started = performance.now();
        refusals.push(await context.client.post(PATHS.register, registration));
        const pause = ROB3_ATTACKER_INTERVAL_MS - (performance.now() - started);
        if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      }
    } finally {
      attacking -= 1;
    }
  });
  const during: number[] = [];
  const honest = (async () => {
    while (attacking > 0) during.push(await honestLookupMs(context, lookup, observer, peer));
  })();
  const outcomes = await Promise.allSettled([...attackers, honest]);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;

  const wrong = refusals.find((r) => r.status !== 400);
  if (wrong) expectCertificateRefusal(wrong, `register it again during the burst`);
  else if (refusals[0]) expectCertificateRefusal(refusals[0], `register it again during the burst`);
  const slowest = Math.max(0, ...refusals.map((r) => r.exchange.durationMs));
  check(slowest <= ROB3_ANSWER_LIMIT_MS, `${refusals.length} registrations by ${ROB3_ATTACKERS} concurrent clients: each answered within ${ROB3_ANSWER_LIMIT_MS} ms`, `the slowest took ${slowest} ms`);

  const baseline = median(before);
  const loaded = during.length > 0 ? median(during) : baseline;
  const allowed = Math.max(ROB3_SLOWDOWN_FACTOR * baseline, baseline + ROB3_SLOWDOWN_FLOOR_MS);
  context.fact(`ROB-3 lookup p50 (${label})`, `${baseline} ms alone, ${loaded} ms during ${refusals.length} hostile registrations`);
  check(
    loaded <= allowed,
    `honest lookups during the burst: median at most ${ROB3_SLOWDOWN_FACTOR}x the median alone (or +${ROB3_SLOWDOWN_FLOOR_MS} ms), ≤ ${allowed} ms`,
    `median ${loaded} ms over ${during.length} lookups during the burst, ${baseline} ms over ${before.length} before`,
  );
}

/** ROB-5: capabilities JSON text a parse-and-serialise round trip changes. */
const UNREPRESENTABLE_CAPABILITIES = table<string>(
  [
    ['1e400', '{"big":1e400}'],
    ['2^53+1', '{"n":9007199254740993}'],
    ['-0', '{"z":-0}'],
    ['duplicate keys', '{"a":1,"a":2}'],
  ],
  true,
);

export default defineCases([
  ...subCases(
    { id: 'ROB-3/costly-certificate', requirements: ['ROB-3'], title: (label) => `a certificate with ${label} is refused within ${ROB3_ANSWER_LIMIT_MS} ms, and a burst of them does not slow honest lookups beyond ${ROB3_SLOWDOWN_FACTOR}x`, timing: 'alone' },
    HOSTILE_CERTIFICATES,
    hostileCertificateCase,
  ),
  ...subCases(
    { id: 'ROB-5/unrepresentable-capabilities', requirements: ['ROB-5', 'READY-5'], title: (label) => `capabilities holding ${label} are refused, not stored changed` },
    UNREPRESENTABLE_CAPABILITIES,
    async (context, capabilities) => {
      const peer = await registeredPeer(context, { tag: 'rob5' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      const { broadcast } = await announce(context, peer, { port: 40555, addresses: ['192.0.2.55'], capabilities: { kept: true } });
      const changed: Broadcast = { port: 40556, addresses: ['192.0.2.56'] };
      const rawBody = `{"port":${changed.port},"addresses":${JSON.stringify(changed.addresses)},"capabilities":${capabilities}}`;
      const reply = await context.client.send({ method: 'POST', path: PATHS.ready, rawBody, identity: peer });
      expectError(reply, 400, 'invalid_capabilities', `ready with "capabilities": ${capabilities}`);
      const found = await context.client.get(lookupPath(peer.email), observer);
      const body = expectStatus(found, 200, `lookup ${peer.email} after the refused ready`, 'LOOKUP-1');
      const wanted = { port: broadcast.port, addresses: broadcast.addresses, capabilities: broadcast.capabilities };
      check(sameJson(wanted, { port: body.port, addresses: body.addresses, capabilities: body.capabilities }), `the broadcast as before the refused ready: ${JSON.stringify(wanted)}`, describeReply(found));
    },
  ),
]);
