/**
 * The vocabulary of the conformance suite: requirements (from SPEC.md),
 * cases that check them, the HTTP exchanges they make, and verdicts.
 */
import type { PartialMark } from '../../reference/shared/partial-mark.ts';
import type { SuiteIdentity } from './identities.ts';
import type { TargetClient } from './target.ts';
import type { TimeControl, TimeFacts } from './time-control.ts';
import type { SeededRng } from '../../reference/shared/rng.ts';
import type { IdentityFactory } from './identities.ts';

export type Level = 'MUST' | 'SHOULD' | 'MAY';

export interface Requirement {
  id: string;
  level: Level;
  section: string;
  text: string;
}

export interface ExchangeRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: Record<string, string>;
  body: string | null;
  /** Byte length of the body sent; `body` may be truncated for very large ones. */
  bodyBytes: number;
  /** Label of the identity whose certificate authenticated the request, if any. */
  identity: string | null;
  /** The local address the request was sent from, when the suite chose one (--untrusted-source). */
  localAddress: string | null;
}

export interface ExchangeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Exchange {
  request: ExchangeRequest;
  response: ExchangeResponse | null;
  /** Transport failure (reset, TLS refusal, timeout) instead of a response. */
  transportError: string | null;
  startedAtMs: number;
  durationMs: number;
}

/**
 * instant: runs concurrently; alone: runs with nothing else in flight (load
 * measurements); expiry: waits for time to pass (after instant cases);
 * clock: moves the relay's clock, runs alone, last.
 */
export type CaseTiming = 'instant' | 'alone' | 'expiry' | 'clock';

export interface CaseContext {
  client: TargetClient;
  identities: IdentityFactory;
  rng: SeededRng;
  time: TimeControl;
  /** Facts worth reporting even on a pass (e.g. "Ed25519: accepted"). */
  note(text: string): void;
  /** Facts about the relay for the report's summary (e.g. key type → accepted/refused). */
  fact(name: string, value: string): void;
  /** Latency per endpoint under load (PERF-1), for the report. */
  latency(latencies: EndpointLatency[]): void;
  /** A fresh, unique email for this run. */
  newEmail(tag?: string): string;
}

export interface ConformanceCase {
  /** Stable case id: `<REQUIREMENT>/<slug>`. */
  id: string;
  /** Requirement ids this case checks; the first is the primary one. */
  requirements: string[];
  title: string;
  timing?: CaseTiming;
  run(context: CaseContext): Promise<void>;
}

/**
 * What kind of wrong a case found (Autobahn|Testsuite's OK / NON-STRICT /
 * UNIMPLEMENTED / FAILED, with WPT's harness errors apart from failures):
 * - pass: every check held;
 * - non-strict: status and state right, only a detail clients do not rely
 *   on differs (the SPEC's error `code`, the error body shape): counted
 *   under ERR-1 (SHOULD), never under the case's own requirement;
 * - fail: wrong status, wrong state, a 5xx, a dropped connection;
 * - unimplemented: an endpoint the case needs does not exist (404/405);
 * - blocked: a setup step (register, ready) failed, so the requirement was
 *   not checked; the root cause is a failure of the requirement it breaks;
 * - intermittent: failed in the run, passed when rerun alone: counted under
 *   ERR-5 (concurrency), never under the case's own requirement;
 * - skip: could not be checked here (the reason says which option enables it);
 * - not-applicable: a conditional requirement whose condition is absent;
 * - harness-error: the suite itself broke (a relaylab bug, exit 70).
 */
export type CaseVerdict = 'pass' | 'non-strict' | 'fail' | 'unimplemented' | 'blocked' | 'intermittent' | 'skip' | 'not-applicable' | 'harness-error';

/** deterministic: the failure reproduced on every rerun alone; intermittent: a rerun alone passed; null: not rerun. */
export type Stability = 'deterministic' | 'intermittent';

export type FindingOutcome = 'non-strict' | 'fail';

/** One check that did not pass, judged against the requirement it verifies. */
export interface Finding {
  requirement: string;
  outcome: FindingOutcome;
  expected: string;
  actual: string;
}

/** A setup step that failed and blocked the case: grouped across cases into root causes. */
export interface Blocker {
  /** Stable grouping key, e.g. `register answered HTTP 500`. */
  key: string;
  /** The step: register, ready, ... */
  step: string;
  /** The requirement the failed step itself breaks (ERR-5 for a 5xx or a dropped connection). */
  requirement: string;
  expected: string;
  actual: string;
}

