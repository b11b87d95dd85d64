/**
 * The suite runner: pre-flight (reachable? which endpoints exist? declared
 * TTL? test profile? clock warp?), then instant cases `concurrency` at a
 * time, load cases alone, expiry cases (concurrently when waiting in real
 * time, one at a time when moving a shared test clock), the clock cases
 * alone; then every failed or blocked case is rerun alone to tell a
 * deterministic defect from a race; finally verdicts per requirement.
 */
import { EXIT_INTERRUPTED } from '../../cli/progress/interrupt.ts';
import { certificateOffsetMs, clockOffsetFact, relayClockOffsetMs } from './relay-clock.ts';
import { randomBytes } from 'node:crypto';
import { ALL_CASES } from '../cases/index.ts';
import { EMPTY_BASELINE, type Baseline } from './baseline.ts';
import { attemptCase, type CaseEnvironment } from './case-runner.ts';
import { endpointLabel, looksMissing, PATHS, PROBE_BROADCAST, REQUIRED_ENDPOINTS } from './endpoints.ts';
import { globToRegExp, matchesAny } from './glob.ts';
import { IdentityFactory } from './identities.ts';
import { ROBUSTNESS_REQUIREMENT } from './recorder.ts';
import { loadSpec } from './spec.ts';
import { isPlainHttpAnswer, Target, TransportFailure, type TargetOptions } from './target.ts';
import { chooseStrategy, detectTestProfile, TimeControl, verifyWarp, type TimeFacts } from './time-control.ts';
import type { CaseResult, ConformanceCase, EndpointLatency, RequirementResult, SuiteResult } from './types.ts';
import { aggregateRequirements, rootCausesOf, unimplementedOf } from './verdicts.ts';

export type { SuiteResult } from './types.ts';

export interface SuiteOptions {
  target: TargetOptions;
  /** Globs over case ids and requirement ids; empty: everything. */
  only?: string[];
  seed?: number;
  maxWaitSeconds?: number;
  baseline?: Baseline;
  /** Cases run at once in the concurrent phases (1: one at a time). */
  concurrency?: number;
  cases?: ConformanceCase[];
  listener?: SuiteListener;
  /** Reruns alone of a failed or blocked case to classify it (default 2; 0: not rerun, stability unknown). */
  reruns?: number;
  /** Exit 1 also when a MUST was skipped (not checked), not only when one failed. */
  failOnSkip?: boolean;
  /** Exit 1 also on non-strict findings (ERR-1). */
  strict?: boolean;
  /** The relay is the deployed configuration: TEST-3 demands the test profile be absent, and it is never used. */
  production?: boolean;
  /** The relay's clock runs this many times faster (libfaketime, --time-warp). */
  warp?: number;
  targetCmd?: string | null;
  /** The CLI arguments that select this target, for rerun commands. */
  invocation?: string | null;
  /**
   * Aborted (Ctrl-C): no case starts, cases in flight are abandoned, and the
   * result covers the cases that finished, with `partial` set.
   */
  signal?: AbortSignal;
}

/** The `partial` key of an interrupted run's results (reports/partial.ts reads it). */
export interface SuitePartial {
  signal: 'SIGINT';
  note: string;
}

/** Aborted before any case ran: there is nothing to report. */
export class SuiteInterruptedError extends Error {}

export interface SuiteListener {
  onStart?(info: { total: number; time: TimeFacts; targetUrl: string; missingEndpoints: string[] }): void;
  onCaseEnd?(result: CaseResult, done: number, total: number): void;
  onRerun?(result: CaseResult): void;
}

export const DEFAULT_CONCURRENCY = 6;
export const DEFAULT_RERUNS = 2;

/** MUST requirements that were skipped: not checked, so never counted as passing. */
export function skippedMusts(requirements: RequirementResult[]): string[] {
  return requirements.filter((r) => r.level === 'MUST' && r.verdict === 'skip').map((r) => r.id);
}

/** The target could not be reached at all: a usage problem (exit 2), not a conformance failure. */
export class TargetUnreachableError extends Error {}

