/**
 * Hand-built SuiteResults for the report tests: one run with every case
 * kind (root cause, unimplemented endpoint, intermittent, non-strict,
 * baselined, skipped, not-applicable, harness error, PERF-1 latency, a
 * label, --time-warp 60), and small ones for each RESULT line situation.
 * Requirement verdicts follow the runner's rules (verdicts.ts) by hand.
 */
import type { CaseResult, Exchange, Level, RequirementResult, RequirementVerdict, SuiteResult, SummaryCounts } from '../types.ts';

export const SPEC_TEXT: Record<string, [Level, string]> = {
  'GEN-1': ['MUST', 'The relay MUST serve HTTPS and answer every endpoint of this specification with a JSON body and `Content-Type: application/json`.'],
  'GEN-2': ['MUST', 'The relay MUST answer `GET /api/health` with 200 `{"status":"ok"}` without any client certificate.'],
  'REG-1': ['MUST', 'A registration with body `{"certificate": PEM, "email": E}` needs no client certificate; on success the relay MUST answer 200.'],
  'REG-8': ['SHOULD', 'The relay SHOULD refuse with 400 `certificate_not_valid_now` a certificate whose validity window does not contain the registration instant.'],
  'AUTH-4': ['MUST', "A request presenting a registered certificate MUST be authenticated as that certificate's registered email."],
  'READY-1': ['MUST', 'A valid ready MUST answer 200 `{"status":"registered","broadcast_id":string,"expires_in":integer}`.'],
  'READY-2': ['MUST', '`port` MUST be a JSON integer from 1 to 65535; anything else MUST answer 400 `invalid_port`.'],
  'READY-3': ['MUST', '`addresses` MUST be a JSON array of 1 to 16 strings; anything else MUST answer 400 `invalid_addresses`.'],
  'READY-4': ['MUST', 'Addresses MUST be stored and returned exactly in the order sent, duplicates kept.'],
  'HB-1': ['MUST', 'A heartbeat for a live broadcast MUST answer 200 `{"status":"alive",...}` and move the expiry to now + TTL.'],
  'HB-2': ['MUST', 'A heartbeat MUST keep the broadcast live past the expiry it had before the heartbeat.'],
  'HB-3': ['MUST', 'A heartbeat from an identity with no live broadcast MUST answer 404 `no_live_broadcast`.'],
  'HB-4': ['MUST', "A heartbeat MUST NOT change the broadcast's port, addresses or capabilities."],
  'LOOKUP-4': ['MUST', 'A missing or empty `email` parameter MUST answer 400 `missing_email`.'],
  'LIST-3': ['MUST', 'Items MUST be sorted by email, ascending in byte order, across pages.'],
  'EXP-1': ['MUST', 'Once `now ≥ t + TTL` a broadcast MUST disappear from lookup (404 `peer_not_found`).'],
  'EXP-5': ['SHOULD', 'The observed lifetime of a broadcast SHOULD match the announced `expires_in` within one second.'],
  'ERR-1': ['SHOULD', 'Every 4xx answer SHOULD have the body `{"error": string, "code": string}` with the code this specification gives for the case.'],
  'ERR-3': ['MUST', 'An unknown path MUST answer 404 `route_not_found`.'],
  'ERR-4': ['MUST', 'A known path with the wrong method MUST answer 405 `method_not_allowed` with an `Allow` header.'],
  'ERR-5': ['MUST', 'No client input (malformed bodies, headers, certificates, query strings, concurrency) may produce a 5xx answer or a dropped connection.'],
  'PERF-1': ['SHOULD', 'With 50 clients at once, every endpoint SHOULD answer within 1 second at the 99th percentile, refusals (401) included.'],
  'TEST-2': ['MUST', 'When offered, an `advance_seconds` that is missing, not a number, zero or negative MUST answer 400 `invalid_clock_advance`.'],
  'TEST-3': ['MUST', 'A relay not in test mode MUST answer `POST /api/test/clock` with 404 `route_not_found`, like any unknown route.'],
};

