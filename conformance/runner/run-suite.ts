/**
 * The suite runner: pre-flight (reachable? declared TTL? test profile?),
 * then instant cases concurrently, expiry cases (concurrently when waiting
 * in real time, one at a time when moving a shared test clock), then the
 * clock cases alone; finally verdicts per requirement.
 */
import { randomBytes } from 'node:crypto';
import { ALL_CASES } from '../cases/index.ts';
import { EMPTY_BASELINE, type Baseline } from './baseline.ts';
import { runCase, type CaseEnvironment } from './case-runner.ts';
import { globToRegExp, matchesAny } from './glob.ts';
import { IdentityFactory } from './identities.ts';
import { loadSpec } from './spec.ts';
import { Target, TransportFailure, type TargetOptions } from './target.ts';
import { chooseStrategy, detectTestProfile, TimeControl, type TimeFacts } from './time-control.ts';
import type { CaseResult, ConformanceCase, RequirementResult } from './types.ts';
import { aggregateRequirements } from './verdicts.ts';

export interface SuiteOptions {
  target: TargetOptions;
  /** Globs over case ids and requirement ids; empty: everything. */
  only?: string[];
  seed?: number;
  maxWaitSeconds?: number;
  baseline?: Baseline;
  /** Cases run at once in the concurrent phases. */
  concurrency?: number;
  cases?: ConformanceCase[];
  listener?: SuiteListener;
  /** Reruns of a failing case to classify it (default 2; mutation runs use 0). */
  reruns?: number;
  /** Exit 1 also when a MUST was skipped (not checked), not only when one failed. */
  failOnSkip?: boolean;
  /** The relay is the deployed configuration: TEST-3 demands the test profile be absent, and it is never used. */
  production?: boolean;
}

export interface SuiteListener {
  onStart?(info: { total: number; time: TimeFacts; targetUrl: string }): void;
  onCaseEnd?(result: CaseResult, done: number, total: number): void;
}

export interface SuiteResult {
  schemaVersion: 1;
  tool: string;
  /** A name for this implementation in merged reports (`--label`). */
  label?: string;
  target: { url: string; auth: string };
  seed: number;
  startedAt: string;
  durationMs: number;
  only: string[];
  time: TimeFacts;
  facts: Record<string, string>;
  baseline: { source: string | null; patterns: string[] };
  summary: Record<'pass' | 'fail' | 'warn' | 'skip' | 'untested', number> & { mustFailures: number; mustSkipped: number; baselinedFailures: number };
  exitCode: 0 | 1;
  requirements: RequirementResult[];
  cases: CaseResult[];
}

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
  const target = new Target(options.target);
  try {
    const time = await preflight(target, options.maxWaitSeconds ?? 120, options.production === true);
    const selected = selectCases(options.cases ?? ALL_CASES, options.only ?? []);
    options.listener?.onStart?.({ total: selected.length, time, targetUrl: options.target.url });
    const facts: Record<string, string> = {};
    let emailNumber = 0;
    const env: CaseEnvironment = {
      target,
      time: new TimeControl(time),
      seed,
      runNonce: randomBytes(4).toString('hex'),
      nextEmailNumber: () => (emailNumber += 1),
      recordFact: (name, value) => (facts[name] = value),
      ...(options.reruns !== undefined ? { reruns: options.reruns } : {}),
    };
    const results = await runPhases(selected, env, options);
    const requirements = aggregateRequirements(loadSpec(), results, baseline, new Set(selected.map((c) => c.requirements[0] ?? '')));
    return assemble({ options, seed, startedAt, time, facts, baseline, requirements, results });
  } finally {
    await target.close();
  }
}

async function preflight(target: Target, maxWaitSeconds: number, production: boolean): Promise<TimeFacts> {
  const client = target.client([]);
  try {
    await client.get('/api/health');
  } catch (error) {
    if (error instanceof TransportFailure) {
      const cause = error.exchange.transportError ?? '';
      if (/CERT|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY/.test(cause)) {
        throw new TargetUnreachableError(`${target.options.url} answered with a TLS certificate --ca does not trust (${cause}); pass the relay's certificate with --ca, or --insecure`);
      }
      throw new TargetUnreachableError(`cannot reach ${target.options.url}: ${cause}`);
    }
    throw error;
  }
  const ttlSeconds = await probeTtl(target);
  const testProfileOffered = await detectTestProfile(client).catch(() => false);
  return { ttlSeconds, testProfileOffered, maxWaitSeconds, production, ...chooseStrategy(ttlSeconds, testProfileOffered, maxWaitSeconds, production) };
}

