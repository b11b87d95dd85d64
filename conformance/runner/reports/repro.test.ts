/**
 * Repro scripts reproduce: each test records real exchanges against real
 * relays (loopback only), writes the case's script and runs it with sh
 * (dash), curl and openssl, against a relay with the defect and one without,
 * and compares what the script prints.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSelfSigned } from '../../../reference/identity/certificate-builder.ts';
import type { RelayHandler, RelayRequest } from '../../../reference/relay/core/types.ts';
import { startRelay, type RunningRelay, type StartRelayOptions } from '../../../reference/relay/http/start-relay.ts';
import { ALL_MUTANTS, startMutant } from '../../mutants/catalog.ts';
import { IdentityFactory, type SuiteIdentity } from '../identities.ts';
import { Target, type AuthMode, type TargetClient } from '../target.ts';
import type { CaseResult, CaseVerdict, Exchange, SuiteResult } from '../types.ts';
import { reproFileName, reproScript, reproScripts } from './repro.ts';

const NONCE = 'c0ffee42';
let counter = 0;
/** An email of the suite's shape (`context.newEmail(tag)`). */
const newEmail = (tag: string) => `${tag}-${NONCE}-${++counter}@conformance.example`;

const PATHS = {
  register: '/api/relay/register',
  ready: '/api/relay/broadcast/ready',
  lookup: '/api/relay/broadcast/lookup',
};
const lookupPath = (email: string) => `${PATHS.lookup}?email=${encodeURIComponent(email)}`;
const broadcast = { port: 4242, addresses: ['192.168.1.9', '203.0.113.9'] };

let dir: string;
const started: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'relaylab-repro-'));
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

async function mutant(name: string): Promise<RunningRelay> {
  const running = await startMutant(ALL_MUTANTS.find((m) => m.name === name)!, 30);
  started.push(running);
  return running;
}

async function relay(options: Partial<StartRelayOptions> = {}): Promise<RunningRelay> {
  const running = await startRelay({ port: 0, ttlSeconds: 30, ...options });
  started.push(running);
  return running;
}

interface Endpoint {
  url: string;
  caPem: string;
  caPath: string;
}
const endpointOf = (r: RunningRelay): Endpoint => ({ url: r.url, caPem: r.tlsCertificatePem, caPath: r.tlsCertificatePath });

/** Records exchanges by really sending them through the suite's Target. */
async function record(at: Endpoint, run: (client: TargetClient, log: Exchange[]) => Promise<void>, auth: AuthMode = { kind: 'mtls' }, untrustedSource: string | null = null): Promise<Exchange[]> {
  const log: Exchange[] = [];
  const target = new Target({ url: at.url, caPem: at.caPem, insecure: false, auth, untrustedSource });
  try {
    await run(target.client(log), log);
  } finally {
    await target.close();
  }
  return log;
}

function caseResult(caseId: string, exchanges: Exchange[], identities: SuiteIdentity[], verdict: CaseVerdict = 'fail'): CaseResult {
  return {
    caseId, requirements: [caseId.split('/')[0] as string], title: `${caseId} by hand`, verdict,
    expected: 'what the SPEC says', actual: 'what the relay did', findings: [], checked: [], blocker: null, unimplemented: null,
    skipReason: null, stability: verdict === 'fail' ? 'deterministic' : null, concurrency: 1, attempts: 1, notes: [],
    exchanges, identities, durationMs: 1,
  };
}