export function exchange(method: string, path: string, status: number | null, body: string, requestBody: string | null = null): Exchange {
  return {
    request: { method, path, headers: requestBody === null ? {} : { 'content-type': 'application/json' }, body: requestBody, bodyBytes: Buffer.byteLength(requestBody ?? ''), identity: 'id1', localAddress: null },
    response: status === null ? null : { status, headers: { 'content-type': 'application/json' }, body },
    transportError: status === null ? 'ECONNRESET' : null,
    startedAtMs: 1_700_000_000_000,
    durationMs: 4,
  };
}

export function kase(caseId: string, fields: Partial<CaseResult> = {}): CaseResult {
  const primary = caseId.split('/')[0] ?? caseId;
  return {
    caseId, requirements: [primary], title: `checks ${caseId}`, verdict: 'pass', expected: null, actual: null, findings: [], checked: [primary],
    blocker: null, unimplemented: null, skipReason: null, stability: null, concurrency: 6, attempts: 1, notes: [], exchanges: [], identities: [], durationMs: 100,
    ...fields,
  };
}

export function requirement(id: string, verdict: RequirementVerdict, caseIds: string[], failingCaseIds: string[] = [], baselined = false): RequirementResult {
  const [level, text] = SPEC_TEXT[id] ?? ['MUST', `text of ${id}`];
  return { id, level, section: id.split('-')[0] ?? id, text, verdict, baselined, caseIds, failingCaseIds };
}

/** Summary and exit code as the runner computes them (run-suite.ts assemble). */
export function finish(result: Omit<SuiteResult, 'summary' | 'exitCode'>): SuiteResult {
  const { requirements, cases, options } = result;
  const count = (v: RequirementVerdict) => requirements.filter((r) => r.verdict === v).length;
  const must = (v: RequirementVerdict) => requirements.filter((r) => r.level === 'MUST' && r.verdict === v && !r.baselined).length;
  const mustFailures = must('fail') + must('unimplemented') + must('blocked');
  const mustSkipped = requirements.filter((r) => r.level === 'MUST' && r.verdict === 'skip').length;
  const nonStrict = requirements.filter((r) => r.verdict === 'non-strict' && !r.baselined).length;
  const harnessErrors = cases.filter((c) => c.verdict === 'harness-error').length;
  const summary: SummaryCounts = {
    pass: count('pass'), fail: count('fail'), warn: count('warn'), 'non-strict': count('non-strict'), unimplemented: count('unimplemented'), blocked: count('blocked'),
    skip: count('skip'), 'not-applicable': count('not-applicable'), untested: count('untested'),
    mustFailures, mustUnimplemented: must('unimplemented'), mustBlocked: must('blocked'), mustSkipped,
    nonStrictCases: cases.filter((c) => c.verdict === 'non-strict').length,
    intermittentCases: cases.filter((c) => c.verdict === 'intermittent').length,
    harnessErrors,
    baselinedFailures: requirements.filter((r) => r.baselined).length,
  };
  const failed = mustFailures > 0 || (options.failOnSkip && mustSkipped > 0) || (options.strict && nonStrict > 0);
  return { ...result, summary, exitCode: harnessErrors > 0 ? 70 : failed ? 1 : 0 };
}

const REGISTER_500 = 'register answered HTTP 500 internal_error';
const SCRIPT_BODY = '{"error":"</pre><script>document.title=\'pwned\'</script>","code":"internal_error"}';