export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const startedAt = new Date();
  const seed = options.seed ?? (Date.now() % 2 ** 31);
  const baseline = options.baseline ?? EMPTY_BASELINE;
  const concurrency = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, 50));
  const target = new Target({ ...options.target, freshConnections: options.target.freshConnections ?? (options.warp ?? 1) > 1 });
  try {
    const missing = await beforeAbort(probeEndpoints(target), options.signal);
    const { time, clockOffsetMs } = await beforeAbort(preflight(target, options), options.signal);
    const selected = selectCases(options.cases ?? ALL_CASES, options.only ?? []);
    options.listener?.onStart?.({ total: selected.length, time, targetUrl: options.target.url, missingEndpoints: missing });
    const facts: Record<string, string> = {};
    if (clockOffsetMs !== 0) facts['relay clock'] = clockOffsetFact(clockOffsetMs);
    let performance: EndpointLatency[] | null = null;
    let emailNumber = 0;
    const env: CaseEnvironment = {
      target,
      time: new TimeControl(time),
      seed,
      runNonce: randomBytes(4).toString('hex'),
      nextEmailNumber: () => (emailNumber += 1),
      recordFact: (name, value) => (facts[name] = value),
      recordLatency: (latencies) => (performance = latencies),
      clockOffsetMs,
    };
    const firstRun: CaseResult[] = [];
    const finished = await untilAborted(runPhases(selected, env, concurrency, options, firstRun), options.signal);
    const reran = finished ? await untilAborted(rerunAlone(firstRun, selected, env, options), options.signal) : undefined;
    const results = reran ?? inCaseOrder([...firstRun], selected);
    const partial = reran ? null : partialNote(finished, firstRun.length, selected.length);
    if (target.rateLimitedRetries > 0) facts['rate limited'] = `${target.rateLimitedRetries} request(s) answered 429 and were sent again after Retry-After (the relay limits requests per source address; latencies include the waits)`;
    const rootCauses = rootCausesOf(results);
    const requirements = aggregateRequirements(loadSpec(), results, baseline, rootCauses);
    const result = assemble({ options, concurrency, seed, startedAt, time, facts, baseline, requirements, results, rootCauses, performance });
    // Right after the version: whoever opens the file sees first that its counts are not the whole suite's.
    if (!partial) return result;
    const { schemaVersion, ...rest } = result;
    // The process exits 130 (cli/progress/interrupt.ts): the file says the same, not what the finished cases alone would earn.
    return { schemaVersion, partial, ...rest, exitCode: EXIT_INTERRUPTED } as SuiteResult;
  } finally {
    await target.close();
  }
}

/** Reaches /api/health (a one-line reason when it cannot), then finds which SPEC endpoints are missing. */
async function probeEndpoints(target: Target): Promise<string[]> {
  const client = target.client([]);
  try {
    await client.get(PATHS.health);
  } catch (error) {
    if (error instanceof TransportFailure) throw new TargetUnreachableError(unreachableReason(target.options, error.exchange.transportError ?? ''));
    throw error;
  }
  for (const endpoint of REQUIRED_ENDPOINTS) {
    const reply = await client.send({ method: endpoint.method, path: endpoint.path, ...(endpoint.method === 'POST' ? { json: {} } : {}) }).catch(() => null);
    if (reply && looksMissing(reply.status, (reply.json as { code?: unknown } | undefined)?.code)) target.missingEndpoints.add(endpointLabel(endpoint));
  }
  return [...target.missingEndpoints];
}

function unreachableReason(options: TargetOptions, cause: string): string {
  if (options.url.startsWith('https:') && isPlainHttpAnswer(cause)) {
    const plain = options.url.replace(/^https:/, 'http:');
    return `${options.url} answers in plain HTTP, not TLS: a relay behind a TLS-terminating proxy is tested as ${plain} with --auth header:NAME (the header the proxy forwards the client certificate in), or through the proxy's own https:// address`;
  }
  if (/CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY/.test(cause)) {
    return `${options.url} answered with a TLS certificate --ca does not trust (${cause}); pass the relay's certificate with --ca, or --insecure`;
  }
  return `cannot reach ${options.url}: ${cause}`;
}