function suiteResult(url: string, cases: CaseResult[], auth = 'mtls'): SuiteResult {
  const zero = { pass: 0, fail: 0, warn: 0, 'non-strict': 0, unimplemented: 0, blocked: 0, skip: 0, 'not-applicable': 0, untested: 0 };
  return {
    schemaVersion: 2, tool: 'relaylab conformance', target: { url, auth }, invocation: null, seed: 1, startedAt: new Date().toISOString(), durationMs: 1, only: [],
    options: { concurrency: 1, strict: false, failOnSkip: false, production: false, warp: 1, targetCmd: null, untrustedSource: null },
    time: { ttlSeconds: 30, testProfileOffered: false, maxWaitSeconds: 60, production: false, strategy: 'real-time', unavailableReason: null, warp: 1, warpCheck: null },
    facts: {}, baseline: { source: null, patterns: [] },
    summary: { ...zero, mustFailures: 0, mustUnimplemented: 0, mustBlocked: 0, mustSkipped: 0, nonStrictCases: 0, intermittentCases: 0, harnessErrors: 0, baselinedFailures: 0 },
    exitCode: 1, rootCauses: [], unimplemented: [], performance: null, performanceNote: null, requirements: [], cases,
  };
}

function scriptFor(url: string, kase: CaseResult, auth = 'mtls'): string {
  return reproScript(suiteResult(url, [kase], auth), kase);
}

interface ScriptRun {
  stdout: string;
  stderr: string;
  code: number | null;
  ms: number;
}

/** Runs a script with sh, asynchronously: the relays answering it live in this process. */
async function runScript(script: string, at: Endpoint): Promise<ScriptRun> {
  const file = join(dir, `script-${++counter}.sh`);
  await writeFile(file, script);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [file], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', RELAY: at.url, CA: at.caPath } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code, ms: performance.now() - t0 }));
  });
}

/** Step number → the HTTP status curl printed for it. */
function statuses(out: string): Record<number, number> {
  const found: Record<number, number> = {};
  for (const m of out.matchAll(/^== (\d+)\. [^\n]*\n(?:(?!^== )[\s\S])*?^HTTP (\d{3})$/gm)) found[Number(m[1])] = Number(m[2]);
  return found;
}

/** The body curl printed for a step (the line before its HTTP line). */
function bodyOf(out: string, step: number): string {
  const m = new RegExp(`^== ${step}\\. [^\\n]*\\n([\\s\\S]*?)\\nHTTP \\d{3}$`, 'm').exec(out);
  return m?.[1] ?? '';
}

const derOf = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');

describe('which cases get a script', () => {
  it('every case that found something wrong alone: fail, blocked, non-strict, unimplemented (not intermittent: alone it passes)', () => {
    const verdicts: CaseVerdict[] = ['pass', 'non-strict', 'fail', 'unimplemented', 'blocked', 'intermittent', 'skip', 'not-applicable', 'harness-error'];
    const result = suiteResult('https://127.0.0.1:1', verdicts.map((v) => caseResult(`GEN-1/${v}`, [], [], v)));
    expect(reproScripts(result).map((s) => s.name)).toEqual(['GEN-1_non-strict.sh', 'GEN-1_fail.sh', 'GEN-1_unimplemented.sh', 'GEN-1_blocked.sh']);
    expect(reproFileName('AUTH-5/header-from-untrusted-client')).toBe('AUTH-5_header-from-untrusted-client.sh');
  });
});