export interface CaseResult {
  caseId: string;
  requirements: string[];
  title: string;
  verdict: CaseVerdict;
  /** The first failure (or blocker, or non-strict detail) as protocol text. */
  expected: string | null;
  actual: string | null;
  /** Every check that did not pass, each under the requirement it verifies. */
  findings: Finding[];
  /** Requirements with at least one check that held. */
  checked: string[];
  blocker: Blocker | null;
  /** `METHOD /path` of the missing endpoint, for an unimplemented case. */
  unimplemented: string | null;
  /** Why it was skipped or is not applicable. */
  skipReason: string | null;
  stability: Stability | null;
  /** Cases run at once when this case first ran (1: alone). */
  concurrency: number;
  attempts: number;
  notes: string[];
  exchanges: Exchange[];
  identities: SuiteIdentity[];
  /** Epoch ms when this attempt began (the first attempt is the one recorded); absent in files written before it existed. */
  startedAtMs?: number;
  durationMs: number;
}

export type RequirementVerdict = 'pass' | 'fail' | 'warn' | 'non-strict' | 'unimplemented' | 'blocked' | 'skip' | 'not-applicable' | 'untested';

export interface RequirementResult {
  id: string;
  level: Level;
  section: string;
  text: string;
  verdict: RequirementVerdict;
  baselined: boolean;
  /** Every case with a check of this requirement, a finding under it, or naming it. */
  caseIds: string[];
  /** Cases whose findings fail (or are non-strict for) this requirement. */
  failingCaseIds: string[];
}

/** A failed setup step shared by blocked cases ("register answered HTTP 500 for 59 cases"). */
export interface RootCause {
  key: string;
  requirement: string;
  expected: string;
  actual: string;
  caseIds: string[];
  /** Requirements left unchecked because of it. */
  blocks: string[];
}

/** An endpoint the SPEC defines that answered 404/405 to its own method: reported once. */
export interface UnimplementedEndpoint {
  endpoint: string;
  status: number;
  caseIds: string[];
  blocks: string[];
}

/** Latency of one endpoint under load (PERF-1), milliseconds. */
export interface EndpointLatency {
  endpoint: string;
  requests: number;
  p50Ms: number;
  p99Ms: number;
}

export type SummaryCounts = Record<RequirementVerdict, number> & {
  /** MUSTs that fail (not baselined), are unimplemented, or are blocked: each fails the run. */
  mustFailures: number;
  mustUnimplemented: number;
  mustBlocked: number;
  mustSkipped: number;
  /** Cases whose only findings are non-strict. */
  nonStrictCases: number;
  intermittentCases: number;
  harnessErrors: number;
  baselinedFailures: number;
};

/** results.json, schema version 2 (conformance/RESULTS.md). */
export interface SuiteResult {
  schemaVersion: 2;
  tool: string;
  /** A name for this implementation in merged reports (`--label`). */
  label?: string;
  /** Present only when Ctrl-C stopped the run: the numbers cover the cases that finished. */
  partial?: PartialMark;
  target: { url: string; auth: string };
  /** The command line that selects this target, for rerun commands (`relaylab conformance --target … --ca …`); null when run as a library. */
  invocation: string | null;
  seed: number;
  startedAt: string;
  durationMs: number;
  only: string[];
  options: {
    concurrency: number;
    strict: boolean;
    failOnSkip: boolean;
    production: boolean;
    /** --time-warp K: the relay's clock runs K times faster (1: no warp). */
    warp: number;
    /** --target-cmd: the command the suite started the relay with. */
    targetCmd: string | null;
    /** --untrusted-source: the local address AUTH-5's forged header is sent from. */
    untrustedSource: string | null;
  };
  time: TimeFacts;
  facts: Record<string, string>;
  baseline: { source: string | null; patterns: string[] };
  summary: SummaryCounts;
  /** 0: no MUST fails; 1: a MUST fails, is unimplemented or blocked (or non-strict with --strict, skipped with --fail-on-skip); 70: the suite itself broke; 130: stopped by Ctrl-C (see `partial`). */
  exitCode: 0 | 1 | 70 | 130;
  rootCauses: RootCause[];
  unimplemented: UnimplementedEndpoint[];
  /** PERF-1's measurement; null when it did not run, with the reason in performanceNote. */
  performance: EndpointLatency[] | null;
  performanceNote: string | null;
  requirements: RequirementResult[];
  cases: CaseResult[];
}
