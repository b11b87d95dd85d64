/**
 * Runs one attempt of one case: a fresh exchange log, identity factory,
 * seeded RNG and check recorder, then classifies what happened (see
 * CaseVerdict): a failed check → fail; a failed setup step → blocked; an
 * endpoint found missing → unimplemented; only non-strict findings →
 * non-strict; CaseSkip → skip; NotApplicable → not-applicable; anything
 * else thrown is the suite's own bug → harness-error. Reruns (alone, after
 * the run) are the runner's business: see run-suite.ts.
 */
import { createHash } from 'node:crypto';
import { SeededRng } from '../../reference/shared/rng.ts';
import { IdentityFactory } from './identities.ts';
import { CheckRecorder, ROBUSTNESS_REQUIREMENT, runWithRecorder } from './recorder.ts';
import type { Target } from './target.ts';
import { EndpointMissing, TransportFailure } from './target.ts';
import type { TimeControl } from './time-control.ts';
import type { Blocker, CaseResult, ConformanceCase, EndpointLatency, Exchange } from './types.ts';
import { CaseFailure, CaseSkip, describeReply, NotApplicable, SetupFailure } from './verify.ts';

/** The requirement a failed setup step is charged to (a 5xx goes to ERR-5 whatever the step). */
const SETUP_STEP_REQUIREMENT: Record<string, string> = { register: 'REG-1', ready: 'READY-1', heartbeat: 'HB-1', lookup: 'LOOKUP-1' };

export interface CaseEnvironment {
  target: Target;
  time: TimeControl;
  seed: number;
  /** Makes emails unique to this run: the relay may hold data from earlier runs. */
  runNonce: string;
  nextEmailNumber(): number;
  recordFact(name: string, value: string): void;
  recordLatency(latencies: EndpointLatency[]): void;
  /** The relay's clock minus ours, for dating certificates (relay-clock.ts); 0 when they agree. */
  clockOffsetMs: number;
}

/**
 * Per-case randomness depends only on the run seed and the case id: not on
 * scheduling, and not on the attempt, so a rerun replays the same inputs and
 * "intermittent" means the relay behaved differently, not the suite.
 */
export function caseSeed(seed: number, caseId: string): number {
  return createHash('sha256').update(`${seed}:${caseId}`).digest().readUInt32BE(0);
}

export async function attemptCase(kase: ConformanceCase, env: CaseEnvironment, concurrency: number): Promise<CaseResult> {
  const exchanges: Exchange[] = [];
  const identities = new IdentityFactory(env.clockOffsetMs);
  const notes: string[] = [];
  const recorder = new CheckRecorder(kase.requirements[0] ?? '');
  const started = performance.now();
  // Wall-clock start, so junit.xml can share the run's time among the cases in flight (junit-times.ts).
  const startedAtMs = Date.now();
  const result: CaseResult = {
    caseId: kase.id,
    requirements: kase.requirements,
    title: kase.title,
    verdict: 'pass',
    expected: null,
    actual: null,
    findings: recorder.findings,
    checked: [],
    blocker: null,
    unimplemented: null,
    skipReason: null,
    stability: null,
    concurrency,
    attempts: 1,
    notes,
    exchanges,
    identities: identities.made,
    startedAtMs,
    durationMs: 0,
  };
  const client = env.target.client(exchanges);
  try {
    await runWithRecorder(recorder, () =>
      kase.run({
        client,
        identities,
        rng: new SeededRng(caseSeed(env.seed, kase.id)),
        time: env.time,
        note: (text) => notes.push(text),
        fact: (name, value) => env.recordFact(name, value),
        latency: (latencies) => env.recordLatency(latencies),
        newEmail: (tag = 'peer') => `${tag}-${env.runNonce}-${env.nextEmailNumber()}@conformance.example`,
      }),
    );
    classifyFindings(result);
  } catch (error) {
    classifyThrown(result, recorder, error);
  }
  // A case that threw while requests of its own were in flight (Promise.all of 50 clients) must not load the next one.
  await client.drain();
  result.checked = [...recorder.checked].sort();
  result.durationMs = Math.round(performance.now() - started);
  return result;
}

/** The case ran to its end: its findings decide. */
function classifyFindings(result: CaseResult): void {
  const failure = result.findings.find((f) => f.outcome === 'fail');
  const first = failure ?? result.findings[0];
  if (!first) return;
  result.verdict = failure ? 'fail' : 'non-strict';
  result.expected = first.expected;
  result.actual = first.actual;
}

function classifyThrown(result: CaseResult, recorder: CheckRecorder, error: unknown): void {
  if (error instanceof CaseFailure) {
    recorder.find('fail', error.requirement ?? recorder.defaultRequirement, error.expected, error.actual);
    Object.assign(result, { verdict: 'fail', expected: error.expected, actual: error.actual });
    return;
  }
  if (error instanceof SetupFailure) {
    // A 5xx was already recorded under ERR-5 by the target client.
    const blocker = blockerOf(error);
    Object.assign(result, { verdict: 'blocked', blocker, expected: blocker.expected, actual: blocker.actual });
    return;
  }
  if (error instanceof TransportFailure) {
    // ERR-5 was recorded by the target client; the case's own claim was not met either.
    const request = error.exchange.request;
    const expected = `an HTTP response to ${request.method} ${request.path}`;
    const actual = `no response: ${error.exchange.transportError}`;
    recorder.find('fail', recorder.defaultRequirement, expected, actual);
    Object.assign(result, { verdict: 'fail', expected, actual });
    return;
  }
  if (error instanceof EndpointMissing) {
    Object.assign(result, { verdict: 'unimplemented', unimplemented: error.endpoint, expected: `${error.endpoint} exists (SPEC defines it)`, actual: describeReply(error.reply) });
    return;
  }
  if (error instanceof CaseSkip) {
    Object.assign(result, { verdict: 'skip', skipReason: error.reason });
    return;
  }
  if (error instanceof NotApplicable) {
    Object.assign(result, { verdict: 'not-applicable', skipReason: error.reason });
    return;
  }
  Object.assign(result, { verdict: 'harness-error', expected: 'the suite to run the case to completion', actual: `suite error (a relaylab bug): ${(error as Error).stack ?? String(error)}` });
}

/**
 * Blocked cases group under a root cause: the step and what it answered.
 * The root cause is itself a failure of the requirement it breaks: a 5xx
 * breaks ERR-5; a refused registration breaks REG-1, a refused ready READY-1.
 */
function blockerOf(error: SetupFailure): Blocker {
  const reply = error.reply;
  if (!reply) return { key: `${error.step} got no answer (connection dropped)`, step: error.step, requirement: ROBUSTNESS_REQUIREMENT, expected: error.expected, actual: `no response: ${error.transportError}` };
  const { status } = reply;
  const code = (reply.json as { code?: unknown } | undefined)?.code;
  const codeText = typeof code === 'string' ? ` ${code}` : '';
  // A 2xx that is not the protocol's answer (an HTML page, a body without its fields) says so, not just "200".
  const shape = status < 300 ? (reply.json === undefined ? ' with a body that is not JSON' : ' without the fields the SPEC gives its answer') : '';
  const requirement = status >= 500 ? ROBUSTNESS_REQUIREMENT : (SETUP_STEP_REQUIREMENT[error.step] ?? 'LOOKUP-1');
  return { key: `${error.step} answered HTTP ${status}${codeText}${shape}`, step: error.step, requirement, expected: error.expected, actual: describeReply(reply) };
}