function base(): Omit<SuiteResult, 'summary' | 'exitCode' | 'requirements' | 'cases' | 'rootCauses' | 'unimplemented'> {
  return {
    schemaVersion: 2,
    tool: 'relaylab conformance',
    label: 'acme-relay',
    target: { url: 'https://relay.example:8443', auth: 'mtls' },
    invocation: 'relaylab conformance --target https://relay.example:8443 --ca relay.pem --target-cmd \'./acme --ttl 300\' --time-warp 60',
    seed: 4242,
    startedAt: '2025-01-02T03:04:05.000Z',
    durationMs: 12_345,
    only: [],
    options: { concurrency: 6, strict: false, failOnSkip: false, production: false, warp: 60, targetCmd: './acme --ttl 300', untrustedSource: null },
    time: { ttlSeconds: 300, testProfileOffered: false, maxWaitSeconds: 120, production: false, strategy: 'real-time', unavailableReason: null, warp: 60, warpCheck: 'a broadcast with TTL 300 s expired after 5.1 s of real time (60x)' },
    facts: { 'key type ed25519': 'accepted', 'observed expiry': 'margin +0.04 s (late)' },
    baseline: { source: 'known-failures.txt', patterns: ['ERR-3'] },
    performance: [
      { endpoint: 'POST /api/relay/register', requests: 500, p50Ms: 12, p99Ms: 48.5 },
      { endpoint: 'GET /api/relay/broadcast/lookup', requests: 500, p50Ms: 3, p99Ms: 9 },
    ],
    performanceNote: null,
  };
}

