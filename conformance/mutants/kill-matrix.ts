/**
 * Runs the suite against the reference and against every mutant, and
 * reports which requirements the suite names for each. A mutant is killed
 * when a case that passes against the reference has, against the mutant,
 * a finding under one of the requirements the mutant breaks: a failure that
 * reproduced on every rerun alone (deterministic), a non-strict finding
 * (ERR-1), or a missing endpoint or failed setup step charged to it.
 */
import { DEFAULT_RERUNS, runSuite, type SuiteResult } from '../runner/run-suite.ts';
import { startRelay } from '../../reference/relay/http/start-relay.ts';
import { authOf, relayOptionsFor, startMutant } from './catalog.ts';
import type { Mutant } from './mutant.ts';
import { loadBaseline } from '../runner/baseline.ts';
import type { AuthMode } from '../runner/target.ts';

export interface KillRow {
  mutant: string;
  breaks: string[];
  /** Requirements the suite reported as failing (beyond the reference's own failures). */
  named: string[];
  killed: boolean;
}

/** Expiry and heartbeat mutants need a TTL the cases can wait out; the rest get one no slow run can outlast. */
const SHORT_TTL_SECONDS = 3;
const LONG_TTL_SECONDS = 60;

/**
 * Unfinished TLS handshakes are closed after this (the relay's default is
 * 10 s), so ROB-1 passes in 3 s against the reference and every mutant but
 * the one that breaks it (its own 120 s wins), while ROB-2's 200 handshakes
 * still complete in time on a loaded machine.
 */
const HANDSHAKE_TIMEOUT_MS = 3000;

function ttlFor(mutant: Mutant): number {
  return mutant.breaks.some((id) => /^(EXP|HB)-/.test(id)) ? SHORT_TTL_SECONDS : LONG_TTL_SECONDS;
}

function sectionsOf(mutant: Mutant): string[] {
  return mutant.only ?? [...new Set(mutant.breaks.map((id) => `${id.split('-')[0]}-*`))];
}

const MTLS: AuthMode = { kind: 'mtls' };

/** Failing cases are rerun twice (unless the mutant says otherwise): only failures on every attempt count, so a loaded machine cannot fake a kill or hide one. */
async function runAgainst(url: string, caPem: string, only: string[], auth: AuthMode = MTLS, reruns = DEFAULT_RERUNS): Promise<SuiteResult> {
  return runSuite({ target: { url, caPem, insecure: false, auth }, only, seed: 11, maxWaitSeconds: 30, reruns });
}

/**
 * Cases whose findings reproduced: deterministic failures, and non-strict
 * findings (which do not depend on timing). Run without reruns, a failure
 * was seen once and its stability is unknown: it counts (see Mutant.reruns).
 */
function deterministicFailures(result: SuiteResult, reruns = DEFAULT_RERUNS) {
  const reproduced = (c: SuiteResult['cases'][number]) => c.stability === 'deterministic' || (reruns === 0 && c.stability === null);
  return result.cases.filter((c) => (c.verdict === 'fail' && reproduced(c)) || c.verdict === 'non-strict' || c.verdict === 'unimplemented' || (c.verdict === 'blocked' && reproduced(c)));
}

/** The requirements a failing case names: its findings', and its blocker's root cause. */
function namedBy(c: SuiteResult['cases'][number]): string[] {
  return [...c.findings.map((f) => f.requirement), ...(c.blocker ? [c.blocker.requirement] : []), ...(c.verdict === 'unimplemented' ? c.requirements : [])];
}

/** The reference relay, configured for `auth` as a mutant would be (behind the suite as its trusted proxy under header auth). */
export async function referenceFailures(ttlSeconds: number, only: string[] = [], auth: AuthMode = MTLS): Promise<Set<string>> {
  const relay = await startRelay({ port: 0, ttlSeconds, cleanupIntervalSeconds: 3600, handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS, ...relayOptionsFor(auth) });
  try {
    const result = await runAgainst(relay.url, relay.tlsCertificatePem, only, auth);
    return new Set(deterministicFailures(result).map((c) => c.caseId));
  } finally {
    await relay.close();
  }
}

export async function runMutant(mutant: Mutant, referenceFailing: Set<string>): Promise<KillRow> {
  const relay = await startMutant(mutant, ttlFor(mutant), { handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS });
  const reruns = mutant.reruns ?? DEFAULT_RERUNS;
  try {
    const result = await runAgainst(relay.url, relay.tlsCertificatePem, sectionsOf(mutant), authOf(mutant), reruns);
    const newFailures = deterministicFailures(result, reruns).filter((c) => !referenceFailing.has(c.caseId));
    const named = [...new Set(newFailures.flatMap(namedBy))].sort();
    return { mutant: mutant.name, breaks: mutant.breaks, named, killed: mutant.breaks.some((id) => named.includes(id)) };
  } finally {
    await relay.close();
  }
}

const KNOWN_FAILURES = new URL('../reference-known-failures.txt', import.meta.url).pathname;

export async function killMatrix(mutants: Mutant[], parallel = 3): Promise<KillRow[]> {
  // Known reference failures may or may not show in one run (random inputs): never count them as kills.
  const known = await loadBaseline(KNOWN_FAILURES);
  const { ALL_CASES } = await import('../cases/index.ts');
  // A case failing against the reference under either TTL never counts as a kill.
  const referenceFailing = new Set([...(await referenceFailures(SHORT_TTL_SECONDS)), ...(await referenceFailures(LONG_TTL_SECONDS))]);
  for (const c of ALL_CASES) if (known.covers(c.id)) referenceFailing.add(c.id);
  // A mutant reached through a header is compared with the reference reached the same way, on the cases it runs.
  const baselineFor = async (mutant: Mutant): Promise<Set<string>> => {
    const auth = authOf(mutant);
    if (auth.kind === 'mtls') return referenceFailing;
    const failing = await referenceFailures(ttlFor(mutant), sectionsOf(mutant), auth);
    for (const c of ALL_CASES) if (known.covers(c.id)) failing.add(c.id);
    return failing;
  };
  const rows: KillRow[] = [];
  // Mutants run without reruns take a minute per attempt (Mutant.reruns): started first, they overlap the rest.
  const queue = [...mutants].sort((a, b) => Number(b.reruns === 0) - Number(a.reruns === 0));
  await Promise.all(Array.from({ length: parallel }, async () => {
    for (let m = queue.shift(); m; m = queue.shift()) rows.push(await runMutant(m, await baselineFor(m)));
  }));
  const order = new Map(mutants.map((m, i) => [m.name, i]));
  return rows.sort((a, b) => (order.get(a.mutant) ?? 0) - (order.get(b.mutant) ?? 0));
}

export function renderKillMatrix(rows: KillRow[]): string {
  const width = Math.max(...rows.map((r) => r.mutant.length));
  const lines = rows.map((r) => `${r.killed ? 'KILLED ' : 'SURVIVED'} ${r.mutant.padEnd(width)}  breaks ${r.breaks.join(',').padEnd(16)} suite names: ${r.named.join(', ') || '(nothing)'}`);
  const killed = rows.filter((r) => r.killed).length;
  return `${lines.join('\n')}\n${killed}/${rows.length} mutants killed\n`;
}