async function preflight(target: Target, options: SuiteOptions): Promise<{ time: TimeFacts; clockOffsetMs: number }> {
  const client = target.client([]);
  const maxWaitSeconds = options.maxWaitSeconds ?? 120;
  const production = options.production === true;
  const warp = options.warp ?? 1;
  const { ttlSeconds, clockOffsetMs } = await probeTtl(target);
  const testProfileOffered = await detectTestProfile(client).catch(() => false);
  const facts: TimeFacts = { ttlSeconds, testProfileOffered, maxWaitSeconds, production, warp, warpCheck: null, ...chooseStrategy(ttlSeconds, testProfileOffered, maxWaitSeconds, production, warp) };
  if (warp > 1 && ttlSeconds !== null && facts.strategy === 'real-time') {
    // A claimed warp that did not take effect must not turn into expiry failures: check it first.
    const check = await verifyWarp(client, ttlSeconds, warp);
    facts.warpCheck = check.detail;
    if (!check.tookEffect) Object.assign(facts, { strategy: 'unavailable', unavailableReason: check.detail });
  }
  return { time: facts, clockOffsetMs };
}

/** Learns the declared TTL, and how far the relay's clock is from ours, from a throw-away registration's ready. */
async function probeTtl(target: Target): Promise<{ ttlSeconds: number | null; clockOffsetMs: number }> {
  const client = target.client([]);
  const identity = new IdentityFactory().create({ email: `probe-${randomBytes(6).toString('hex')}@conformance.example` });
  const registered = await client.post(PATHS.register, { certificate: identity.certificatePem, email: identity.email }, identity).catch(() => null);
  if (registered?.status !== 200) return { ttlSeconds: null, clockOffsetMs: 0 };
  const ready = await client.post(PATHS.ready, PROBE_BROADCAST, identity).catch(() => null);
  // The relay's clock is on the wire in a heartbeat's answer (broadcast_expires = its now + TTL, SPEC HB-1).
  const heartbeat = ready?.status === 200 ? await client.post(PATHS.heartbeat, {}, identity).catch(() => null) : null;
  const clockOffsetMs = certificateOffsetMs(relayClockOffsetMs(heartbeat, Date.now()));
  const expiresIn = (ready?.json as { expires_in?: unknown } | undefined)?.expires_in;
  return { ttlSeconds: typeof expiresIn === 'number' && Number.isInteger(expiresIn) && expiresIn > 0 ? expiresIn : null, clockOffsetMs };
}

export function selectCases(cases: ConformanceCase[], only: string[]): ConformanceCase[] {
  if (only.length === 0) return cases;
  const patterns = only.map(globToRegExp);
  return cases.filter((c) => matchesAny(patterns, c.id, ...c.requirements.slice(0, 1)));
}

/** Fills `results` as cases end (an interrupted run reports what is there); after an abort, late endings are dropped. */
async function runPhases(selected: ConformanceCase[], env: CaseEnvironment, concurrency: number, options: SuiteOptions, results: CaseResult[]): Promise<CaseResult[]> {
  const byTiming = (t: string) => selected.filter((c) => (c.timing ?? 'instant') === t);
  const onEnd = (result: CaseResult) => {
    if (options.signal?.aborted) return;
    results.push(result);
    options.listener?.onCaseEnd?.(result, results.length, selected.length);
  };
  const signal = options.signal;
  await runPool(byTiming('instant'), concurrency, env, onEnd, signal);
  await runPool(byTiming('alone'), 1, env, onEnd, signal);
  await runPool(byTiming('expiry'), env.time.exclusive ? 1 : concurrency, env, onEnd, signal);
  await runPool(byTiming('clock'), 1, env, onEnd, signal);
  return results;
}

/** The promise's value, or undefined as soon as `signal` aborts (the promise is left to settle unheard). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (!signal) return work;
  work.catch(() => {});
  if (signal.aborted) return Promise.resolve(undefined);
  return Promise.race([work, new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }))]);
}

/** Pre-flight work: an abort there leaves nothing to report. */
async function beforeAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  const value = await untilAborted(work, signal);
  if (signal?.aborted) throw new SuiteInterruptedError('interrupted during pre-flight, before any case ran');
  return value as T;
}

function inCaseOrder(results: CaseResult[], selected: ConformanceCase[]): CaseResult[] {
  const order = new Map(selected.map((c, i) => [c.id, i]));
  return results.sort((a, b) => (order.get(a.caseId) ?? 0) - (order.get(b.caseId) ?? 0));
}

