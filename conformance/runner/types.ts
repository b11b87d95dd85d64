/**
 * The vocabulary of the conformance suite: requirements (from SPEC.md),
 * cases that check them, the HTTP exchanges they make, and verdicts.
 */
import type { SuiteIdentity } from './identities.ts';
import type { TargetClient } from './target.ts';
import type { TimeControl } from './time-control.ts';
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

/** instant: runs concurrently; expiry: waits for time to pass (after instant cases); clock: moves the relay's clock, runs alone, last. */
export type CaseTiming = 'instant' | 'expiry' | 'clock';

export interface CaseContext {
  client: TargetClient;
  identities: IdentityFactory;
  rng: SeededRng;
  time: TimeControl;
  /** Facts worth reporting even on a pass (e.g. "Ed25519: accepted"). */
  note(text: string): void;
  /** Facts about the relay for the report's summary (e.g. key type → accepted/refused). */
  fact(name: string, value: string): void;
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

export type CaseVerdict = 'pass' | 'fail' | 'skip';
export type Stability = 'deterministic' | 'intermittent';

export interface CaseResult {
  caseId: string;
  requirements: string[];
  title: string;
  verdict: CaseVerdict;
  expected: string | null;
  actual: string | null;
  skipReason: string | null;
  stability: Stability | null;
  attempts: number;
  notes: string[];
  exchanges: Exchange[];
  identities: SuiteIdentity[];
  durationMs: number;
}

export type RequirementVerdict = 'pass' | 'fail' | 'warn' | 'skip' | 'untested';

export interface RequirementResult {
  id: string;
  level: Level;
  section: string;
  text: string;
  verdict: RequirementVerdict;
  baselined: boolean;
  caseIds: string[];
}