/** A run with every case kind; exit 70 because of its harness error. */
export function fullResult(): SuiteResult {
  const register500 = exchange('POST', '/api/relay/register', 500, SCRIPT_BODY, '{"certificate":"…","email":"peer@conformance.example"}');
  const cases: CaseResult[] = [
    kase('GEN-1/json-everywhere', { durationMs: 210 }),
    kase('GEN-2/health', { durationMs: 15 }),
    kase('REG-1/registered', { durationMs: 40 }),
    kase('REG-8/expired', {
      verdict: 'fail', expected: 'HTTP 400 {"code":"certificate_not_valid_now"}', actual: 'HTTP 200 {"status":"registered"}', stability: 'deterministic', attempts: 3,
      findings: [{ requirement: 'REG-8', outcome: 'fail', expected: 'HTTP 400 {"code":"certificate_not_valid_now"}', actual: 'HTTP 200 {"status":"registered"}' }], checked: [],
      exchanges: [exchange('POST', '/api/relay/register', 200, '{"status":"registered"}', '{"certificate":"…"}')], durationMs: 30,
    }),
    kase('AUTH-4/as-registered-email', { verdict: 'harness-error', expected: 'the suite to run the case to completion', actual: "suite error (a relaylab bug): TypeError: Cannot read properties of undefined (reading 'email')\n    at steps.ts:41", checked: [], durationMs: 5 }),
    kase('READY-1/accepted', {
      verdict: 'blocked', checked: [], stability: 'deterministic', attempts: 3,
      blocker: { key: REGISTER_500, step: 'register', requirement: 'ERR-5', expected: 'HTTP 200 {"status":"registered"}', actual: 'HTTP 500 {"code":"internal_error"}' },
      expected: 'HTTP 200 {"status":"registered"}', actual: 'HTTP 500 {"code":"internal_error"}',
      findings: [{ requirement: 'ERR-5', outcome: 'fail', expected: 'no 5xx answer', actual: 'HTTP 500 {"code":"internal_error"}' }], exchanges: [register500], durationMs: 20,
    }),
    kase('READY-2/invalid-port[3.5]', {
      verdict: 'fail', stability: 'deterministic', attempts: 3, expected: 'HTTP 400 {"code":"invalid_port"}', actual: 'HTTP 200 {"status":"registered","expires_in":300}', checked: [],
      findings: [{ requirement: 'READY-2', outcome: 'fail', expected: 'HTTP 400 {"code":"invalid_port"}', actual: 'HTTP 200 {"status":"registered","expires_in":300}' }],
      exchanges: [exchange('POST', '/api/relay/broadcast/ready', 200, '{"status":"registered","expires_in":300}', '{"port":3.5,"addresses":["192.0.2.1"]}')], durationMs: 60,
    }),
    kase('READY-2/invalid-port["8080"]', {
      verdict: 'fail', stability: 'deterministic', attempts: 3, expected: 'HTTP 400 {"code":"invalid_port"}', actual: 'HTTP 200', checked: [],
      findings: [{ requirement: 'READY-2', outcome: 'fail', expected: 'HTTP 400 {"code":"invalid_port"}', actual: 'HTTP 200' }],
      exchanges: [exchange('POST', '/api/relay/broadcast/ready', 200, '{}', '{"port":"8080","addresses":["192.0.2.1"]}')], durationMs: 61,
    }),
    kase('READY-2/invalid-port[0]', { durationMs: 62, exchanges: [exchange('POST', '/api/relay/broadcast/ready', 400, '{"error":"bad port","code":"invalid_port"}', '{"port":0,"addresses":["192.0.2.1"]}')] }),
    kase('READY-3/host-name', {
      verdict: 'fail', stability: 'deterministic', attempts: 3, expected: 'HTTP 400 {"code":"invalid_addresses"}', actual: 'HTTP 200', requirements: ['READY-3', 'ERR-1'], checked: [],
      findings: [
        { requirement: 'READY-3', outcome: 'fail', expected: 'HTTP 400 {"code":"invalid_addresses"}', actual: 'HTTP 200' },
        { requirement: 'ERR-1', outcome: 'non-strict', expected: 'a body {"error": string, "code": string}', actual: 'body "bad request" (text/plain)' },
      ],
      exchanges: [exchange('POST', '/api/relay/broadcast/ready', 200, '{}', '{"port":9,"addresses":["relay.example"]}')], durationMs: 70,
    }),
    kase('READY-3/seventeen', {
      verdict: 'intermittent', stability: 'intermittent', attempts: 3, concurrency: 6, expected: 'HTTP 400 {"code":"invalid_addresses"}', actual: 'HTTP 503 {"code":"store_unavailable"}',
      findings: [{ requirement: 'ERR-5', outcome: 'fail', expected: 'READY-3/seventeen: the same answers whatever else runs at once (SPEC ERR-5: concurrency)', actual: 'failed with 6 cases at once (HTTP 503), then passed 2 of 2 reruns alone' }],
      notes: ['first attempt fail: expected HTTP 400; actual HTTP 503'],
      exchanges: [exchange('POST', '/api/relay/broadcast/ready', 503, '{"code":"store_unavailable"}', '{"port":9,"addresses":[]}')], durationMs: 80,
    }),
    kase('READY-4/order-and-duplicates-kept', { durationMs: 90 }),
    ...['HB-1/alive', 'HB-2/extends-past-old-expiry', 'HB-3/never-announced', 'HB-4/broadcast-unchanged'].map((id) => kase(id, {
      verdict: 'unimplemented', unimplemented: 'POST /api/relay/broadcast/heartbeat', checked: [], expected: 'POST /api/relay/broadcast/heartbeat exists (SPEC defines it)', actual: 'HTTP 404 {"code":"route_not_found"}',
      exchanges: [exchange('POST', '/api/relay/broadcast/heartbeat', 404, '{"code":"route_not_found"}', '{}')], durationMs: 10,
    })),
    kase('LOOKUP-4/missing-email', {
      verdict: 'non-strict', expected: 'a body {"error": string, "code": "missing_email"}', actual: '{"error":"email required","code":"bad_request"}', checked: ['LOOKUP-4'],
      findings: [{ requirement: 'ERR-1', outcome: 'non-strict', expected: 'code "missing_email"', actual: 'code "bad_request"' }],
      exchanges: [exchange('GET', '/api/relay/broadcast/lookup', 400, '{"error":"email required","code":"bad_request"}')], durationMs: 20,
    }),
    kase('LIST-3/sorted-by-email', {
      verdict: 'blocked', checked: [], stability: 'deterministic', attempts: 3,
      blocker: { key: REGISTER_500, step: 'register', requirement: 'ERR-5', expected: 'HTTP 200 {"status":"registered"}', actual: 'HTTP 500 {"code":"internal_error"}' },
      expected: 'HTTP 200 {"status":"registered"}', actual: 'HTTP 500 {"code":"internal_error"}',
      findings: [{ requirement: 'ERR-5', outcome: 'fail', expected: 'no 5xx answer', actual: 'HTTP 500 {"code":"internal_error"}' }], exchanges: [register500], durationMs: 25,
    }),
    kase('EXP-1/gone-after-ttl', { exchanges: [exchange('POST', '/api/relay/broadcast/ready', 200, '{"status":"registered","expires_in":300}', '{"port":9,"addresses":["192.0.2.9"]}')], verdict: 'skip', skipReason: 'TTL is 300 s, 5 s of real time at --time-warp 60, above --max-wait 1 s, and the relay offers no test-control profile (POST /api/test/clock)', checked: [], durationMs: 1 }),
    kase('EXP-5/lifetime-matches', { verdict: 'skip', skipReason: 'TTL is 300 s, 5 s of real time at --time-warp 60, above --max-wait 1 s, and the relay offers no test-control profile (POST /api/test/clock)', checked: [], durationMs: 1 }),
    kase('ERR-3/upper-case-path', {
      verdict: 'fail', stability: 'deterministic', attempts: 3, expected: 'HTTP 404 {"code":"route_not_found"}', actual: 'HTTP 200', checked: [],
      findings: [{ requirement: 'ERR-3', outcome: 'fail', expected: 'HTTP 404 {"code":"route_not_found"}', actual: 'HTTP 200' }],
      exchanges: [exchange('POST', '/api/relay/REGISTER', 200, '{"status":"registered"}', '{}')], durationMs: 33,
    }),
    kase('ERR-4/wrong-method', {
      verdict: 'non-strict', expected: 'code "method_not_allowed"', actual: 'code "not_allowed"', checked: ['ERR-4'],
      findings: [
        { requirement: 'ERR-1', outcome: 'non-strict', expected: 'code "method_not_allowed"', actual: 'code "not_allowed"' },
        { requirement: 'ERR-1', outcome: 'non-strict', expected: 'a body {"error": string, "code": string}', actual: '{"message":"nope","code":"not_allowed"}' },
      ],
      exchanges: [exchange('GET', '/api/relay/register', 405, '{"message":"nope","code":"not_allowed"}')], durationMs: 12,
    }),
    kase('ERR-5/concurrent-register', {
      verdict: 'fail', stability: 'deterministic', attempts: 3, expected: 'no 5xx answer to 20 registrations at once', actual: 'HTTP 500 on 3 of 20', checked: [],
      findings: [{ requirement: 'ERR-5', outcome: 'fail', expected: 'no 5xx answer to 20 registrations at once', actual: 'HTTP 500 on 3 of 20' }],
      exchanges: [register500], durationMs: 300,
    }),
    kase('PERF-1/latency-under-load', { durationMs: 4000 }),
    kase('TEST-2/refuses-zero-advance', { exchanges: [exchange('POST', '/api/test/clock', 404, '{"code":"route_not_found"}', '{"advance_seconds":0}')], verdict: 'not-applicable', skipReason: 'the relay offers no test-control profile (POST /api/test/clock answered 404)', checked: [], durationMs: 2 }),
  ];
  const requirements: RequirementResult[] = [
    requirement('GEN-1', 'pass', ['GEN-1/json-everywhere']),
    requirement('GEN-2', 'pass', ['GEN-2/health']),
    requirement('REG-1', 'pass', ['REG-1/registered']),
    requirement('REG-8', 'warn', ['REG-8/expired'], ['REG-8/expired']),
    requirement('AUTH-4', 'untested', ['AUTH-4/as-registered-email']),
    requirement('READY-1', 'blocked', ['READY-1/accepted']),
    requirement('READY-2', 'fail', ['READY-2/invalid-port[3.5]', 'READY-2/invalid-port["8080"]', 'READY-2/invalid-port[0]'], ['READY-2/invalid-port[3.5]', 'READY-2/invalid-port["8080"]']),
    requirement('READY-3', 'fail', ['READY-3/host-name', 'READY-3/seventeen'], ['READY-3/host-name']),
    requirement('READY-4', 'pass', ['READY-4/order-and-duplicates-kept']),
    requirement('HB-1', 'unimplemented', ['HB-1/alive']),
    requirement('HB-2', 'unimplemented', ['HB-2/extends-past-old-expiry']),
    requirement('HB-3', 'unimplemented', ['HB-3/never-announced']),
    requirement('HB-4', 'unimplemented', ['HB-4/broadcast-unchanged']),
    requirement('LOOKUP-4', 'pass', ['LOOKUP-4/missing-email']),
    requirement('LIST-3', 'blocked', ['LIST-3/sorted-by-email']),
    requirement('EXP-1', 'skip', ['EXP-1/gone-after-ttl']),
    requirement('EXP-5', 'skip', ['EXP-5/lifetime-matches']),
    requirement('ERR-1', 'non-strict', ['READY-3/host-name', 'LOOKUP-4/missing-email', 'ERR-4/wrong-method'], ['READY-3/host-name', 'LOOKUP-4/missing-email', 'ERR-4/wrong-method']),
    requirement('ERR-3', 'fail', ['ERR-3/upper-case-path'], ['ERR-3/upper-case-path'], true),
    requirement('ERR-4', 'pass', ['ERR-4/wrong-method']),
    requirement('ERR-5', 'fail', ['READY-1/accepted', 'READY-3/seventeen', 'LIST-3/sorted-by-email', 'ERR-5/concurrent-register'], ['READY-1/accepted', 'READY-3/seventeen', 'LIST-3/sorted-by-email', 'ERR-5/concurrent-register']),
    requirement('PERF-1', 'pass', ['PERF-1/latency-under-load']),
    requirement('TEST-2', 'not-applicable', ['TEST-2/refuses-zero-advance']),
    requirement('TEST-3', 'untested', []),
  ];
  return finish({
    ...base(),
    requirements,
    cases,
    rootCauses: [{ key: REGISTER_500, requirement: 'ERR-5', expected: 'HTTP 200 {"status":"registered"}', actual: 'HTTP 500 {"code":"internal_error"}', caseIds: ['READY-1/accepted', 'LIST-3/sorted-by-email'], blocks: ['READY-1', 'LIST-3'] }],
    unimplemented: [{ endpoint: 'POST /api/relay/broadcast/heartbeat', status: 404, caseIds: ['HB-1/alive', 'HB-2/extends-past-old-expiry', 'HB-3/never-announced', 'HB-4/broadcast-unchanged'], blocks: ['HB-1', 'HB-2', 'HB-3', 'HB-4'] }],
  });
}