describe('AUTH-5: the forged certificate headers are replayed, with the recreated certificate', () => {
  let trustsLoopback: RunningRelay;
  let correct: RunningRelay;
  let exchanges: Exchange[];
  let identities: SuiteIdentity[];
  let script: string;
  beforeAll(async () => {
    // The defect: the relay trusts the header from 127.0.0.1, the address every client here comes from.
    trustsLoopback = await relay({ certHeader: 'x-ssl-cert', trustedProxies: ['127.0.0.1/32'] });
    correct = await relay();
    const factory = new IdentityFactory();
    const peer = factory.create({ email: newEmail('forwarded') });
    identities = factory.made;
    exchanges = await record(endpointOf(trustsLoopback), async (client) => {
      expect((await client.post(PATHS.register, { certificate: peer.certificatePem, email: peer.email })).status).toBe(200);
      expect((await client.post(PATHS.ready, broadcast, peer)).status).toBe(200);
      const forged = { 'x-ssl-cert': encodeURIComponent(peer.certificatePem), 'x-client-cert': encodeURIComponent(peer.certificatePem) };
      expect((await client.send({ method: 'GET', path: lookupPath(peer.email), headers: forged })).status).toBe(200);
    });
    script = scriptFor(trustsLoopback.url, caseResult('AUTH-5/header-from-untrusted-client', exchanges, identities));
  });

  it('carries every header, the forged ones rebuilt from the recreated identity, never the run\'s PEM', () => {
    expect(script).toMatch(/-H 'x-ssl-cert: '"\$\(url_pem "\$WORK\/id1\.crt"\)"/);
    expect(script).toMatch(/-H 'x-client-cert: '"\$\(url_pem "\$WORK\/id1\.crt"\)"/);
    expect(script).toContain(`-H 'accept: application/json'`);
    expect(script).not.toContain(derOf(identities[0]!.certificatePem).slice(0, 40));
    expect(script).not.toContain(encodeURIComponent(identities[0]!.certificatePem).slice(0, 120));
  });

  it('shows the defect on the relay that trusts the header from anywhere (200), and the right answer elsewhere (401)', async () => {
    const onDefect = await runScript(script, endpointOf(trustsLoopback));
    expect(onDefect.code).toBe(0);
    expect(statuses(onDefect.stdout)).toEqual({ 1: 200, 2: 200, 3: 200 });
    expect(bodyOf(onDefect.stdout, 3)).toContain('"status":"online"');
    const onCorrect = await runScript(script, endpointOf(correct));
    expect(onCorrect.code).toBe(0);
    expect(statuses(onCorrect.stdout)).toEqual({ 1: 200, 2: 200, 3: 401 });
    expect(bodyOf(onCorrect.stdout, 3)).toContain('client_certificate_required');
    // The top of the output says what the run expected and got.
    expect(onDefect.stdout).toMatch(/^Repro for AUTH-5\/header-from-untrusted-client \(fail\)\nexpected in the run: what the SPEC says\nactual in the run: {3}what the relay did\n/);
  });

  it('sends from the local address the run chose (--untrusted-source → curl --interface)', async () => {
    const factory = new IdentityFactory();
    const peer = factory.create({ email: newEmail('forwarded') });
    const fromElsewhere = await record(endpointOf(trustsLoopback), async (client) => {
      expect((await client.post(PATHS.register, { certificate: peer.certificatePem, email: peer.email })).status).toBe(200);
      expect((await client.post(PATHS.ready, broadcast, peer)).status).toBe(200);
      const forged = { 'x-ssl-cert': encodeURIComponent(peer.certificatePem) };
      // Sent from 127.0.0.2 (--untrusted-source), which the relay does not trust: the header must be ignored.
      // (Not asserted on the run's answer: the Target records localAddress, whether or not undici honoured it.)
      await client.send({ method: 'GET', path: lookupPath(peer.email), headers: forged, fromUntrustedSource: true });
    }, { kind: 'mtls' }, '127.0.0.2');
    expect(fromElsewhere[2]?.request.localAddress).toBe('127.0.0.2');
    const text = scriptFor(trustsLoopback.url, caseResult('AUTH-5/from-untrusted-source', fromElsewhere, factory.made));
    expect(text).toContain(`--interface '127.0.0.2'`);
    expect(text.match(/--interface/g)).toHaveLength(1);
    // From 127.0.0.1 this relay would accept the header (200, as above): the script keeps the run's source.
    const replay = await runScript(text, endpointOf(trustsLoopback));
    expect(statuses(replay.stdout)).toEqual({ 1: 200, 2: 200, 3: 401 });
  });
});

