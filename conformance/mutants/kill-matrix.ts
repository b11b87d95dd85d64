/**
 * Runs the suite against the reference and against every mutant, and
 * reports which requirements the suite names for each. A mutant is killed
 * when a case that passes against the reference has, against the mutant,
 * a finding under one of the requirements the mutant breaks: a failure that
 * reproduced on every rerun alone (deterministic), a non-strict finding
 * (ERR-1), or a missing endpoint or failed setup step charged to it.
 */
import { runSuite, type SuiteResult } from '../runner/run-suite.ts';
import { startRelay } from '../../reference/relay/http/start-relay.ts';
import { startMutant } from './catalog.ts';
import type { Mutant } from './mutant.ts';
import { loadBaseline } from '../runner/baseline.ts';

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

function ttlFor(mutant: Mutant): number {
  return mutant.breaks.some((id) => /^(EXP|HB)-/.test(id)) ? SHORT_TTL_SECONDS : LONG_TTL_SECONDS;
}

function sectionsOf(mutant: Mutant): string[] {
  return mutant.only ?? [...new Set(mutant.breaks.map((id) => `${id.split('-')[0]}-*`))];
}

/** Failing cases are rerun twice: only failures on every attempt count, so a loaded machine cannot fake a kill or hide one. */
async function runAgainst(url: string, caPem: string, only: string[]): Promise<SuiteResult> {
  return runSuite({ target: { url, caPem, insecure: false, auth: { kind: 'mtls' } }, only, seed: 11, maxWaitSeconds: 30, reruns: 2 });
}

/** Cases whose findings reproduced: deterministic failures, and non-strict findings (which do not depend on timing). */
function deterministicFailures(result: SuiteResult) {
  return result.cases.filter((c) => (c.verdict === 'fail' && c.stability === 'deterministic') || c.verdict === 'non-strict' || c.verdict === 'unimplemented' || (c.verdict === 'blocked' && c.stability === 'deterministic'));
}

/** The requirements a failing case names: its findings', and its blocker's root cause. */
function namedBy(c: SuiteResult['cases'][number]): string[] {
  return [...c.findings.map((f) => f.requirement), ...(c.blocker ? [c.blocker.requirement] : []), ...(c.verdict === 'unimplemented' ? c.requirements : [])];
}

export async function referenceFailures(ttlSeconds: number, only: string[] = []): Promise<Set<string>> {
  const relay = await startRelay({ port: 0, ttlSeconds, cleanupIntervalSeconds: 3600 });
  try {
    const result = await runAgainst(relay.url, relay.tlsCertificatePem, only);
    return new Set(deterministicFailures(result).map((c) => c.caseId));
  } finally {
    await relay.close();
  }
}

export async function runMutant(mutant: Mutant, referenceFailing: Set<string>): Promise<KillRow> {
  const relay = await startMutant(mutant, ttlFor(mutant));
  try {
    const result = await runAgainst(relay.url, relay.tlsCertificatePem, sectionsOf(mutant));
    const newFailures = deterministicFailures(result).filter((c) => !referenceFailing.has(c.caseId));
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
  const rows: KillRow[] = [];
  const queue = [...mutants];
  await Promise.all(Array.from({ length: parallel }, async () => {
    for (let m = queue.shift(); m; m = queue.shift()) rows.push(await runMutant(m, referenceFailing));
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