/** The same run without its harness error: exit 1. */
export function failingResult(): SuiteResult {
  const full = fullResult();
  return finish({ ...full, cases: full.cases.filter((c) => c.verdict !== 'harness-error'), requirements: full.requirements.map((r) => (r.id === 'AUTH-4' ? { ...r, caseIds: [] } : r)) });
}

/** A small run: GEN-1 and EXP-1, every case passing unless changed. */
export function smallResult(change: { cases?: CaseResult[]; requirements?: RequirementResult[]; options?: Partial<SuiteResult['options']> } = {}): SuiteResult {
  const b = base();
  return finish({
    ...b,
    label: undefined,
    invocation: null,
    options: { ...b.options, warp: 1, targetCmd: null, ...change.options },
    time: { ...b.time, warp: 1, warpCheck: null },
    performance: null,
    performanceNote: 'PERF-1 was not selected (--only)',
    only: ['GEN-*', 'EXP-1*'],
    baseline: { source: null, patterns: [] },
    cases: change.cases ?? [kase('GEN-1/json-everywhere'), kase('EXP-1/gone-after-ttl')],
    requirements: change.requirements ?? [requirement('GEN-1', 'pass', ['GEN-1/json-everywhere']), requirement('EXP-1', 'pass', ['EXP-1/gone-after-ttl']), requirement('ERR-1', 'untested', [])],
    rootCauses: [],
    unimplemented: [],
  });
}