/** Learns the declared TTL from a throw-away registration's ready. */
async function probeTtl(target: Target): Promise<number | null> {
  const client = target.client([]);
  const identity = new IdentityFactory().create({ email: `probe-${randomBytes(6).toString('hex')}@conformance.example` });
  const registered = await client.post('/api/relay/register', { certificate: identity.certificatePem, email: identity.email });
  if (registered.status !== 200) return null;
  const ready = await client.post('/api/relay/broadcast/ready', { port: 9, addresses: ['192.0.2.9'] }, identity);
  const expiresIn = (ready.json as { expires_in?: unknown } | undefined)?.expires_in;
  return typeof expiresIn === 'number' && Number.isInteger(expiresIn) && expiresIn > 0 ? expiresIn : null;
}

export function selectCases(cases: ConformanceCase[], only: string[]): ConformanceCase[] {
  if (only.length === 0) return cases;
  const patterns = only.map(globToRegExp);
  return cases.filter((c) => matchesAny(patterns, c.id, ...c.requirements.slice(0, 1)));
}

async function runPhases(selected: ConformanceCase[], env: CaseEnvironment, options: SuiteOptions): Promise<CaseResult[]> {
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 6, 50));
  const byTiming = (t: string) => selected.filter((c) => (c.timing ?? 'instant') === t);
  const results: CaseResult[] = [];
  const onEnd = (result: CaseResult) => {
    results.push(result);
    options.listener?.onCaseEnd?.(result, results.length, selected.length);
  };
  await runPool(byTiming('instant'), concurrency, env, onEnd);
  await runPool(byTiming('expiry'), env.time.exclusive ? 1 : concurrency * 2, env, onEnd);
  await runPool(byTiming('clock'), 1, env, onEnd);
  const order = new Map(selected.map((c, i) => [c.id, i]));
  return results.sort((a, b) => (order.get(a.caseId) ?? 0) - (order.get(b.caseId) ?? 0));
}

async function runPool(cases: ConformanceCase[], width: number, env: CaseEnvironment, onEnd: (r: CaseResult) => void): Promise<void> {
  const queue = [...cases];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) onEnd(await runCase(next, env));
  };
  await Promise.all(Array.from({ length: Math.min(width, queue.length) }, worker));
}

function assemble(parts: {
  options: SuiteOptions; seed: number; startedAt: Date; time: TimeFacts; facts: Record<string, string>;
  baseline: Baseline; requirements: RequirementResult[]; results: CaseResult[];
}): SuiteResult {
  const { requirements } = parts;
  const count = (v: string) => requirements.filter((r) => r.verdict === v).length;
  const mustFailures = requirements.filter((r) => r.level === 'MUST' && r.verdict === 'fail' && !r.baselined).length;
  // A skipped MUST was not checked: never reported as passing, and a failure under --fail-on-skip.
  const mustSkipped = skippedMusts(requirements).length;
  const auth = parts.options.target.auth;
  return {
    schemaVersion: 1,
    tool: 'relaylab conformance',
    target: { url: parts.options.target.url, auth: auth.kind === 'mtls' ? 'mtls' : `header:${auth.headerName}` },
    seed: parts.seed,
    startedAt: parts.startedAt.toISOString(),
    durationMs: Date.now() - parts.startedAt.getTime(),
    only: parts.options.only ?? [],
    time: parts.time,
    facts: parts.facts,
    baseline: { source: parts.baseline.source, patterns: parts.baseline.patterns },
    summary: {
      pass: count('pass'), fail: count('fail'), warn: count('warn'), skip: count('skip'), untested: count('untested'),
      mustFailures, mustSkipped, baselinedFailures: requirements.filter((r) => r.baselined && (r.verdict === 'fail' || r.verdict === 'warn')).length,
    },
    exitCode: mustFailures > 0 || (parts.options.failOnSkip === true && mustSkipped > 0) ? 1 : 0,
    requirements,
    cases: parts.results,
  };
}