/** "41 of 97 cases finished; the others did not run (in flight ones abandoned)", or the reruns that were cut short. */
function partialNote(phasesFinished: CaseResult[] | undefined, done: number, total: number): SuitePartial {
  const note = phasesFinished
    ? `all ${total} cases ran once; the reruns alone of failed cases were cut short, so their stability is unknown`
    : `${done} of ${total} cases finished; the others did not run or were abandoned in flight`;
  return { signal: 'SIGINT', note };
}

async function runPool(cases: ConformanceCase[], width: number, env: CaseEnvironment, onEnd: (r: CaseResult) => void, signal?: AbortSignal): Promise<void> {
  const queue = [...cases];
  let inFlight = 0;
  const worker = async () => {
    for (let next = queue.shift(); next && !signal?.aborted; next = queue.shift()) {
      // What was really in flight as it started (the pool's tail runs fewer than its width).
      inFlight += 1;
      const result = await attemptCase(next, env, inFlight);
      inFlight -= 1;
      onEnd(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, queue.length) }, worker));
}

/**
 * Failed and blocked cases are rerun alone, nothing else in flight. A
 * failure that reproduces on every rerun is deterministic; one that passes
 * alone is intermittent: a race breaks ERR-5 (concurrency), not the
 * requirement the case checks. Without reruns the stability stays unknown:
 * a failure is never called deterministic without having reproduced.
 */
async function rerunAlone(firstRun: CaseResult[], selected: ConformanceCase[], env: CaseEnvironment, options: SuiteOptions): Promise<CaseResult[]> {
  const reruns = options.reruns ?? DEFAULT_RERUNS;
  const byId = new Map(selected.map((c) => [c.id, c]));
  const out: CaseResult[] = [];
  for (const first of firstRun) {
    const kase = byId.get(first.caseId);
    if (reruns === 0 || !kase || (first.verdict !== 'fail' && first.verdict !== 'blocked')) {
      out.push(first);
      continue;
    }
    const again: CaseResult[] = [];
    for (let i = 0; i < reruns; i += 1) again.push(await attemptCase(kase, env, 1));
    const passes = again.filter((r) => r.verdict === 'pass' || r.verdict === 'non-strict');
    const classified = passes.length === 0 ? reproduced(first, again) : passes.length === again.length ? intermittent(first, reruns, passes) : flaky(first, reruns, passes.length);
    options.listener?.onRerun?.(classified);
    out.push(classified);
  }
  const order = new Map(selected.map((c, i) => [c.id, i]));
  return out.sort((a, b) => (order.get(a.caseId) ?? 0) - (order.get(b.caseId) ?? 0));
}

/**
 * Every rerun alone failed: what reproduces alone is what the report shows
 * (the first attempt, with others in flight, may have failed differently,
 * e.g. blocked by a 500 under load). Deterministic, since it failed every
 * time; a note says so when the details varied between attempts.
 */
function reproduced(first: CaseResult, again: CaseResult[]): CaseResult {
  const shown = again[0] as CaseResult;
  const notes = [...shown.notes];
  if (first.verdict !== shown.verdict || first.expected !== shown.expected) notes.push(`first attempt (${first.concurrency} at once) was ${first.verdict}: expected ${first.expected}; actual ${first.actual}`);
  // It failed every time: deterministic, even when the details of the failure vary between attempts.
  if (!again.every((r) => r.verdict === shown.verdict && r.expected === shown.expected)) notes.push('the failure reproduced on every attempt, its details varied');
  return { ...shown, concurrency: first.concurrency, attempts: 1 + again.length, stability: 'deterministic', notes };
}

/** Failed alone at least once and passed at least once: no race, a flaky relay. Its own requirement fails, labelled intermittent. */
function flaky(first: CaseResult, reruns: number, passedAlone: number): CaseResult {
  return { ...first, stability: 'intermittent', attempts: 1 + reruns, notes: [...first.notes, `failed in the run, then passed ${passedAlone} of ${reruns} reruns alone and failed the others: flaky even alone, so not a race`] };
}

/**
 * Failed with other cases in flight, passed alone: a race, which breaks
 * ERR-5 (concurrency) and not the case's own requirement, whose checks held
 * alone. A case that already ran alone and then passed is flaky, not racing:
 * it stays a failure of its own requirement, labelled intermittent.
 */