describe('header auth (--auth header:NAME) keeps working', () => {
  it('presents each identity in the configured header, URL-encoded, and never as a TLS certificate', async () => {
    const proxied = await relay({ certHeader: 'x-client-pem', trustedProxies: ['127.0.0.1/32'] });
    const factory = new IdentityFactory();
    const peer = factory.create({ email: newEmail('proxied') });
    const exchanges = await record(endpointOf(proxied), async (client) => {
      expect((await client.post(PATHS.register, { certificate: peer.certificatePem, email: peer.email })).status).toBe(200);
      expect((await client.post(PATHS.ready, broadcast, peer)).status).toBe(200);
      expect((await client.get(lookupPath(peer.email), peer)).status).toBe(200);
    }, { kind: 'header', headerName: 'x-client-pem' });
    const text = scriptFor(proxied.url, caseResult('AUTH-5/header-from-trusted-proxy', exchanges, factory.made), 'header:x-client-pem');
    expect(text).not.toContain('--cert ');
    expect(text.match(/-H 'x-client-pem: '"\$\(url_pem "\$WORK\/id1\.crt"\)"/g)).toHaveLength(2);
    const replay = await runScript(text, endpointOf(proxied));
    expect(statuses(replay.stdout)).toEqual({ 1: 200, 2: 200, 3: 200 });
  });
});

describe('exchanges that overlapped in the run are replayed concurrently', () => {
  interface Seen {
    path: string;
    email: string | null;
    start: number;
    end: number;
  }
  const seen: Seen[] = [];
  /** Lookups of `slow-…` emails take 1.5 s; every request is logged with its time span. */
  const slowLookups = (core: RelayHandler): RelayHandler => ({
    async handle(request: RelayRequest) {
      const start = performance.now();
      const email = request.query.get('email') ?? (/"email":"([^"]*)"/.exec(request.bodyText ?? '')?.[1] ?? null);
      if (request.path === PATHS.lookup && email?.startsWith('slow-')) await new Promise((r) => setTimeout(r, 1500));
      const response = await core.handle(request);
      seen.push({ path: request.path, email, start, end: performance.now() });
      return response;
    },
  });
  let slow: RunningRelay;
  let script: string;
  beforeAll(async () => {
    slow = await relay({ wrapHandler: (core) => slowLookups(core) });
    const factory = new IdentityFactory();
    const [a, b, c] = [factory.create({ email: newEmail('slow') }), factory.create({ email: newEmail('watcher') }), factory.create({ email: newEmail('late') })] as [SuiteIdentity, SuiteIdentity, SuiteIdentity];
    const exchanges = await record(endpointOf(slow), async (client) => {
      await client.post(PATHS.register, { certificate: a.certificatePem, email: a.email }); // 1
      await client.post(PATHS.register, { certificate: b.certificatePem, email: b.email }); // 2
      await client.post(PATHS.ready, broadcast, a); // 3
      await Promise.all([
        client.get(lookupPath(a.email), b), // 4: slow
        (async () => {
          await client.post(PATHS.register, { certificate: c.certificatePem, email: c.email }); // 5
          await client.post(PATHS.ready, broadcast, c); // 6: needs 5 done
        })(),
      ]);
      await client.get(lookupPath(c.email), b); // 7: after all of them
    });
    expect(exchanges.map((e) => e.response?.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    script = scriptFor(slow.url, caseResult('ERR-5/overlap', exchanges, factory.made, 'intermittent'));
  });

  it('backgrounds the overlapping steps, waits only for what had ended before each, and keeps the others sequential', () => {
    expect(script).toMatch(/^relay_curl [^\n]* > "\$WORK\/out4" 2>&1 &\nP4=\$!$/m);
    expect(script).toMatch(/^relay_curl [^\n]* > "\$WORK\/out5" 2>&1 &\nP5=\$!$/m);
    expect(script).toMatch(/^wait "\$P5" [^\n]*\n(?:#[^\n]*\n|cat [^\n]*\n|[^\n]*\nBODY\n|LC_ALL[^\n]*\n|trim_nl[^\n]*\n)*relay_curl [^\n]* > "\$WORK\/out6" 2>&1 &$/m);
    expect(script).not.toContain('wait "$P4"');
    for (const step of [1, 2, 3, 7]) expect(script).not.toContain(`out${step}"`);
    expect(script).toMatch(/^wait\nshow '== 4\. [^\n]*' 4\nshow '== 5\. [^\n]*' 5\nshow '== 6\. [^\n]*' 6$/m);
  });

  it('runs them at once against the relay, outputs apart and in order', async () => {
    seen.length = 0;
    const replay = await runScript(script, endpointOf(slow));
    expect(replay.code).toBe(0);
    expect(statuses(replay.stdout)).toEqual({ 1: 200, 2: 200, 3: 200, 4: 200, 5: 200, 6: 200, 7: 200 });
    expect([...replay.stdout.matchAll(/^== (\d+)\./gm)].map((m) => Number(m[1]))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const slowLookup = seen.find((s) => s.path === PATHS.lookup && s.email?.startsWith('slow-'))!;
    const registerLate = seen.find((s) => s.path === PATHS.register && s.email?.startsWith('late-'))!;
    const readyLate = seen.filter((s) => s.path === PATHS.ready)[1]!;
    const lookupLate = seen.find((s) => s.path === PATHS.lookup && s.email?.startsWith('late-'))!;
    // 5 and 6 ran while 4 was in flight; 6 only after 5; 7 only after all.
    expect(registerLate.start).toBeLessThan(slowLookup.end);
    expect(readyLate.start).toBeLessThan(slowLookup.end);
    expect(readyLate.start).toBeGreaterThanOrEqual(registerLate.end);
    expect(lookupLate.start).toBeGreaterThanOrEqual(slowLookup.end);
    expect(bodyOf(replay.stdout, 4)).toContain('"status":"online"');
  });
});

describe('fresh emails on every run of the script', () => {
  it('a registration answers the same twice against the same relay (200, not 409), whatever the letter case', async () => {
    const correct = await relay();
    const factory = new IdentityFactory();
    const first = factory.create({ email: newEmail('Case').toUpperCase() });
    const second = factory.create({ email: first.email.toLowerCase() });
    const exchanges = await record(endpointOf(correct), async (client) => {
      expect((await client.post(PATHS.register, { certificate: first.certificatePem, email: first.email })).status).toBe(200);
      expect((await client.post(PATHS.register, { certificate: second.certificatePem, email: second.email })).status).toBe(409);
      expect((await client.get(lookupPath(newEmail('nobody')), first)).status).toBe(404);
    });
    const text = scriptFor(correct.url, caseResult('REG-6/upper-case', exchanges, factory.made));
    // Only comments still name the run's emails.
    const commands = text.split('\n').filter((line) => !line.startsWith('#')).join('\n');
    expect(commands).not.toContain(NONCE.toUpperCase());
    expect(commands).not.toContain(NONCE);
    const once = await runScript(text, endpointOf(correct));
    const twice = await runScript(text, endpointOf(correct));
    expect(statuses(once.stdout)).toEqual({ 1: 200, 2: 409, 3: 404 });
    expect(statuses(twice.stdout)).toEqual({ 1: 200, 2: 409, 3: 404 });
    expect(bodyOf(once.stdout, 2)).toContain('email_taken');
    expect(bodyOf(once.stdout, 1)).not.toBe(bodyOf(twice.stdout, 1));
  });

  it("emails that are no identity's are fresh too: a defect stays visible on a rerun", async () => {
    // The defect (REG-7): a certificate registers again under each email it carries.
    const extra = new Set<string>();
    const perEmail = await relay({
      wrapHandler: (core) => ({
        async handle(request: RelayRequest) {
          const response = await core.handle(request);
          if (request.path !== PATHS.register || (response.body as { code?: string } | null)?.code !== 'certificate_already_registered') return response;
          const email = String((JSON.parse(request.bodyText ?? '{}') as { email?: unknown }).email).toLowerCase();
          if (extra.has(email)) return { status: 409, body: { error: 'taken', code: 'email_taken' } };
          extra.add(email);
          return { status: 200, body: { status: 'registered', email, id: 'again' } };
        },
      }),
    });
    const correct = await relay();
    const factory = new IdentityFactory();
    const second = newEmail('second');
    const identity = factory.create({ email: newEmail('first'), extraSanEmails: [second] });
    const exchanges = await record(endpointOf(perEmail), async (client) => {
      expect((await client.post(PATHS.register, { certificate: identity.certificatePem, email: identity.email })).status).toBe(200);
      expect((await client.post(PATHS.register, { certificate: identity.certificatePem, email: second })).status).toBe(200);
    });
    const text = scriptFor(perEmail.url, caseResult('REG-7/same-certificate-other-email', exchanges, factory.made));
    for (let run = 1; run <= 2; run += 1) expect(statuses((await runScript(text, endpointOf(perEmail))).stdout)).toEqual({ 1: 200, 2: 200 });
    const onCorrect = await runScript(text, endpointOf(correct));
    expect(statuses(onCorrect.stdout)).toEqual({ 1: 200, 2: 409 });
    expect(bodyOf(onCorrect.stdout, 2)).toContain('certificate_already_registered');
  });

  it('an expired identity is embedded with the run email it carries, and says so', async () => {
    const correct = await relay();
    const factory = new IdentityFactory();
    const expired = factory.create({ email: newEmail('expired'), validity: 'expired' });
    const exchanges = await record(endpointOf(correct), async (client) => {
      expect((await client.post(PATHS.register, { certificate: expired.certificatePem, email: expired.email })).status).toBe(400);
      expect((await client.get(lookupPath(newEmail('nobody')), null)).status).toBe(401);
    });
    const text = scriptFor(correct.url, caseResult('REG-8/expired', exchanges, factory.made));
    expect(text).toContain(`# Embedded as the run made it: openssl cannot simply make an expired certificate. The certificate carries the run's email`);
    expect(text).toContain(expired.certificatePem.trimEnd());
    expect(text).toContain(`"email":"${expired.email}"`);
    // The email no identity owns is fresh; the embedded identity's is the one its certificate carries.
    expect(text).toContain(`?email=nobody-'"$RUN"'-`);
    for (let run = 1; run <= 2; run += 1) {
      const replay = await runScript(text, endpointOf(correct));
      expect(statuses(replay.stdout)).toEqual({ 1: 400, 2: 401 });
      expect(bodyOf(replay.stdout, 1)).toContain('certificate_not_valid_now');
    }
  });
});

describe('certificates in bodies keep the layout the run sent', () => {
  it('CRLF, 76 columns and surrounding whitespace are rebuilt around the recreated certificate', async () => {
    const registered: string[] = [];
    const watching = await relay({
      wrapHandler: (core) => ({
        async handle(request: RelayRequest) {
          if (request.path === PATHS.register) registered.push(String((JSON.parse(request.bodyText ?? '{}') as { certificate?: unknown }).certificate));
          return core.handle(request);
        },
      }),
    });
    const rewrap = (pem: string, width: number) => `-----BEGIN CERTIFICATE-----\n${(derOf(pem).match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
    const variants = [(pem: string) => pem.replace(/\n/g, '\r\n'), (pem: string) => rewrap(pem, 76), (pem: string) => `\n  \n${pem.trim()}\n\n  `];
    const factory = new IdentityFactory();
    const peers = variants.map(() => factory.create({ email: newEmail('pemtext') }));
    const exchanges = await record(endpointOf(watching), async (client) => {
      for (const [i, variant] of variants.entries()) {
        const peer = peers[i]!;
        expect((await client.post(PATHS.register, { certificate: variant(peer.certificatePem), email: peer.email })).status).toBe(200);
        expect((await client.post(PATHS.ready, broadcast, peer)).status).toBe(200);
      }
    });
    const layout = (pem: string) => ({ crlf: pem.includes('\r\n'), width: pem.trim().split(/\r?\n/)[1]?.length, lead: /^\s*/.exec(pem)?.[0], trail: /\s*$/.exec(pem)?.[0] });
    const inRun = registered.splice(0).map(layout);
    const text = scriptFor(watching.url, caseResult('AUTH-4/registered-as-other-pem-text', exchanges, factory.made));
    const replay = await runScript(text, endpointOf(watching));
    // ready answers 200 only if the registered certificate is the one curl presents: the recreated one.
    expect(statuses(replay.stdout)).toEqual({ 1: 200, 2: 200, 3: 200, 4: 200, 5: 200, 6: 200 });
    expect(registered.map(layout)).toEqual(inRun);
    expect(inRun.map((l) => [l.crlf, l.width])).toEqual([[true, 64], [false, 76], [false, 64]]);
  });
});

describe('mangled and cut-short bodies are replayed as the run sent them', () => {
  it('a changed character stays changed when the recreated certificate already holds the new one there (1 in 64 recreations)', () => {
    const text = scriptFor('https://127.0.0.1:1', caseResult('ERR-5/none', [], []));
    const fn = /^changed_char\(\) \{.*\}$/m.exec(text)?.[0];
    expect(fn).toBeDefined();
    const run = (was: string, now: string) => execFileSync('sh', ['-c', `${fn}\nchanged_char "$1" "$2"`, 'sh', was, now], { encoding: 'utf8' });
    expect([run('Q', 'A'), run('A', 'A'), run('B', 'B'), run('z', 'z')]).toEqual(['A', 'B', 'A', 'A']);
  });
  it('a certificate the case mangled is the recreated one mangled at the same place (REG-2: a relay that skips the signature check)', async () => {
    const skipsSignatures = await mutant('accepts-bad-signatures');
    const correct = await relay();
    const factory = new IdentityFactory();
    const [changed, cut] = [factory.create({ email: newEmail('mangled') }), factory.create({ email: newEmail('mangled') })] as [SuiteIdentity, SuiteIdentity];
    // One base64 character of the signature changed (near the end), and a PEM cut in half.
    const at = changed.certificatePem.length - '\n-----END CERTIFICATE-----\n'.length - 10;
    const flipped = changed.certificatePem.slice(0, at) + (changed.certificatePem[at] === 'A' ? 'B' : 'A') + changed.certificatePem.slice(at + 1);
    const half = cut.certificatePem.slice(0, Math.floor(cut.certificatePem.length / 2));
    const exchanges = await record(endpointOf(skipsSignatures), async (client) => {
      expect((await client.post(PATHS.register, { certificate: flipped, email: changed.email })).status).toBe(200);
      expect((await client.post(PATHS.register, { certificate: half, email: cut.email })).status).toBe(400);
    });
    const text = scriptFor(skipsSignatures.url, caseResult('ERR-5/malformed-certificates', exchanges, factory.made));
    expect(text).not.toContain(derOf(changed.certificatePem).slice(0, 40));
    // The change sits near the end: counted from the end of the recreated certificate.
    expect(text).toMatch(/head -c \$\(\(\$\(json_pem "\$WORK\/id1\.crt" \| wc -c\) - \d+\)\); changed_char "\$\(json_pem "\$WORK\/id1\.crt" \| head -c \$\(\(\$\(\(\$\(json_pem "\$WORK\/id1\.crt" \| wc -c\) - \d+\)\) \+ 1\)\) \| tail -c 1\)" '[AB]'; json_pem "\$WORK\/id1\.crt" \| tail -c \d+; \}/);
    for (let run = 1; run <= 2; run += 1) expect(statuses((await runScript(text, endpointOf(skipsSignatures))).stdout)).toEqual({ 1: 200, 2: 400 });
    const onCorrect = await runScript(text, endpointOf(correct));
    expect(statuses(onCorrect.stdout)).toEqual({ 1: 400, 2: 400 });
    expect(bodyOf(onCorrect.stdout, 1)).toContain('invalid_certificate');
  });

  it('a body the report kept cut short is padded to its size and its JSON closed (ERR-6: a relay without a body limit)', async () => {
    const noLimit = await mutant('no-body-limit');
    const correct = await relay();
    const factory = new IdentityFactory();
    const peer = factory.create({ email: newEmail('large') });
    const padded = JSON.stringify({ ...broadcast, padding: 'x'.repeat(70 * 1024) });
    const exchanges = await record(endpointOf(noLimit), async (client) => {
      expect((await client.post(PATHS.register, { certificate: peer.certificatePem, email: peer.email })).status).toBe(200);
      expect((await client.send({ method: 'POST', path: PATHS.ready, rawBody: padded, identity: peer })).status).toBe(200);
    });
    expect(exchanges[1]!.request.bodyBytes).toBeGreaterThan(Buffer.byteLength(exchanges[1]!.request.body ?? ''));
    const text = scriptFor(noLimit.url, caseResult('ERR-6/body-too-large', exchanges, factory.made));
    expect(statuses((await runScript(text, endpointOf(noLimit))).stdout)).toEqual({ 1: 200, 2: 200 });
    expect(statuses((await runScript(text, endpointOf(correct))).stdout)).toEqual({ 1: 200, 2: 413 });
  });
});

describe('quoting: any byte the case sent reaches the relay as it was', () => {
  interface Received {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }
  let server: Server;
  let at: Endpoint;
  const received: Received[] = [];
  beforeAll(async () => {
    const now = Date.now();
    const tls = issueSelfSigned({ keyType: 'ecdsa-p256', subject: [{ field: 'CN', value: 'echo' }], sanIpAddresses: ['127.0.0.1'], notBeforeMs: now - 60_000, notAfterMs: now + 86_400_000, usage: 'server' });
    server = createServer({ cert: tls.certificatePem, key: tls.privateKeyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(418, { 'content-type': 'application/json' }).end('{"echo":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    started.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const caPath = join(dir, 'echo-ca.pem');
    await writeFile(caPath, tls.certificatePem);
    at = { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem: tls.certificatePem, caPath };
  });

  it('bodies, headers and paths with quotes, $, backticks, backslashes, a BODY line, CRLF and NUL', async () => {
    const nasty = `it's "quoted" $(touch /tmp/pwned) \`id\` \${HOME} \\ \\n %s %%\nBODY\r\nBODY_1\n'\n@@relaylab:RUN@@ é ✓\n\n`;
    const exchanges = await record(at, async (client) => {
      await client.send({ method: 'POST', path: PATHS.register, rawBody: nasty, headers: { 'x-odd': `a'b"c$(id)\`x\` \\ %s`, 'x-empty': '', 'content-type': 'text/plain; charset=utf-8' } });
      await client.send({ method: 'PUT', path: `${PATHS.lookup}?email=${encodeURIComponent("o'neil\"$(id)`x`@example.com")}&x=a'b$c`, rawBody: `nul\0byte'$\\\n` });
      await client.send({ method: 'GET', path: '/api/health' });
    });
    const inRun = received.splice(0);
    expect(inRun).toHaveLength(3);
    const text = scriptFor(at.url, caseResult('ERR-5/odd-bytes', exchanges, []));
    const replay = await runScript(text, at);
    expect(replay.code).toBe(0);
    expect(statuses(replay.stdout)).toEqual({ 1: 418, 2: 418, 3: 418 });
    const computed = new Set(['host', 'content-length', 'connection', 'transfer-encoding']);
    const sent = (r: Received) => ({ method: r.method, url: r.url, body: r.body.toString('base64'), headers: Object.fromEntries(Object.entries(r.headers).filter(([name]) => !computed.has(name))) });
    expect(received.map(sent)).toEqual(inRun.map(sent));
  });
});

describe('repro file names', () => {
  it('stay distinct for sub-cases whose ids differ only in punctuation, and plain for plain ids', async () => {
    const { reproFileName } = await import('./repro.ts');
    expect(reproFileName('REG-4/email-nowhere')).toBe('REG-4_email-nowhere.sh');
    const a = reproFileName('READY-2/invalid-port["8080"]');
    const b = reproFileName('READY-2/invalid-port[[8080]]');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^READY-2_invalid-port_8080-[0-9a-f]{8}\.sh$/);
  });
});