function intermittent(first: CaseResult, reruns: number, passes: CaseResult[]): CaseResult {
  const attempts = 1 + reruns;
  const summary = `failed ${first.concurrency > 1 ? `with ${first.concurrency} cases at once` : 'alone'} (${first.actual ?? first.expected ?? 'see exchanges'}), then passed ${passes.length} of ${reruns} reruns alone`;
  if (first.concurrency === 1) return { ...first, stability: 'intermittent', attempts, notes: [...first.notes, summary] };
  const finding = {
    requirement: ROBUSTNESS_REQUIREMENT,
    outcome: 'fail' as const,
    expected: `${first.caseId}: the same answers whatever else runs at once (SPEC ERR-5: concurrency)`,
    actual: summary,
  };
  const checked = [...new Set([...first.checked, ...passes.flatMap((p) => p.checked)])].sort();
  return { ...first, verdict: 'intermittent', stability: 'intermittent', attempts, findings: [finding], checked, blocker: null, notes: [...first.notes, `first attempt ${first.verdict}: expected ${first.expected}; actual ${first.actual}`] };
}

interface AssembleParts {
  options: SuiteOptions; concurrency: number; seed: number; startedAt: Date; time: TimeFacts; facts: Record<string, string>;
  baseline: Baseline; requirements: RequirementResult[]; results: CaseResult[]; rootCauses: SuiteResult['rootCauses']; performance: EndpointLatency[] | null;
}

function assemble(parts: AssembleParts): SuiteResult {
  const { requirements, results, options } = parts;
  const count = (v: string) => requirements.filter((r) => r.verdict === v).length;
  const must = (v: string) => requirements.filter((r) => r.level === 'MUST' && r.verdict === v && !r.baselined).length;
  const mustFailures = must('fail') + must('unimplemented') + must('blocked');
  const mustSkipped = skippedMusts(requirements).length;
  const nonStrict = requirements.filter((r) => r.verdict === 'non-strict' && !r.baselined).length;
  const harnessErrors = results.filter((c) => c.verdict === 'harness-error').length;
  const failed = mustFailures > 0 || (options.failOnSkip === true && mustSkipped > 0) || (options.strict === true && nonStrict > 0);
  const auth = options.target.auth;
  const perfCase = results.find((c) => c.caseId.startsWith('PERF-1/'));
  return {
    schemaVersion: 2,
    tool: 'relaylab conformance',
    target: { url: options.target.url, auth: auth.kind === 'mtls' ? 'mtls' : `header:${auth.headerName}` },
    invocation: options.invocation ?? null,
    seed: parts.seed,
    startedAt: parts.startedAt.toISOString(),
    durationMs: Date.now() - parts.startedAt.getTime(),
    only: options.only ?? [],
    options: {
      concurrency: parts.concurrency, strict: options.strict === true, failOnSkip: options.failOnSkip === true, production: options.production === true,
      warp: options.warp ?? 1, targetCmd: options.targetCmd ?? null, untrustedSource: options.target.untrustedSource ?? null,
    },
    time: parts.time,
    facts: parts.facts,
    baseline: { source: parts.baseline.source, patterns: parts.baseline.patterns },
    summary: {
      pass: count('pass'), fail: count('fail'), warn: count('warn'), 'non-strict': count('non-strict'), unimplemented: count('unimplemented'), blocked: count('blocked'),
      skip: count('skip'), 'not-applicable': count('not-applicable'), untested: count('untested'),
      mustFailures, mustUnimplemented: must('unimplemented'), mustBlocked: must('blocked'), mustSkipped,
      nonStrictCases: results.filter((c) => c.verdict === 'non-strict').length,
      intermittentCases: results.filter((c) => c.verdict === 'intermittent').length,
      harnessErrors,
      baselinedFailures: requirements.filter((r) => r.baselined).length,
    },
    exitCode: harnessErrors > 0 ? 70 : failed ? 1 : 0,
    rootCauses: parts.rootCauses,
    unimplemented: unimplementedOf(results),
    performance: parts.performance,
    performanceNote: parts.performance ? null : perfCase ? `PERF-1 did not measure: ${perfCase.verdict}${perfCase.skipReason ? ` (${perfCase.skipReason})` : ''}` : 'PERF-1 was not selected (--only)',
    requirements,
    cases: results,
  };
}
